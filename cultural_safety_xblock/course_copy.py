"""The course under an operator's course key, in a folder of its own, for ``manage.py cms import``.

Studio's importer takes a course's key from course.xml (``org``, ``course``, and ``url_name`` as
the run) and updates the course that already has that key, so importing the same key twice
updates the course rather than making a second one. To import under another key, the course is
copied and the copy's course.xml, ``course/<run>.xml`` and ``policies/<run>/`` are renamed; the
course the package ships is never changed. The Tutor plugin's import job runs, in the CMS::

    python -m cultural_safety_xblock.course_copy course-v1:ORG+NUMBER+RUN /tmp/a-fresh-folder

which checks the course, prints the folder it made and exits 0; a bad key or a course with
problems exits 2 with the reason, and nothing is imported.
"""
import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .course_package import CourseProblems, check
from .course_units import course_dir
from .scenario.olx import parse_xml_text

# what opaque-keys accepts in each part of a course-v1 key
_PART = r"[\w\-~.:]+"
_KEY = re.compile(rf"course-v1:({_PART})\+({_PART})\+({_PART})", re.ASCII)
KEY_FORM = "course-v1:ORG+NUMBER+RUN (letters, digits and - _ . ~ : in each part)"


@dataclass(frozen=True)
class CourseKey:
    org: str
    course: str
    run: str

    def __str__(self):
        return f"course-v1:{self.org}+{self.course}+{self.run}"

    @classmethod
    def parse(cls, text):
        found = _KEY.fullmatch(text.strip())
        if not found:
            raise ValueError(f"course key {text!r} is not of the form {KEY_FORM}")
        return cls(*found.groups())


def key_of(folder):
    """The key the importer gives the course in ``folder`` (from its course.xml)."""
    root, problems = parse_xml_text((Path(folder) / "course.xml").read_bytes())
    if root is None:
        raise ValueError(f"{folder}/course.xml: {problems[0]}")
    return CourseKey(root.get("org", ""), root.get("course", ""), root.get("url_name", ""))


def keyed_copy(key, parent, source=None):
    """Copy the course (default: the one the package ships) to ``parent/<org>-<number>-<run>``
    under ``key``; raise ValueError for a bad key, CourseProblems for a course with problems."""
    key = key if isinstance(key, CourseKey) else CourseKey.parse(key)
    source = Path(source or course_dir())
    problems = check(source)
    if problems:
        raise CourseProblems(problems)
    old = key_of(source)
    target = Path(parent) / f"{key.org}-{key.course}-{key.run}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    root, _ = parse_xml_text((target / "course.xml").read_bytes())
    root.set("org", key.org)
    root.set("course", key.course)
    root.set("url_name", key.run)
    (target / "course.xml").write_bytes(etree.tostring(root, encoding="utf-8") + b"\n")
    if key.run != old.run:
        (target / "course" / f"{old.run}.xml").rename(target / "course" / f"{key.run}.xml")
        (target / "policies" / old.run).rename(target / "policies" / key.run)
        path = target / "policies" / key.run / "policy.json"
        policy = json.loads(path.read_text(encoding="utf-8"))
        policy = {(f"course/{key.run}" if name == f"course/{old.run}" else name): value
                  for name, value in policy.items()}
        path.write_text(json.dumps(policy, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cultural_safety_xblock.course_copy",
        description="Copy the course under a course key, ready for `manage.py cms import`.")
    parser.add_argument("key", help=KEY_FORM)
    parser.add_argument("parent", help="an existing folder to copy the course into")
    parser.add_argument("--course", default=None,
                        help="the course folder (default: the course the package ships)")
    args = parser.parse_args(argv)
    try:
        target = keyed_copy(args.key, args.parent, args.course)
    except ValueError as error:
        print(f"cultural-safety: {error}; nothing was imported", file=sys.stderr)
        return 2
    except CourseProblems as error:
        print(f"cultural-safety: the course in {args.course or course_dir()} has problems; "
              "nothing was imported:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cultural-safety: cannot copy the course to {args.parent}: {error}; "
              "nothing was imported", file=sys.stderr)
        return 2
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
