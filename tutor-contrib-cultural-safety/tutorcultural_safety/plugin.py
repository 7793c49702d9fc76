"""The cultural safety XBlock in Tutor's openedx image, and its course in the CMS.

- The openedx image (LMS and CMS) installs the XBlock: the release this plugin pins, or
  CULTURAL_SAFETY_XBLOCK_SOURCE (any pip requirement, such as a git URL at a ref), or
  CULTURAL_SAFETY_XBLOCK_WHEEL (a wheel on the host, handed to the build as a build context).
- ``tutor local|dev|k8s do import-cultural-safety-course`` imports, in the CMS, the course that the
  installed XBlock ships, under CULTURAL_SAFETY_COURSE_KEY; run again, it updates that course.
- CULTURAL_SAFETY_IMPORT_ON_INIT (off by default) adds the same import to the init tasks that
  ``tutor local launch`` runs.
"""
import re
import shlex
from importlib import resources
from pathlib import Path

import click
from tutor import config as tutor_config
from tutor import hooks
from tutor.exceptions import TutorError

from .__about__ import XBLOCK_VERSION, __version__

WHEEL_CONTEXT = "cultural-safety-wheel"  # the build context (and mount) that carries a local wheel
# each part of a course-v1 key, as opaque-keys accepts it
_KEY = re.compile(r"course-v1:[\w\-~.:]+\+[\w\-~.:]+\+[\w\-~.:]+", re.ASCII)

hooks.Filters.CONFIG_DEFAULTS.add_items([
    ("CULTURAL_SAFETY_VERSION", __version__),
    ("CULTURAL_SAFETY_XBLOCK_VERSION", XBLOCK_VERSION),
    ("CULTURAL_SAFETY_XBLOCK_SOURCE", ""),
    ("CULTURAL_SAFETY_XBLOCK_WHEEL", ""),
    ("CULTURAL_SAFETY_COURSE_KEY", "course-v1:OpenCulturalSafety+CS101+2026"),
    ("CULTURAL_SAFETY_IMPORT_ON_INIT", False),
])


def _fix(setting, value, problem, fix):
    return TutorError(f"{setting}={value!r}: {problem}. {fix}, or go back to the default with "
                      f"`tutor config save --unset {setting}`.")


def wheel_path(value):
    """The local wheel CULTURAL_SAFETY_XBLOCK_WHEEL names, checked."""
    fix = ("Set it to the absolute path of a wheel built from the XBlock's source "
           "(`pip wheel --no-deps -w dist .` in a checkout)")
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise _fix("CULTURAL_SAFETY_XBLOCK_WHEEL", value, "not an absolute path", fix)
    if not path.name.endswith(".whl") or not path.name.startswith("cultural_safety_xblock-"):
        raise _fix("CULTURAL_SAFETY_XBLOCK_WHEEL", value,
                   "not a cultural_safety_xblock-<version>-*.whl file name", fix)
    if not path.is_file():
        raise _fix("CULTURAL_SAFETY_XBLOCK_WHEEL", value, "no such file on this host", fix)
    return path


def install_step(version, source="", wheel=""):
    """The Dockerfile step that installs the XBlock into the openedx image's Python."""
    if source and wheel:
        raise TutorError("CULTURAL_SAFETY_XBLOCK_SOURCE and CULTURAL_SAFETY_XBLOCK_WHEEL are both set: "
                         "the image installs the XBlock from one of them. Unset one, e.g. "
                         "`tutor config save --unset CULTURAL_SAFETY_XBLOCK_SOURCE`.")
    if wheel:
        inside = f"/tmp/{WHEEL_CONTEXT}/{wheel_path(wheel).name}"
        return (f"RUN --mount=type=bind,from={WHEEL_CONTEXT},target=/tmp/{WHEEL_CONTEXT} \\\n"
                f"    $PIP_COMMAND install {shlex.quote(inside)}")
    pinned = f"cultural-safety-xblock=={version}" if version else ""
    requirement = source.strip() if source else pinned
    if not requirement or any(c.isspace() or c in "'\"\\" for c in requirement):
        if source:
            raise _fix("CULTURAL_SAFETY_XBLOCK_SOURCE", source, "not one pip requirement",
                       "Give one requirement without spaces or quotes, e.g. "
                       "git+https://git.example.org/cultural_safety_xblock.git@v0.1.0")
        raise _fix("CULTURAL_SAFETY_XBLOCK_VERSION", version, "not a release of the XBlock",
                   f"Give a release such as {XBLOCK_VERSION}")
    return ("RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\\n"
            f"    $PIP_COMMAND install {shlex.quote(requirement)}")


hooks.Filters.ENV_TEMPLATE_VARIABLES.add_item(("cultural_safety_install_step", install_step))

for _patch in sorted(resources.files(__package__).joinpath("patches").iterdir(), key=lambda p: p.name):
    hooks.Filters.ENV_PATCHES.add_item((_patch.name, _patch.read_text(encoding="utf-8")))


@hooks.Filters.IMAGES_BUILD.add(priority=hooks.priorities.LOW)
def _hand_the_wheel_to_the_build(images, config):
    """A local wheel reaches the Dockerfile through a named build context (its folder)."""
    wheel = config.get("CULTURAL_SAFETY_XBLOCK_WHEEL")
    if not wheel:
        return images
    context = f"--build-context={WHEEL_CONTEXT}={wheel_path(wheel).parent}"
    return [(name, path, tag, (*args, context)) if name in ("openedx", "openedx-dev")
            else (name, path, tag, args)
            for name, path, tag, args in images]


def checked_key(value, setting="CULTURAL_SAFETY_COURSE_KEY"):
    """A course-v1 key, checked on the host before any container starts."""
    text = str(value or "").strip()
    if not _KEY.fullmatch(text):
        raise _fix(setting, value, "not a course key of the form course-v1:ORG+NUMBER+RUN",
                   "Use letters, digits and - _ . ~ : in each part, e.g. "
                   "course-v1:OpenCulturalSafety+CS101+2026")
    return text


def import_script(key):
    """The CMS job that imports the course the installed XBlock ships, under ``key`` (checked)."""
    script = resources.files(__package__).joinpath("jobs", "import-course.sh").read_text(encoding="utf-8")
    return script.replace("__COURSE_KEY__", shlex.quote(key))


def _loaded_config():
    """The project's configuration, from the Tutor command being run (None outside one)."""
    context = click.get_current_context(silent=True)
    root = getattr(context.obj, "root", None) if context else None
    return tutor_config.load(root) if root else None


@click.command(name="import-cultural-safety-course",
               help="Import the course that the installed cultural safety XBlock ships into the CMS, "
                    "under CULTURAL_SAFETY_COURSE_KEY; run again, it updates that course.")
@click.option("-k", "--course-key", default=None, metavar="course-v1:ORG+NUMBER+RUN",
              help="Import under this key instead of CULTURAL_SAFETY_COURSE_KEY.")
def import_course(course_key):
    if course_key:
        key = checked_key(course_key, setting="--course-key")
    else:
        key = checked_key(_loaded_config()["CULTURAL_SAFETY_COURSE_KEY"])
    yield ("cms", import_script(key))


hooks.Filters.CLI_DO_COMMANDS.add_item(import_course)


@hooks.Filters.CLI_DO_INIT_TASKS.add(priority=hooks.priorities.LOW)
def _import_on_init(tasks):
    """The import as the last init task, only when CULTURAL_SAFETY_IMPORT_ON_INIT is on."""
    config = _loaded_config()
    if config and config.get("CULTURAL_SAFETY_IMPORT_ON_INIT"):
        tasks.append(("cms", import_script(checked_key(config["CULTURAL_SAFETY_COURSE_KEY"]))))
    return tasks
