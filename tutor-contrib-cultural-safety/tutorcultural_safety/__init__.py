"""Tutor plugin for the cultural safety branching-scenario XBlock (see plugin.py)."""
