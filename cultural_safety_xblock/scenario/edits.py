"""An edited text read in part: when it differs from a text read lately only inside one element of
the root (a node, an ending, the debrief...), only that element is parsed and read again.

Between two checks or saves an author changes a few words, and reading the whole text again
(parsing every element, finding every part again) would be most of a save's work. The new text
passes the same refusals as any text (size, encoding, declarations); the changed element is
parsed alone by the same safe parser, at its own lines, and must come out as one element of the
same kind with no problem of its own. Anything else (a text with problems, an edit that crosses
an element's edges or adds lines) is read whole, so the result is always what reading the whole
text gives; tests compare the two on hundreds of random edits.
"""
import re
import threading
from dataclasses import dataclass, replace

from lxml import etree

from .reader import CHILDREN, Parsed, Reader
from .safe_xml import MAX_DEPTH, checked_bytes, parse_xml_text, safe_parser

# Anything but text deeper than the limit, counted from a part (a child of the root).
_TOO_DEEP = etree.XPath("/".join(["*"] * (MAX_DEPTH - 2) + ["node()[not(self::text())]"]))
# Markup in a well-formed document without a DTD: comments, CDATA, processing instructions and
# tags (whose quoted attribute values may hold '>'); text holds no '<'.
_MARKUP = re.compile(r"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"""
                     r"""|<(/?)([^\s/>!?]+)(?:"[^"]*"|'[^']*'|[^'">])*>""", re.S)


@dataclass
class Read:
    """A text, what it read to, and where its root's elements are, for reading its next edit."""

    text: str
    parsed: Parsed
    tops: tuple                 # (tag, line) of each element child of the root, in order
    spans: tuple | None = None  # (start, end) offsets of each in ``text``, found when needed
    scanned: bool = False


RECENT = 16        # texts kept to read edits of: a Studio process serves several authors
MAX_EDIT = 4_096   # characters a text may gain or lose and still be taken for an edit
_recent = []       # the texts read last, newest first
_lock = threading.Lock()


def read(text):
    """What ``olx.read(text)`` gives for a text (str), reading it in part when it is an edit of
    a text read lately in this process."""
    last, edit = _edit_of_recent(text)
    done = _in_part(last, text, *edit) if edit is not None else None
    if done is None:
        root, problems = parse_xml_text(text)
        if root is None:
            return Parsed(None, {}, problems)
        tops = tuple((child.tag, child.sourceline) for child in root if isinstance(child.tag, str))
        spans = _moved(last, text, tops, edit[0], edit[3]) if edit is not None else None
        done = Read(text, Reader().read(root), tops, spans, spans is not None)
    with _lock:
        _recent[:] = [done] + [kept for kept in _recent if kept is not last][:RECENT - 1]
    return done.parsed


def forget():
    with _lock:
        _recent.clear()


def _edit_of_recent(text):
    """(a text read lately, the edit that makes ``text`` of it), the newest first; or (None,
    None). Texts far from it in length or with another beginning are passed over unexamined."""
    candidates = [kept for kept in tuple(_recent)
                  if abs(len(kept.text) - len(text)) <= MAX_EDIT and kept.text[:80] == text[:80]]
    if candidates and not checked_bytes(text)[1]:   # a refused text is read whole, and refused
        for kept in candidates:
            edit = _edit(kept, text)
            if edit is not None:
                return kept, edit
    return None, None


def _edit(last, text):
    """(index, start, end, shift): the element child of the root in ``last.text`` that holds
    every change ``text`` makes, its offsets there and the change in length; or None."""
    old = last.text
    if old == text or not last.tops:
        return None
    start_same = _common_prefix(old, text)
    end_same = _common_suffix(old, text, start_same)
    if len(old) - end_same - start_same > MAX_EDIT:
        return None  # another text, or a rewrite: read it whole
    # lines first: a change running from one element's lines into another's needs no scan
    first = old.count("\n", 0, start_same) + 1
    after = first + old.count("\n", start_same, len(old) - end_same)
    if any(first < line < after for _tag, line in last.tops):
        return None
    spans = _spans(last)
    index = _enclosing(spans, start_same, len(old) - end_same) if spans else None
    if index is None:
        return None
    return index, spans[index][0], spans[index][1], len(text) - len(old)


def _in_part(last, text, index, start, end, shift):
    """The Read of ``text`` made from ``last`` by reading again the one part that changed, or
    None when the whole text must be read."""
    tag = last.tops[index][0]
    if last.parsed.problems or last.parsed.scenario is None or tag not in CHILDREN:
        return None
    old = last.text
    source = text[start:end + shift]
    if source.count("\n") != old.count("\n", start, end):
        return None  # the parts after it would move to other lines
    element = _parse_alone(source, old.count("\n", 0, start))
    if element is None or element.tag != tag or _TOO_DEEP(element):
        return None
    reader = Reader()
    field, value = reader.read_child(element)
    if reader.problems or reader.unreported:
        return None
    kept = getattr(last.parsed.scenario, field)
    if isinstance(kept, tuple):  # one of several: put it in its place
        position = sum(1 for other, _line in last.tops[:index] if other == tag)
        value = kept[:position] + (value,) + kept[position + 1:]
    scenario = replace(last.parsed.scenario, **{field: value})
    tops = last.tops[:index] + ((tag, element.sourceline),) + last.tops[index + 1:]
    return Read(text, Parsed(scenario, dict(last.parsed.settings), []), tops,
                _shifted(last.spans, index, shift), True)


def _moved(last, text, tops, index, shift):
    """The spans of a text read whole after an edit inside one element, if the parser agrees."""
    spans = _shifted(last.spans, index, shift)
    return spans if _agree(text, spans, tops) else None


def _shifted(spans, index, shift):
    return spans[:index] + ((spans[index][0], spans[index][1] + shift),) + tuple(
        (first + shift, after + shift) for first, after in spans[index + 1:])


def _parse_alone(source, lines_before):
    """The one element ``source`` holds, parsed at its lines in the document, or None."""
    data, refused = checked_bytes("\n" * lines_before + source)
    if refused:
        return None
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None


def _spans(last):
    """(start, end) of each element child of the root in ``last.text``, found once by a scan
    checked against what the parser saw (tags and lines), or None if they disagree."""
    if not last.scanned:
        last.spans, last.scanned = _scan(last.text, last.tops), True
    return last.spans


def _scan(text, tops):
    spans, depth, start = [], 0, None
    for markup in _MARKUP.finditer(text):
        token = markup.group(0)
        if token.startswith(("<!", "<?")):
            continue
        closing, empty = markup.group(1) == "/", token.endswith("/>")
        if closing:
            depth -= 1
            if depth == 1:
                spans.append((start, markup.end()))
        elif empty:
            if depth == 1:
                spans.append((markup.start(), markup.end()))
        else:
            if depth == 1:
                start = markup.start()
            depth += 1
    return tuple(spans) if _agree(text, spans, tops) else None


def _agree(text, spans, tops):
    """Whether each span starts with the start tag of the element the parser saw there (its tag,
    and its line: where the start tag ends)."""
    if len(spans) != len(tops):
        return False
    line, counted = 1, 0
    for (first, _after), (tag, seen) in zip(spans, tops, strict=True):
        opening = _MARKUP.match(text, first)
        if opening is None or opening.group(2) != tag or opening.group(1):
            return False
        line += text.count("\n", counted, opening.end())
        counted = opening.end()
        if line != seen:
            return False
    return True


def _enclosing(spans, first_changed, after_changed):
    """The index of the span holding the whole changed stretch, or None."""
    for index, (start, end) in enumerate(spans):
        if start <= first_changed and after_changed <= end:
            return index
    return None


def _common_prefix(one, other):
    same, most = 0, min(len(one), len(other))
    while same < most:
        middle = (same + most + 1) // 2
        if one[same:middle] == other[same:middle]:
            same = middle
        else:
            most = middle - 1
    return same


def _common_suffix(one, other, prefix):
    """The length of the longest common end of both texts that does not reach into ``prefix``."""
    same, most = 0, min(len(one), len(other)) - prefix
    while same < most:
        middle = (same + most + 1) // 2
        if one[len(one) - middle:len(one) - same] == other[len(other) - middle:len(other) - same]:
            same = middle
        else:
            most = middle - 1
    return same
