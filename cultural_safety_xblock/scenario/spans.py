"""Where each element of a scenario's text lies: the spans the visual editor splices (issue 14).

The editor changes a scenario by rewriting only the characters of what was edited (an attribute's
value, a choice's text, one element), so that everything else the author wrote by hand (comments,
attribute order, quotes, whitespace inside HTML) stays byte for byte. This module finds those
characters in a text the safe parser has already accepted as well-formed: one scan of its markup,
no second parser, no entity expanded.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass
from html import unescape

from .edits import _common_prefix, _common_suffix
from .memory import Memory

# Markup in a well-formed document: comments, CDATA, processing instructions, declarations and
# tags (whose quoted attribute values may hold '>'); text holds no '<'.
_MARKUP = re.compile(r"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>"""
                     r"""|<(/?)([^\s/>!?]+)((?:"[^"]*"|'[^']*'|[^'">])*)>""", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NEWLINE = re.compile("\n")

# Elements whose element children are the format's (a node's choices); inside any other element
# (a scene's HTML, a choice's text) the children are the author's markup, kept as text.
CONTAINERS = frozenset({"cultural_safety_scenario", "scenario", "node", "choice", "ending",
                        "debrief"})
LEAVES = frozenset({"html", "consequence", "text", "content_note"})  # never nest in themselves


@dataclass
class Attribute:
    value: str       # as the reader sees it: entities decoded
    start: int       # offsets of the raw value, between its quotes
    end: int
    quote: str
    name_start: int  # offset of the attribute's name


class Element:
    """A format element of the text: its tag, where its parts are, its attributes and children.
    Attributes and lines are worked out when first asked for (most elements are never asked)."""

    __slots__ = ("tag", "start", "open_end", "end", "inner_end", "children", "_body",
                 "_body_start", "_lines", "_attributes", "_attributes_end")

    def __init__(self, tag, start, open_end, body, body_start, lines):
        self.tag, self.start, self.open_end = tag, start, open_end
        self.end = self.inner_end = open_end      # an empty element's, until its end tag is met
        self.children = []                        # format elements only
        self._body, self._body_start, self._lines = body, body_start, lines
        self._attributes = None

    @property
    def attributes(self):
        """name -> Attribute, in the order written."""
        if self._attributes is None:
            found, self._attributes_end = {}, self._body_start
            for match in _ATTRIBUTE.finditer(self._body):
                quoted = 2 if match.group(2) is not None else 3
                raw = match.group(quoted)
                found[match.group(1)] = Attribute(
                    unescape(raw) if "&" in raw else raw, self._body_start + match.start(quoted),
                    self._body_start + match.end(quoted), '"' if quoted == 2 else "'",
                    self._body_start + match.start(1))
                self._attributes_end = self._body_start + match.end()
            self._attributes = found
        return self._attributes

    @property
    def attributes_end(self):
        """Just after the last attribute (or the tag's name): where a new one is written."""
        self.attributes  # noqa: B018 - worked out with them
        return self._attributes_end

    @property
    def line(self):
        """The line of its start tag's '<'."""
        return bisect_right(self._lines, self.start) + 1

    @property
    def end_line(self):
        return bisect_right(self._lines, self.end - 1) + 1

    def get(self, name, default=""):
        found = self.attributes.get(name)
        return found.value if found is not None else default

    def of(self, tag):
        return [child for child in self.children if child.tag == tag]

    def inner(self, text):
        return text[self.open_end:self.inner_end]


_scanned = Memory(8)   # texts scanned lately: an edit's text is the last answer's
_latest = None         # (text, root) of the last scan asked for: the text the next one edits


def scan(text):
    """The root Element of a well-formed ``text``, with its format elements beneath it. What is
    returned is shared (kept for the next edit of the same text): read it, never change it.

    When ``text`` is an edit of the last text scanned inside one element child of the root (a
    keystroke in a form), only that element is scanned again: the elements before it are the
    last text's, those after it are the last text's moved by the difference in length."""
    global _latest
    found = _scanned.get(text)
    if found is None:
        last = _latest
        found = rescan(last[0], last[1], text) if last is not None else None
        found = _scanned.keep(text, found if found is not None else _scan(text))
    _latest = (text, found)
    return found


def rescan(old, root, text):
    """The root Element of ``text`` from ``root``, that of ``old``, when ``text`` differs from
    ``old`` inside one element child of the root (its start tag's '<' and its end tag kept);
    None when it does not (a whole scan is then needed)."""
    same = _common_prefix(old, text)
    after = _common_suffix(old, text, same)
    old_end, shift = len(old) - after, len(text) - len(old)
    children = root.children
    index = bisect_right([child.start for child in children], same - 1) - 1
    if index < 0:
        return None
    child = children[index]
    if not (child.start < same and old_end <= child.end):
        return None  # the change reaches outside the child: not a rescan of one element
    lines = _moved_lines(root._lines, text, same, old_end, shift)
    root_copy = _moved(root, 0, lines, children=[])
    root_copy._attributes, root_copy._attributes_end = root.attributes, root.attributes_end
    stack, position = [root_copy], child.start
    try:
        position, _ = _walk(text, position, stack, None, lines, stop=1)
    except (IndexError, ValueError):
        return None
    fresh = root_copy.children
    if (len(stack) != 1 or position != child.end + shift or len(fresh) != 1
            or fresh[0].start != child.start or fresh[0].end != position):
        return None
    root_copy.end, root_copy.inner_end = root.end + shift, root.inner_end + shift
    root_copy.children = [*children[:index], fresh[0],
                          *(_moved(later, shift, lines) for later in children[index + 1:])]
    return root_copy


def _moved_lines(lines, text, same, old_end, shift):
    """The line starts of ``text``: those before the change kept, those in it found, those after
    it moved."""
    first, last = bisect_right(lines, same - 1), bisect_right(lines, old_end - 1)
    found = [match.start() for match in _NEWLINE.finditer(text, same, old_end + shift)]
    return [*lines[:first], *found, *(line + shift for line in lines[last:])]


def _moved(element, shift, lines, children=None):
    """A copy of ``element`` (and, unless ``children`` is given, its children) ``shift``
    characters on."""
    moved = Element.__new__(Element)
    moved.tag, moved.start, moved.open_end = element.tag, element.start + shift, element.open_end + shift
    moved.end, moved.inner_end = element.end + shift, element.inner_end + shift
    moved._body, moved._body_start, moved._lines = element._body, element._body_start + shift, lines
    moved._attributes = None if element._attributes is None else {
        name: Attribute(found.value, found.start + shift, found.end + shift, found.quote,
                        found.name_start + shift)
        for name, found in element._attributes.items()}
    if moved._attributes is not None:
        moved._attributes_end = element._attributes_end + shift
    moved.children = children if children is not None else [
        _moved(child, shift, lines) for child in element.children]
    return moved


def _scan(text):
    lines = [found.start() for found in _NEWLINE.finditer(text)]
    stack = []
    _position, root = _walk(text, 0, stack, None, lines)
    if root is None or stack:
        raise ValueError("the text is not a well-formed element")
    return root


def _walk(text, position, stack, root, lines, stop=None):
    """Scan ``text`` from ``position`` with the open elements ``stack`` (None for the author's
    markup); until the end, or until an end tag leaves ``stop`` elements open. Gives the
    position reached and the root."""
    while True:
        markup = _MARKUP.search(text, position)
        if markup is None:
            break
        position = markup.end()
        name = markup.group(2)
        if name is None:
            continue  # a comment, CDATA, a processing instruction or a declaration
        if markup.group(1):  # an end tag
            element = stack.pop()
            if element is not None:
                element.inner_end, element.end = markup.start(), markup.end()
            if len(stack) == stop:
                break
            continue
        body = markup.group(3)
        parent = stack[-1] if stack else None
        if parent is not None and parent.tag in CONTAINERS:
            element = Element(name, markup.start(), markup.end(), body, markup.start(3), lines)
            parent.children.append(element)
        elif root is None and not stack:
            element = root = Element(name, markup.start(), markup.end(), body, markup.start(3),
                                     lines)
        else:
            element = None  # the author's markup inside a scene, a choice's text...
        if body.endswith("/"):
            if len(stack) == stop:
                break
            continue
        if element is not None and name in LEAVES:
            # a scene's or a choice's text: straight to its end tag, when nothing between
            # could hide one (its own kind never nests; a comment or CDATA might)
            close = text.find(f"</{name}", position)
            between = text[position:close]
            if (close >= 0 and text.startswith(f"</{name}>", close) and "<!" not in between
                    and "<?" not in between):
                element.inner_end, element.end = close, close + len(name) + 3
                position = element.end
                if len(stack) == stop:
                    break
                continue
        stack.append(element)
    return position, root


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
