"""Parts of a scenario already read, found again by their exact source.

An author saves or checks a scenario after changing a few words, so most of its nodes and
endings are the same as in the last text read. Each is remembered with the problems its reading
found, keyed by its serialisation and the line of every element in it (lines are in the model
and in every problem), so a part is read again only when something in it changed. What is
remembered is immutable; memory is bounded by the total size of the remembered sources.
"""
import threading
from operator import attrgetter

from lxml import etree

MAX_PART = 64 * 1024          # bytes of source: larger parts are read every time
MAX_REMEMBERED = 8 * 1024 * 1024

_parts = {}
_size = 0
_lock = threading.Lock()
_line = attrgetter("sourceline")


def key_of(element):
    """What reading ``element`` depends on: its source and the line of every element in it.

    The serialisation keeps the newlines of text but not those inside tags. So when the lines
    from this element to the next match the newlines written out (tail included), none were
    inside tags and the first line fixes all the others; otherwise every line is listed.
    """
    source = etree.tostring(element, encoding="unicode")
    first, following = element.sourceline, element.getnext()
    if (following is not None and first is not None and following.sourceline is not None
            and following.sourceline - first == source.count("\n")):
        return source, first
    return source, tuple(map(_line, element.iter()))


def recall(key):
    """(part, problems, unreported) remembered for ``key``, or None."""
    return _parts.get(key)


def remember(key, found):
    global _size
    source = len(key[0])
    if source > MAX_PART:
        return
    with _lock:
        if key in _parts:
            return
        _parts[key] = found
        _size += source
        while _size > MAX_REMEMBERED:
            oldest = next(iter(_parts))
            _size -= len(oldest[0])
            del _parts[oldest]


def remembered_size():
    return _size


def forget():
    """Empty the memory (tests and benchmarks measuring a first reading)."""
    global _size
    with _lock:
        _parts.clear()
        _size = 0
