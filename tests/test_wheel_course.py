"""The installed XBlock carries its course: built as an operator builds it (sdist, then the wheel
from the sdist), installed into a clean venv, the course is found inside the package and passes
Studio's import gate (olxcleaner) and `cultural-safety validate`."""
import re
import tarfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.support.installed_wheel import installed_xblock  # noqa: F401  (the fixture)
from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.slow
COURSE = REPO_ROOT / "course"


def _files(folder):
    return {str(path.relative_to(folder)) for path in Path(folder).rglob("*")
            if path.is_file() and not path.name.startswith(".")}


def test_the_sdist_carries_the_course_for_the_wheel(installed_xblock):  # noqa: F811
    with tarfile.open(installed_xblock.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {f"course/{name}" for name in _files(COURSE)} <= names


def test_the_installed_package_finds_the_course_it_ships(installed_xblock):  # noqa: F811
    found = installed_xblock.course_dir()
    package = installed_xblock.venv.glob("lib/python*/site-packages/cultural_safety_xblock")
    assert found == next(package) / "course"
    assert _files(found) == _files(COURSE)


def test_the_shipped_course_passes_studios_import_gate(installed_xblock):  # noqa: F811
    import olxcleaner

    allowed = sorted({ep.name for ep in entry_points(group="xblock.v1")} |
                     {"course", "chapter", "sequential", "vertical", "html"})
    _course, errors, _names = olxcleaner.validate(str(installed_xblock.course_dir()), steps=8,
                                                  allowed_xblocks=allowed)
    assert [f"{e.__class__.__name__}: {e.description}" for e in errors.errors
            if e.level.name in ("ERROR", "CRITICAL")] == []


def test_cultural_safety_validate_passes_the_shipped_course(installed_xblock):  # noqa: F811
    done = installed_xblock.run("cultural-safety", "validate", str(installed_xblock.course_dir()))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"\d+ scenario\(s\), no problems", done.stdout.strip()), done.stdout


def test_the_installed_package_copies_its_course_under_another_key(installed_xblock,  # noqa: F811
                                                                   tmp_path):
    done = installed_xblock.run("python", "-m", "cultural_safety_xblock.course_copy",
                                "course-v1:Acme+CS9+2027_T1", str(tmp_path))
    assert done.returncode == 0, done.stderr
    copy = Path(done.stdout.strip())
    assert copy == tmp_path / "Acme-CS9-2027_T1"
    assert (copy / "course.xml").read_text().strip() == \
        '<course url_name="2027_T1" org="Acme" course="CS9"/>'
    assert (copy / "course" / "2027_T1.xml").is_file()
    assert (copy / "policies" / "2027_T1" / "policy.json").is_file()
    assert _files(installed_xblock.course_dir()) == _files(COURSE)  # the shipped course untouched


def test_a_bad_course_key_is_refused_before_anything_is_copied(installed_xblock,  # noqa: F811
                                                               tmp_path):
    done = installed_xblock.run("python", "-m", "cultural_safety_xblock.course_copy",
                                "Acme/CS9/2027", str(tmp_path))
    assert done.returncode == 2
    assert "'Acme/CS9/2027' is not of the form course-v1:ORG+NUMBER+RUN" in done.stderr
    assert "nothing was imported" in done.stderr
    assert list(tmp_path.iterdir()) == []
