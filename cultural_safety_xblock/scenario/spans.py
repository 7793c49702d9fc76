"""Where each element of a scenario's text lies: the spans the visual editor splices (issue 14).

The editor changes a scenario by rewriting only the characters of what was edited (an attribute's
value, a choice's text, one element), so that everything else the author wrote by hand (comments,
attribute order, quotes, whitespace inside HTML) stays byte for byte. This module finds those
characters in a text the safe parser has already accepted as well-formed: one scan of its markup,
no second parser, no entity expanded.
"""
import re
from dataclasses import dataclass, field
from html import unescape

# Markup in a well-formed document: comments, CDATA, processing instructions, declarations and
# tags (whose quoted attribute values may hold '>'); text holds no '<'.
_MARKUP = re.compile(r"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>"""
                     r"""|<(/?)([^\s/>!?]+)((?:"[^"]*"|'[^']*'|[^'">])*)>""", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")

# Elements whose element children are the format's (a node's choices); inside any other element
# (a scene's HTML, a choice's text) the children are the author's markup, kept as text.
CONTAINERS = frozenset({"cultural_safety_scenario", "scenario", "node", "choice", "ending",
                        "debrief"})


@dataclass
class Attribute:
    value: str       # as the reader sees it: entities decoded
    start: int       # offsets of the raw value, between its quotes
    end: int
    quote: str
    name_start: int  # offset of the attribute's name


@dataclass
class Element:
    tag: str
    start: int                  # offset of its '<'
    open_end: int               # offset just after its start tag
    end: int = 0                # offset just after its end tag (its start tag when empty)
    inner_end: int = 0          # offset of its end tag's '<' (``open_end`` when empty)
    line: int = 1               # of its start tag's '<'
    end_line: int = 1
    attributes: dict = field(default_factory=dict)   # name -> Attribute, in the order written
    attributes_end: int = 0     # just after the last attribute (or the tag's name)
    children: list = field(default_factory=list)     # format elements only

    def get(self, name, default=""):
        found = self.attributes.get(name)
        return found.value if found is not None else default

    def of(self, tag):
        return [child for child in self.children if child.tag == tag]

    def inner(self, text):
        return text[self.open_end:self.inner_end]

    @property
    def empty(self):
        return self.inner_end == self.open_end and self.end == self.open_end


def scan(text):
    """The root Element of a well-formed ``text``, with its format elements beneath it."""
    stack, root, line, counted = [], None, 1, 0
    for markup in _MARKUP.finditer(text):
        name = markup.group(2)
        if name is None:
            continue  # a comment, CDATA, a processing instruction or a declaration
        line += text.count("\n", counted, markup.start())
        counted = markup.start()
        if markup.group(1):  # an end tag
            element = stack.pop()
            element.inner_end, element.end = markup.start(), markup.end()
            element.end_line = line + text.count("\n", markup.start(), markup.end())
            continue
        element = Element(name, markup.start(), markup.end(), line=line)
        _attributes(element, markup)
        empty = markup.group(3).endswith("/")
        if stack and stack[-1].tag in CONTAINERS:
            stack[-1].children.append(element)
        elif root is None:
            root = element
        if empty:
            element.inner_end = element.end = markup.end()
            element.end_line = line + text.count("\n", markup.start(), markup.end())
        else:
            stack.append(element)
    if root is None or stack:
        raise ValueError("the text is not a well-formed element")
    return root


def _attributes(element, markup):
    body_start = markup.start(3)
    element.attributes_end = body_start
    for found in _ATTRIBUTE.finditer(markup.group(3)):
        quoted = 2 if found.group(2) is not None else 3
        raw = found.group(quoted)
        element.attributes[found.group(1)] = Attribute(
            unescape(raw), body_start + found.start(quoted), body_start + found.end(quoted),
            '"' if quoted == 2 else "'", body_start + found.start(1))
        element.attributes_end = body_start + found.end()


def find(root, path):
    """The element at ``path`` (["node", 2, "choice", 0]: the first choice of the third node),
    or None."""
    element = root
    for tag, index in zip(path[::2], path[1::2], strict=True):
        same = element.of(tag) if isinstance(index, int) and index >= 0 else []
        if index >= len(same):
            return None
        element = same[index]
    return element


def path_of(root, wanted):
    """The path of element ``wanted`` under ``root`` ([] for the root), or None."""
    def walk(element, path):
        if element is wanted:
            return path
        counts = {}
        for child in element.children:
            index = counts[child.tag] = counts.get(child.tag, -1) + 1
            found = walk(child, [*path, child.tag, index])
            if found is not None:
                return found
        return None
    return walk(root, [])


def walk(root, path=()):
    """(path, element) for the root and every format element beneath it, in text order."""
    yield list(path), root
    counts = {}
    for child in root.children:
        index = counts[child.tag] = counts.get(child.tag, -1) + 1
        yield from walk(child, (*path, child.tag, index))
