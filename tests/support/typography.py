"""Target 7 of the course check: the typography of a scenario's texts and of course pages.

Spoken words and quoted phrases in HTML go in <q>...</q>, never between quote marks; plain text
(option text, titles, prompts, the content note) uses curly quotes; apostrophes are straight;
a dash is a spaced en dash. Each function gives (where, what, fix) triples.
"""
import re

from lxml import etree

from cultural_safety_xblock.scenario.olx import safe_parser

DASH_FIX = "write a dash as a spaced en dash ' – ' (a range such as 2010–2015 excepted)"
_DASHES = [
    (re.compile("—|--"), "an em dash or '--'", DASH_FIX),
    (re.compile(r"(?:^|(?<=\s))-(?=\s|$)"), "a spaced hyphen ' - '", DASH_FIX),
    # an en dash is spaced on both sides, or joins two numbers
    (re.compile(r"(?<![\s\d])–|–(?![\s\d])|(?<=\s)–(?=\d)|(?<=\d)–(?=\s)"),
     "an en dash not spaced on both sides", DASH_FIX),
]
_SINGLE = (re.compile(r"[‘’]"), "a curly single quote or apostrophe",
           "use the straight apostrophe '")
_QUOTED_SINGLE = re.compile(r"(?:^|(?<=[\s(\[]))'(?=\w)")
PLAIN_RULES = [
    (re.compile('"'), "a straight double quote", "use curly quotes “...” in plain text"),
    _SINGLE,
    (_QUOTED_SINGLE, "a single quote used as a quotation mark", "use curly quotes “...”"),
    *_DASHES,
]
HTML_RULES = [
    (re.compile('["“”«»]'), "a literal quote character",
     "put spoken words and quoted phrases in <q>...</q>, without quote marks"),
    _SINGLE,
    (_QUOTED_SINGLE, "a single quote used as a quotation mark", "use <q>...</q>"),
    *_DASHES,
]
_PAUSE = re.compile(r"\byou can pause\b", re.IGNORECASE)


def _excerpt(text, match):
    start, end = max(match.start() - 25, 0), min(match.end() + 25, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _broken_rules(texts, rules):
    """(what, fix) per rule some text breaks, with the first place it does."""
    found = []
    for pattern, what, fix in rules:
        for text in texts:
            match = pattern.search(text)
            if match:
                found.append((f"{what}: “{_excerpt(text, match)}”", fix))
                break
    return found


def _plain_problems(text):
    """(what, fix) for plain text (option text, titles, prompts, the content note)."""
    found = _broken_rules([text], PLAIN_RULES)
    if text.count("“") != text.count("”"):
        found.append(("unbalanced curly quotes", "close each “ with ”"))
    return found


def _html_texts(html):
    """The text pieces of an XHTML fragment (text and tails), spaces tidied."""
    root = etree.fromstring(f"<div>{html}</div>".encode(), safe_parser())
    for element in root.iter():
        for text in (element.text, None if element is root else element.tail):
            if text and text.strip():
                yield (" " if text[0].isspace() else "") + " ".join(text.split()) + (
                    " " if text[-1].isspace() else "")


def _html_problems(html):
    return _broken_rules(list(_html_texts(html)), HTML_RULES)


def problems(scenario):
    """(where, what, fix) over every text of the scenario."""
    parts = []   # (where, kind, text)
    if scenario.content_note:
        parts.append(("content note", "plain", scenario.content_note))
    for item in (*scenario.dimensions,):
        parts.append((f"dimension '{item.id}' label", "plain", item.label))
    for node in scenario.nodes:
        parts += [(f"node '{node.id}' title", "plain", node.title),
                  (f"node '{node.id}' scene", "html", node.html)]
        for choice in node.choices:
            at = f"choice '{choice.id}' in node '{node.id}'"
            parts += [(f"{at} option text", "plain", choice.text),
                      (f"{at} consequence", "html", choice.consequence)]
    for ending in scenario.endings:
        parts += [(f"ending '{ending.id}' title", "plain", ending.title),
                  (f"ending '{ending.id}'", "html", ending.html)]
    parts.append(("debrief", "html", scenario.debrief))
    parts += [(f"reflection '{r.id}'", "plain", r.prompt) for r in scenario.reflections]
    found = []
    for where, kind, text in parts:
        if text:
            problems = _plain_problems(text) if kind == "plain" else _html_problems(text)
            found += [(where, what, fix) for what, fix in problems]
    if _PAUSE.search(scenario.content_note):
        found.append(("content note", "it says 'You can pause...'",
                      "remove that sentence: the block adds it itself"))
    return found


def page_problems(html, where):
    """(where, what, fix) on a course HTML page (framing, debrief, welcome)."""
    return [(where, what, fix) for what, fix in _html_problems(html)]
