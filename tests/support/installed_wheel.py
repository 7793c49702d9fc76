"""The XBlock as an operator gets it: an sdist made from a copy of the sources, the wheel built
from that sdist, installed with its dependencies into a fresh venv that knows nothing of the
checkout.

``installed_xblock`` is a session fixture (import it into a test module): tests that need the
installed package share one build (about 15 s, most of it pip installing the dependencies).
"""
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .paths import REPO_ROOT

# what the sdist is made from (MANIFEST.in decides what it carries)
SOURCES = ("setup.py", "MANIFEST.in", "README.md", "SECURITY.md", "babel.cfg", "docs",
           "cultural_safety_xblock", "course")


@dataclass(frozen=True)
class InstalledXBlock:
    sdist: Path
    wheel: Path
    venv: Path

    @property
    def python(self):
        return self.venv / "bin" / "python"

    def run(self, *args, **kwargs):
        """Run a command of the venv (``python``, ``cultural-safety``), outside the checkout."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CULTURAL_SAFETY_COURSE")}
        command = [str(self.venv / "bin" / args[0]), *args[1:]]
        return subprocess.run(command, capture_output=True, text=True, env=env,
                              cwd=kwargs.pop("cwd", self.venv), **kwargs)

    def course_dir(self):
        found = self.run("python", "-c", "from cultural_safety_xblock.course_units import course_dir;"
                         " print(course_dir())", check=True)
        return Path(found.stdout.strip())


def _run(*command, cwd):
    """Run a build step; a failure shows what the step printed."""
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done


def build_and_install(work):
    work = Path(work)
    source = work / "source"
    source.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*")
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    dist = work / "dist"
    _run(sys.executable, "setup.py", "-q", "sdist", "-d", dist, cwd=source)
    (sdist,) = dist.glob("*.tar.gz")
    _run(sys.executable, "-m", "pip", "-q", "wheel", "--no-deps", "-w", dist, sdist, cwd=work)
    (wheel,) = dist.glob("*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=work)
    _run(venv / "bin" / "python", "-m", "pip", "-q", "install", wheel, cwd=work)
    return InstalledXBlock(sdist, wheel, venv)


@pytest.fixture(scope="session")
def installed_xblock(tmp_path_factory):
    return build_and_install(tmp_path_factory.mktemp("installed-xblock"))
