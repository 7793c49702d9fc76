"""tutor-contrib-cultural-safety under the real `tutor` of each supported release, without Docker.

Each test gets a fresh Tutor root. A stand-in `docker` on PATH records what Tutor asks of it, so
that the rendered job scripts and build commands can be read; the import job's script is then
run for real against the XBlock installed from its wheel, with a stand-in `manage.py` that records
what the CMS was asked to import.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.installed_wheel import installed_xblock  # noqa: F401  (the fixture)
from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.slow

RELEASES = {"21": "Ulmo", "22": "Verawood"}
PY = "{}.{}".format(*sys.version_info[:2])
DO_COMMAND = "import-cultural-safety-course"
DEFAULT_KEY = "course-v1:OpenCulturalSafety+CS101+2026"
PLUGIN = REPO_ROOT / "tutor-contrib-cultural-safety"
PLUGIN_PROJECT = PLUGIN / "pyproject.toml"


def _tutor_venv(release):
    """The venv with tutor <release>.* and the plugin; made by `make venv-tutor` if missing."""
    venv = REPO_ROOT / f".venv-tutor{release}-{PY}"
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < PLUGIN_PROJECT.stat().st_mtime:
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run(["make", "-s", "venv-tutor", f"PYTHON={base}"], cwd=REPO_ROOT, check=True,
                       capture_output=True)
    return venv


@pytest.fixture(scope="session", params=sorted(RELEASES), ids=lambda r: f"tutor{r}-{RELEASES[r]}")
def tutor_venv(request):
    return _tutor_venv(request.param)


FAKE_DOCKER = """\
#!{python}
# Stands in for docker: records each call; answers `compose ls` with no running project.
import json, os, sys
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[-3:] == ["ls", "--format", "json"]:
    print("[]")
"""


@dataclass
class Tutor:
    venv: Path
    root: Path
    bin: Path
    log: Path

    def __call__(self, *args, ok=True):
        env = {**os.environ, "TUTOR_ROOT": str(self.root), "TUTOR_PLUGINS_ROOT": str(self.root / "plugins"),
               "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "FAKE_DOCKER_LOG": str(self.log)}
        done = subprocess.run([str(self.venv / "bin" / "tutor"), *args], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL)
        if ok:
            assert done.returncode == 0, f"tutor {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def docker_calls(self):
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return calls

    def jobs(self):
        """(service, script) of each job Tutor ran since the last look, in order."""
        return [(call[call.index("sh") - 1].removesuffix("-job"), call[-1])
                for call in self.docker_calls() if call[-3:-1] == ["-e", "-c"]]

    def file(self, *path):
        return (self.root / "env").joinpath(*path).read_text()

    def env_files(self):
        env = self.root / "env"
        return {str(p.relative_to(env)): p.read_bytes() for p in sorted(env.rglob("*")) if p.is_file()}


def _tutor_in(venv, place, root=None):
    """A Tutor whose root is a copy of ``root`` (a fresh one if None), with the stand-in docker."""
    place.mkdir(parents=True, exist_ok=True)
    bin_dir = place / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable))
    docker.chmod(0o755)
    if root is not None:
        shutil.copytree(root, place / "root")  # a root holds no absolute path of its own
    return Tutor(venv, place / "root", bin_dir, place / "docker.log")


@pytest.fixture(scope="session")
def saved_root(tutor_venv, tmp_path_factory):
    """A Tutor root after `tutor config save`, the plugin never enabled (copied for each test)."""
    tutor = _tutor_in(tutor_venv, tmp_path_factory.mktemp("saved"))
    tutor("config", "save")
    return tutor.root


@pytest.fixture(scope="session")
def enabled_root(tutor_venv, saved_root, tmp_path_factory):
    """The saved root after `tutor plugins enable cultural-safety` and `tutor config save`."""
    tutor = _tutor_in(tutor_venv, tmp_path_factory.mktemp("enabled"), saved_root)
    tutor("plugins", "enable", "cultural-safety")
    tutor("config", "save")
    return tutor.root


@pytest.fixture
def tutor(tutor_venv, saved_root, tmp_path):
    return _tutor_in(tutor_venv, tmp_path / "tutor", saved_root)


@pytest.fixture
def enabled(tutor_venv, enabled_root, tmp_path):
    return _tutor_in(tutor_venv, tmp_path / "tutor", enabled_root)


@pytest.fixture(scope="session")
def default_job(tutor_venv, enabled_root, tmp_path_factory):
    """(service, script) of `tutor local do import-cultural-safety-course` with the default key."""
    tutor = _tutor_in(tutor_venv, tmp_path_factory.mktemp("job"), enabled_root)
    tutor("local", "do", DO_COMMAND)
    (job,) = tutor.jobs()
    return job


def _python_requirements_stage(dockerfile):
    """The Dockerfile stage whose venv the production image (LMS and CMS) copies."""
    stage = dockerfile.split("FROM python AS python-requirements", 1)[1]
    return stage.split("\nFROM ", 1)[0]


def _xblock_version():
    return re.search(r'version="([^"]+)"', (REPO_ROOT / "setup.py").read_text()).group(1)


# ---- the image -------------------------------------------------------------------------------

def test_the_plugin_declares_the_tutor_releases_it_is_tested_against():
    text = PLUGIN_PROJECT.read_text()
    assert '"tutor>=21.0.0,<23.0.0"' in text
    assert 'cultural-safety = "tutorcultural_safety.plugin"' in text
    assert '[project.entry-points."tutor.plugin.v1"]' in text


def test_enabling_the_plugin_installs_the_pinned_xblock_in_the_openedx_image(enabled):
    listed = enabled("plugins", "list").stdout
    assert re.search(r"^cultural-safety\s+\W*\s*enabled", listed, re.M), listed
    stage = _python_requirements_stage(enabled.file("build", "openedx", "Dockerfile"))
    assert f"$PIP_COMMAND install cultural-safety-xblock=={_xblock_version()}\n" in stage


def test_a_git_ref_replaces_the_pinned_release(enabled):
    source = "git+https://git.example.org/cultural_safety_xblock.git@v0.1.0#egg=cultural-safety-xblock"
    enabled("config", "save", "--set", f"CULTURAL_SAFETY_XBLOCK_SOURCE={source}")
    stage = _python_requirements_stage(enabled.file("build", "openedx", "Dockerfile"))
    assert f"$PIP_COMMAND install '{source}'\n" in stage
    assert "cultural-safety-xblock==" not in stage


def test_a_local_wheel_reaches_the_build_as_a_build_context(enabled, tmp_path):
    wheel = tmp_path / "wheels" / "cultural_safety_xblock-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a wheel")
    enabled("config", "save", "--set", f"CULTURAL_SAFETY_XBLOCK_WHEEL={wheel}")
    stage = _python_requirements_stage(enabled.file("build", "openedx", "Dockerfile"))
    assert ("RUN --mount=type=bind,from=cultural-safety-wheel,target=/tmp/cultural-safety-wheel \\\n"
            f"    $PIP_COMMAND install /tmp/cultural-safety-wheel/{wheel.name}\n") in stage
    enabled.docker_calls()
    enabled("images", "build", "openedx")
    (build,) = [call for call in enabled.docker_calls() if call[:2] == ["buildx", "build"]]
    assert f"--build-context=cultural-safety-wheel={wheel.parent}" in build
    assert build[-1] == str(enabled.root / "env" / "build" / "openedx")


def test_a_wheel_that_is_not_there_is_refused_with_what_to_do(enabled, tmp_path):
    missing = tmp_path / "cultural_safety_xblock-0.1.0-py3-none-any.whl"
    done = enabled("config", "save", "--set", f"CULTURAL_SAFETY_XBLOCK_WHEEL={missing}", ok=False)
    assert done.returncode != 0
    assert f"CULTURAL_SAFETY_XBLOCK_WHEEL='{missing}': no such file on this host" in done.stderr
    assert "tutor config save --unset CULTURAL_SAFETY_XBLOCK_WHEEL" in done.stderr
    assert not [call for call in enabled.docker_calls() if "buildx" in call]


def test_a_source_and_a_wheel_at_once_are_refused(enabled, tmp_path):
    wheel = tmp_path / "cultural_safety_xblock-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    done = enabled("config", "save", "--set", f"CULTURAL_SAFETY_XBLOCK_WHEEL={wheel}",
                   "--set", "CULTURAL_SAFETY_XBLOCK_SOURCE=git+https://git.example.org/x.git", ok=False)
    assert done.returncode != 0
    assert "CULTURAL_SAFETY_XBLOCK_SOURCE and CULTURAL_SAFETY_XBLOCK_WHEEL are both set" in done.stderr


def test_a_source_that_is_not_one_requirement_or_an_empty_version_is_refused(enabled):
    done = enabled("config", "save", "--set", "CULTURAL_SAFETY_XBLOCK_SOURCE=pkg 'x'", ok=False)
    assert "CULTURAL_SAFETY_XBLOCK_SOURCE=\"pkg 'x'\": not one pip requirement" in done.stderr
    done = enabled("config", "save", "--unset", "CULTURAL_SAFETY_XBLOCK_SOURCE",
                   "--set", "CULTURAL_SAFETY_XBLOCK_VERSION=", ok=False)
    assert "CULTURAL_SAFETY_XBLOCK_VERSION=" in done.stderr
    assert ": not a release of the XBlock. Give a release such as 0.1.0" in done.stderr


# ---- the import ------------------------------------------------------------------------------

def test_the_import_command_is_a_do_job_in_every_mode(enabled):
    for mode in ("local", "dev", "k8s"):
        assert re.search(rf"^\s+{DO_COMMAND}\s", enabled(mode, "do", "--help").stdout, re.M), mode


FAKE_MANAGE = """\
# Stands in for edx-platform's manage.py: records `cms import` (the key and files of the course
# it is given, as the importer would read them) and keeps waffle switches in a JSON file.
import json, os, sys
from pathlib import Path
from xml.etree import ElementTree

record = Path(os.environ["FAKE_CMS"])
state = json.loads(record.read_text()) if record.exists() else {"imports": [], "switches": {}}
service, command, *args = sys.argv[1:]
if command == "import":
    data, name = args
    folder = Path(data) / name
    top = ElementTree.parse(folder / "course.xml").getroot()
    state["imports"].append({
        "service": service, "data": data, "name": name,
        "key": f"course-v1:{top.get('org')}+{top.get('course')}+{top.get('url_name')}",
        "files": sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()),
    })
elif command == "waffle_switch" and args == ["--list"]:
    print("Switches:")
    for name, on in state["switches"].items():
        print(f"{name}: {'on' if on else 'off'}")
elif command == "waffle_switch":
    name, value, *flags = args
    if name in state["switches"] or "--create" in flags:
        state["switches"][name] = value == "on"
record.write_text(json.dumps(state))
"""


def _run_in_a_cms(script, installed, place, switches=None):
    """Run a job script as the CMS container would: the installed XBlock's python, in a folder
    with a manage.py; return what that manage.py recorded."""
    place.mkdir(exist_ok=True)
    (place / "manage.py").write_text(FAKE_MANAGE)
    record = place / "cms.json"
    if switches is not None:
        record.write_text(json.dumps({"imports": [], "switches": switches}))
    env = {"PATH": f"{installed.venv / 'bin'}{os.pathsep}/usr/bin:/bin", "FAKE_CMS": str(record),
           "TMPDIR": str(place), "HOME": str(place)}
    done = subprocess.run(["sh", "-e", "-c", script], cwd=place, env=env, capture_output=True, text=True)
    state = json.loads(record.read_text()) if record.exists() else {"imports": [], "switches": {}}
    return done, state


def _course_files():
    course = REPO_ROOT / "course"
    return {str(p.relative_to(course)) for p in course.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def test_the_import_job_imports_the_shipped_course_under_the_configured_key(
        enabled, installed_xblock, tmp_path):  # noqa: F811
    enabled("config", "save", "--set", "CULTURAL_SAFETY_COURSE_KEY=course-v1:Acme+CS9+2027_T1")
    enabled.docker_calls()
    enabled("local", "do", DO_COMMAND)
    ((service, script),) = enabled.jobs()
    assert service == "cms"
    assert "python -m cultural_safety_xblock.course_copy course-v1:Acme+CS9+2027_T1 " in script
    assert re.search(r"^python \./manage\.py cms import ", script, re.M)

    cms = tmp_path / "cms"
    done, state = _run_in_a_cms(script, installed_xblock, cms)
    assert done.returncode == 0, done.stdout + done.stderr
    (imported,) = state["imports"]
    assert imported["service"] == "cms" and imported["key"] == "course-v1:Acme+CS9+2027_T1"
    renamed = {name.replace("2026", "2027_T1") for name in _course_files()}
    assert set(imported["files"]) == renamed
    assert state["switches"] == {"completion.enable_completion_tracking": True}
    assert not Path(imported["data"]).exists()  # the copy is removed after the import

    # again: the same key, so Studio's importer updates that course; the switch is left alone
    done, state = _run_in_a_cms(script, installed_xblock, cms)
    assert done.returncode == 0, done.stderr
    assert [i["key"] for i in state["imports"]] == ["course-v1:Acme+CS9+2027_T1"] * 2
    assert "left as set" in done.stdout


def test_the_import_job_leaves_a_completion_switch_an_operator_turned_off(
        default_job, installed_xblock, tmp_path):  # noqa: F811
    _service, script = default_job
    done, state = _run_in_a_cms(script, installed_xblock, tmp_path / "cms",
                                switches={"completion.enable_completion_tracking": False})
    assert done.returncode == 0, done.stderr
    assert state["imports"][0]["key"] == DEFAULT_KEY
    assert state["switches"] == {"completion.enable_completion_tracking": False}


def test_a_key_given_to_the_command_wins_over_the_setting(enabled):
    enabled("local", "do", DO_COMMAND, "--course-key", "course-v1:Other+X1+2030")
    ((_service, script),) = enabled.jobs()
    assert "course_copy course-v1:Other+X1+2030 " in script


def test_a_bad_course_key_is_refused_before_any_container_starts(enabled):
    enabled("config", "save", "--set", "CULTURAL_SAFETY_COURSE_KEY=Acme/CS9/2027")
    done = enabled("local", "do", DO_COMMAND, ok=False)
    assert done.returncode != 0
    assert ("CULTURAL_SAFETY_COURSE_KEY='Acme/CS9/2027': not a course key of the form "
            "course-v1:ORG+NUMBER+RUN") in done.stderr
    assert enabled.jobs() == []


def test_the_import_job_stops_on_a_course_it_cannot_copy(default_job, installed_xblock,  # noqa: F811
                                                         tmp_path):
    _service, script = default_job
    done, state = _run_in_a_cms(script.replace(DEFAULT_KEY, "course-v1:Acme+CS9"), installed_xblock,
                                tmp_path / "cms")
    assert done.returncode != 0
    assert "nothing was imported" in done.stderr
    assert state["imports"] == []


# ---- the init task ---------------------------------------------------------------------------

def _imports(jobs):
    return [script for service, script in jobs if "cultural_safety_xblock.course_copy" in script]


def test_the_init_task_imports_the_course_only_when_turned_on(enabled):
    enabled("local", "do", "init")
    jobs = enabled.jobs()
    assert len(jobs) > 3 and _imports(jobs) == []  # Tutor's own init tasks, and no import

    enabled("config", "save", "--set", "CULTURAL_SAFETY_IMPORT_ON_INIT=true")
    enabled("local", "do", "init")
    jobs = enabled.jobs()
    assert jobs[-1][0] == "cms" and _imports(jobs) == [jobs[-1][1]]  # last: after migrations
    assert f"course_copy {DEFAULT_KEY} " in jobs[-1][1]
    enabled("local", "do", "init", "--limit", "cultural-safety")
    assert [service for service, _ in enabled.jobs()] == ["cms"]


# ---- switching it off ------------------------------------------------------------------------

def test_disabling_the_plugin_removes_what_enabling_added(tutor, tmp_path):
    before = tutor.env_files()
    tutor("plugins", "enable", "cultural-safety")
    wheel = tmp_path / "cultural_safety_xblock-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    tutor("config", "save", "--set", "CULTURAL_SAFETY_IMPORT_ON_INIT=true",
          "--set", f"CULTURAL_SAFETY_XBLOCK_WHEEL={wheel}")
    assert tutor.env_files() != before

    tutor("plugins", "disable", "cultural-safety")
    assert tutor.env_files() == before
    assert DO_COMMAND not in tutor("local", "do", "--help").stdout
    tutor.docker_calls()
    tutor("local", "do", "init")
    assert _imports(tutor.jobs()) == []
    tutor("images", "build", "openedx")
    (build,) = [call for call in tutor.docker_calls() if call[:2] == ["buildx", "build"]]
    assert not [arg for arg in build if "cultural-safety" in arg]


def test_the_plugin_pins_the_xblock_version_of_setup_py():
    about = (PLUGIN / "tutorcultural_safety" / "__about__.py").read_text()
    assert f'XBLOCK_VERSION = "{_xblock_version()}"' in about


def test_the_job_script_is_run_as_written(default_job):
    """Tutor renders a job's script as a template: ours has no markup for it to change."""
    _service, script = default_job
    written = (PLUGIN / "tutorcultural_safety" / "jobs" / "import-course.sh").read_text()
    assert script == written.replace("__COURSE_KEY__", DEFAULT_KEY).strip()


def test_the_plugins_wheel_carries_its_patch_and_job(tmp_path):
    """What `pip install tutor-contrib-cultural-safety` gets: the code, the Dockerfile patch, the
    job script and the entry point (the tests above run the plugin from its folder)."""
    shutil.copytree(PLUGIN, tmp_path / "plugin",
                    ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "-q", "wheel", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(tmp_path / "plugin")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("tutor_contrib_cultural_safety-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert {"tutorcultural_safety/plugin.py", "tutorcultural_safety/jobs/import-course.sh",
            "tutorcultural_safety/patches/openedx-dockerfile-post-python-requirements"} <= names
    assert "[tutor.plugin.v1]\ncultural-safety = tutorcultural_safety.plugin" in entry_points
