"""Check the OLX course folder and pack it as Studio's import expects.

``check`` lists every problem (a pointer to a missing file, a static file that is not there, a
scenario that does not validate, a policy without the block); ``build`` refuses to pack a course
with problems and otherwise writes ``dist/<org>-<course>-<run>.tar.gz`` with one top-level folder.
"""
import json
import re
import tarfile
from pathlib import Path

from .course_units import SCENARIO_TAG
from .scenario.compiled import compile_source
from .scenario.olx import parse_xml_text

POINTER_TAGS = ("chapter", "sequential", "vertical", "html")
_STATIC = re.compile(r"""(?:src|href)=["'](/static/[^"'#?]+)""")


class CourseProblems(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the course")
        self.problems = problems


def _xml(folder, path, problems):
    try:
        root, found = parse_xml_text(path.read_bytes())
    except OSError as error:
        problems.append(f"{path.relative_to(folder)}: cannot be read ({error.strerror})")
        return None
    if root is None:
        problems.append(f"{path.relative_to(folder)}:{found[0].line or 1}: {found[0]}")
    return root


def _walk(folder, tag, element, problems, seen):
    """Follow pointers depth first from ``element``; check what each file refers to."""
    name = element.get("url_name")
    if tag in POINTER_TAGS and name and len(element) == 0:
        path = folder / tag / f"{name}.xml"
        if not path.exists():
            problems.append(f"{tag}/{name}.xml: missing (referred to as <{tag} url_name=\"{name}\"/>)")
            return
        seen.add(path)
        element = _xml(folder, path, problems)
        if element is None:
            return
        if tag == "html":
            _check_html(folder, element, path, problems)
            return
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == SCENARIO_TAG:
            _check_scenario(folder, child, problems)
        elif child.tag in POINTER_TAGS:
            _walk(folder, child.tag, child, problems, seen)


def _check_html(folder, element, path, problems):
    filename = element.get("filename")
    if not filename:
        return
    page = folder / "html" / f"{filename}.html"
    if not page.exists():
        problems.append(f"{path.relative_to(folder)}: html/{filename}.html is missing")
        return
    text = page.read_text(encoding="utf-8")
    root, found = parse_xml_text(f"<div>{text}</div>")
    if root is None:
        problems.append(f"html/{filename}.html: {found[0]}")
    _check_static(folder, f"html/{filename}.html", text, problems)


def _check_static(folder, where, text, problems):
    for reference in _STATIC.findall(text):
        if not (folder / reference.lstrip("/")).exists():
            problems.append(f"{where}: {reference} does not exist in static/")


def _check_scenario(folder, element, problems):
    name = element.get("url_name", "?")
    for problem in compile_source(element).problems:
        problems.append(f"scenario {name}, line {problem.line or element.sourceline}: {problem}")


def _policy(folder, run, problems):
    path = folder / "policies" / run / "policy.json"
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        problems.append(f"policies/{run}/policy.json: cannot be read ({error})")
        return {}
    course = policy.get(f"course/{run}", {})
    if SCENARIO_TAG not in course.get("advanced_modules", []):
        problems.append(f"policies/{run}/policy.json: advanced_modules must list {SCENARIO_TAG}")
    image = course.get("course_image")
    if image and not (folder / "static" / image).exists():
        problems.append(f"policies/{run}/policy.json: course_image static/{image} is missing")
    return course


def check(folder):
    """Every problem in the course folder, as readable lines (empty when it is ready to import)."""
    folder = Path(folder)
    problems = []
    top = _xml(folder, folder / "course.xml", problems)
    if top is None:
        return problems
    run = top.get("url_name", "")
    for attribute in ("url_name", "org", "course"):
        if not top.get(attribute):
            problems.append(f"course.xml: the {attribute} attribute is missing")
    path = folder / "course" / f"{run}.xml"
    course = _xml(folder, path, problems) if path.exists() else None
    if course is None:
        problems.append(f"course/{run}.xml: missing")
        return problems
    seen = set()
    _walk(folder, "course", course, problems, seen)
    _policy(folder, run, problems)
    for tag in ("chapter", "sequential", "vertical"):
        for unused in sorted(set((folder / tag).glob("*.xml")) - seen):
            problems.append(f"{unused.relative_to(folder)}: not used by the course")
    for about in sorted((folder / "about").glob("*.html")):
        _check_static(folder, str(about.relative_to(folder)), about.read_text(encoding="utf-8"),
                      problems)
    return problems


def build(folder, dist):
    """Pack the course as ``dist/<org>-<course>-<run>.tar.gz``; raises CourseProblems first."""
    folder = Path(folder)
    problems = check(folder)
    if problems:
        raise CourseProblems(problems)
    top, _ = parse_xml_text((folder / "course.xml").read_bytes())
    name = "-".join(top.get(a) for a in ("org", "course", "url_name"))
    dist = Path(dist)
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                archive.add(path, arcname=f"{name}/{path.relative_to(folder)}", recursive=False)
    return target
