"""The visual editor's answer (issue 14): moves made on the editor's text, then the same check as
the XML view's, each problem at its form and field.

Nothing is stored here: the editor sends its text and the moves, and gets back the new text,
what its list and open form show, and the problems. Its save is the XML view's (``studio_save``,
all or nothing), so both views edit one scenario.
"""
import hashlib

from .scenario import authoring, edits, forms, sanitize, spans
from .scenario.engine import Refusal
from .scenario.problems import N_

MAX_OPERATIONS = 64
LATER = "later"    # the map key of a request that does not want the map yet
MAX_PATH = 12
_MOVES = frozenset({"set", "content", "add", "duplicate", "delete", "move", "rename",
                    "template"})
_TEXTS = frozenset({"name", "value", "tag", "id"})


def _path(value):
    return (isinstance(value, list) and len(value) <= MAX_PATH and len(value) % 2 == 0
            and all(isinstance(tag, str) and len(tag) < 40 and type(index) is int and index >= 0
                    for tag, index in zip(value[::2], value[1::2], strict=True)))


def checked_operations(operations):
    """The moves as sent, or a 400 Refusal naming what is wrong with them."""
    if len(operations) > MAX_OPERATIONS:
        raise Refusal("bad-edit", N_("Send at most {limit} edits at once."), 400,
                      limit=MAX_OPERATIONS)
    for operation in operations:
        fine = isinstance(operation, dict) and operation.get("op") in _MOVES and all(
            (name == "op")
            or (name in ("at", "after", "link") and (_path(value) or value is None))
            or (name in _TEXTS and isinstance(value, str) and len(value) <= authoring.MAX_VALUE)
            or (name == "by" and value in (-1, 1))
            for name, value in operation.items())
        if not fine:
            raise Refusal("bad-edit", N_("An edit must name its move, the path of the part it"
                                         " changes and text values."), 400)
    return operations


def with_previews(shown):
    """A place's fields with what learners would see of its HTML (sanitised) beside them."""
    if shown is None:
        return None
    if "html" in shown:
        shown["html_preview"] = sanitize.clean(shown["html"])
    for choice in shown.get("choices", ()):
        choice["consequence_preview"] = sanitize.clean(choice["consequence"])
    return shown


def edited(block, text, operations, show, map_key):
    """The answer to the editor: its new text and everything it shows of it."""
    focus, sent = None, text
    if operations:
        try:
            text, focus = authoring.apply(text, checked_operations(operations))
        except authoring.Refused as refused:
            return 422, {"code": "edit-refused", "field": refused.field,
                         "message": block.gettext(refused.message).format(**refused.values)}
    if focus is not None:  # the form that holds what was edited or added
        focus = focus[:2] if focus[:1] in (["node"], ["ending"], ["debrief"]) else []
    answer = dict(changed(sent, text), focus=focus)
    answer.update(block.visual_check(text, focus if focus is not None else show, map_key))
    return answer


def map_key_of(drawn):
    """A name for a drawn map: the editor sends it back, and gets the map only if it changed."""
    return hashlib.sha1(str(drawn).encode("utf-8")).hexdigest()[:16]


def changed(sent, text):
    """What the editor needs to make the new text of the one it sent: ``splice`` [start, end,
    replacement] in the browser's offsets (UTF-16 code units, the same as Python's when the text
    has no character beyond the Basic Multilingual Plane), else the whole ``text``. At 500
    places the text is 450 KB; a keystroke's answer carries a few bytes of it."""
    if len(sent.encode("utf-16-le")) != 2 * len(sent) or len(text.encode("utf-16-le")) != 2 * len(text):
        return {"text": text}
    start = edits._common_prefix(sent, text)
    same_end = edits._common_suffix(sent, text, start)
    return {"splice": [start, len(sent) - same_end, text[start:len(text) - same_end]]}


def visual_check(block, text, show, map_key):
    """The check of ``text`` with the editor's outline, the fields of the part at ``show`` and
    each problem at its form and field; the map only when it differs from ``map_key``'s (and
    not at all for ``LATER``: drawing it is most of a check's time at 500 places)."""
    compiled, found = block.studio_problem_objects(text)
    try:
        root = spans.scan(text) if compiled.scenario is not None else None
    except ValueError:
        root = None
    problems = []
    for problem, shown in found:
        if root is not None:
            shown["form"], shown["field"] = forms.locate(root, problem)
        problems.append(shown)
    context = block._studio_context()
    checked = {"problems": problems, "count": len(problems),
               "summary": block._summary(len(problems)),
               "problems_html": block.problems_html(problems, {"_": block.gettext}),
               "places": block._places(compiled),
               "outline": forms.outline(text, root) if root is not None else None,
               "detail": with_previews(forms.detail(text, root, show, compiled.scenario))
               if root is not None
               else None}
    if map_key == LATER:  # a keystroke: the editor asks for the map once typing pauses
        return checked
    drawn = block.map_html(compiled, context)
    key = map_key_of(drawn)
    checked["map_key"] = key
    if key != map_key:
        checked["map_html"] = drawn
    return checked
