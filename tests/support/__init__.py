"""Helpers for the test suite: the workbench (subprocess and in-process), Chromium, axe-core.

The fixtures built on these live in tests/conftest.py.
"""
from .axe import axe_version, axe_violations, format_violations
from .paths import ARTIFACTS_DIR, REPO_ROOT

__all__ = ["ARTIFACTS_DIR", "REPO_ROOT", "axe_version", "axe_violations", "format_violations"]
