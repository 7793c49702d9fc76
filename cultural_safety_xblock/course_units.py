"""The course's units in course order, read from the OLX folder, for the workbench and tools.

Only the local tools use this: Open edX reads the course itself.
"""
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .demo import DEMO_SCENARIO
from .scenario.olx import parse_xml_text

SCENARIO_TAG = "cultural_safety_scenario"


def course_dir():
    """The course folder: $CULTURAL_SAFETY_COURSE; else the course an installed package ships
    (cultural_safety_xblock/course/, put there by setup.py); else course/ of the source checkout."""
    given = os.environ.get("CULTURAL_SAFETY_COURSE")
    if given:
        return Path(given)
    package = Path(__file__).resolve().parent
    shipped = package / "course"
    return shipped if (shipped / "course.xml").is_file() else package.parent / "course"


@dataclass(frozen=True)
class Unit:
    number: str          # "1.2": chapter and position, for ordering and titles
    name: str            # the vertical's url_name
    title: str
    children: tuple      # lxml elements: html components resolved, scenarios inline


def _read(path):
    root, problems = parse_xml_text(path.read_bytes())
    if root is None:
        raise ValueError(f"{path}: {problems[0]}")
    return root


def _pointer(folder, tag, element):
    """Follow an OLX pointer tag (<chapter url_name="x"/>) to its file, if it is one."""
    name = element.get("url_name")
    path = folder / tag / f"{name}.xml"
    if len(element) == 0 and name and path.exists():
        return _read(path)
    return element


def _resolve_html(folder, element):
    element = _pointer(folder, "html", element)
    filename = element.get("filename")
    if filename:
        path = folder / "html" / f"{filename}.html"
        html = (path.read_text(encoding="utf-8") if path.exists()
                else f"<p>Missing file: html/{filename}.html</p>")
        resolved = etree.Element("html", display_name=element.get("display_name", ""))
        resolved.text = html
        return resolved
    return element


def units(folder=None):
    """Every vertical of the course in order."""
    folder = Path(folder or course_dir())
    top = _read(folder / "course.xml")
    course = _pointer(folder, "course", top)
    found = []
    for chapter_number, chapter in enumerate(course.iter("chapter"), start=1):
        chapter = _pointer(folder, "chapter", chapter)
        position = 0
        for sequential in chapter.iter("sequential"):
            sequential = _pointer(folder, "sequential", sequential)
            for vertical in sequential.iter("vertical"):
                name = vertical.get("url_name", "")
                vertical = _pointer(folder, "vertical", vertical)
                position += 1
                children = []
                for child in vertical:
                    if child.tag == "html":
                        children.append(_resolve_html(folder, child))
                    elif isinstance(child.tag, str):
                        children.append(child)
                found.append(Unit(f"{chapter_number}.{position}", name,
                                  vertical.get("display_name", name), tuple(children)))
    return found


# Where the workbench serves the course's static/ folder (workbench_urls.py). In Open edX the
# LMS rewrites an html component's "/static/NAME" to the course's asset; here it becomes this.
WORKBENCH_STATIC = "/course_static/"
_STATIC_LINK = re.compile(r"""((?:src|href)\s*=\s*["'])/static/""")


def _workbench_child(element):
    if element.tag == "html":
        # the sdk's html_demo substitutes $NAMES: escape dollars in the text
        text = _STATIC_LINK.sub(r"\1" + WORKBENCH_STATIC, element.text or "")
        return "<html_demo>" + text.replace("$", "$$") + "</html_demo>"
    return etree.tostring(element, encoding="unicode", with_tail=False)


def workbench_scenarios(folder=None):
    """(title, xml) per unit, for xblock-sdk; the demo scenario when there is no course."""
    try:
        found = units(folder)
    except (OSError, ValueError):
        found = []
    if not found:
        demo = DEMO_SCENARIO.replace("<scenario", f"<{SCENARIO_TAG}", 1)
        demo = demo.replace("</scenario>", f"</{SCENARIO_TAG}>")
        return [("Demo: a first video session", f"<vertical_demo>{demo}</vertical_demo>")]
    return [
        (f"{unit.number} {unit.title}",
         "<vertical_demo>" + "".join(_workbench_child(c) for c in unit.children) + "</vertical_demo>")
        for unit in found
    ]
