"""Read and write a scenario as OLX, safely and without loss.

``read`` never raises on bad content: it returns what it could build and a list of problems with
line numbers (see ``safe_xml`` for how text is parsed and ``reader`` for the elements). ``write``
gives back readable OLX that reads to an equal scenario.
"""
import copy

from lxml import etree

from .reader import (  # noqa: F401 - the OLX vocabulary, re-exported for the block and tools
    MAX_PROBLEMS,
    ROOT_TAGS,
    RUNTIME_ATTRIBUTES,
    SETTINGS,
    Parsed,
    Reader,
)
from .safe_xml import MAX_BYTES, parse_xml_text, safe_parser  # noqa: F401


def read(source):
    """Read a scenario from OLX text (str/bytes) or an lxml element."""
    if isinstance(source, (str, bytes)):
        root, problems = parse_xml_text(source)
        if root is None:
            return Parsed(None, {}, problems)
    else:
        # A copy, without the namespace declarations of the file it came from (an exported
        # course's root declares XBlock's): lxml would write them into every HTML fragment.
        root = copy.deepcopy(source)
        etree.cleanup_namespaces(root)
    return Reader().read(root)

# -- writing ---------------------------------------------------------------------------------

def _fragment(tag, html):
    """An element holding the XHTML fragment ``html`` (already checked when it was read)."""
    element = etree.fromstring(f"<{tag}>{html}</{tag}>".encode(), safe_parser())
    return element


def _attrs(element, **values):
    for name, value in values.items():
        if value not in (None, ""):
            element.set(name, str(value))
    return element


def format_setting(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_element(scenario, settings=None, tag="scenario", extra_attributes=None):
    """The scenario as an lxml element, indented for people, HTML left exactly as written."""
    root = etree.Element(tag)
    for name, value in (extra_attributes or {}).items():
        root.set(name, value)
    for name in SETTINGS:
        if settings and settings.get(name) is not None:
            root.set(name, format_setting(settings[name]))
    _attrs(root, start=scenario.start, outcomes=" ".join(scenario.outcomes),
           topics=" ".join(scenario.topics))
    if scenario.content_note:
        etree.SubElement(root, "content_note").text = scenario.content_note
    for dimension in scenario.dimensions:
        _attrs(etree.SubElement(root, "dimension"), id=dimension.id, label=dimension.label)
    for variable in scenario.variables:
        etree.SubElement(root, "variable", id=variable.id, initial=str(variable.initial),
                         min=str(variable.min), max=str(variable.max))
    for node in scenario.nodes:
        element = _attrs(etree.SubElement(root, "node"), id=node.id, title=node.title)
        element.append(_fragment("html", node.html))
        for choice in node.choices:
            element.append(_choice_element(choice))
    for ending in scenario.endings:
        element = _attrs(etree.SubElement(root, "ending"), id=ending.id, outcome=ending.outcome,
                         title=ending.title, requires=str(ending.requires))
        element.append(_fragment("html", ending.html))
    if scenario.debrief:
        etree.SubElement(root, "debrief").append(_fragment("html", scenario.debrief))
    for reflection in scenario.reflections:
        etree.SubElement(root, "reflection", id=reflection.id, prompt=reflection.prompt)
    _indent(root)
    return root


def _choice_element(choice):
    element = _attrs(etree.Element("choice"), id=choice.id, target=choice.target,
                     rating=choice.rating, points=str(choice.points),
                     requires=str(choice.requires))
    etree.SubElement(element, "text").text = choice.text
    if choice.consequence:
        element.append(_fragment("consequence", choice.consequence))
    for effect in choice.effects:
        _attrs(etree.SubElement(element, "effect"), variable=effect.variable,
               add=str(effect.add) if effect.add or effect.set is None else None,
               set=None if effect.set is None else str(effect.set))
    for score in choice.scores:
        etree.SubElement(element, "score", dimension=score.dimension, points=str(score.points))
    return element


_CONTAINERS = frozenset({"scenario", "cultural_safety_scenario", "node", "choice", "ending",
                         "debrief"})


def _indent(element, level=0):
    """Indent container elements only, so the HTML inside keeps its exact text."""
    if element.tag not in _CONTAINERS or not len(element):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        child.tail = pad
        _indent(child, level + 1)
    element[-1].tail = "\n" + "  " * level


def write(scenario, settings=None, tag="scenario"):
    """The scenario as OLX text."""
    return etree.tostring(to_element(scenario, settings, tag), encoding="unicode")
