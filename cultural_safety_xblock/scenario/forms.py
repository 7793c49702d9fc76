"""What the visual editor's forms show (issue 14): read from the text's spans, not from the
scenario model, so a form shows exactly what is written (a misspelt rating included) and each
problem can be put at the field it belongs to.

``outline`` lists every place and declaration (the editor's list and the choices' targets);
``detail`` holds one place's (or the scenario's) every field; ``locate`` finds a problem's form
and field. Paths name elements by tag and position (``["node", 2, "choice", 0]``), so duplicate
or empty ids, which the checks report, still name one element each.
"""
from html import unescape

from . import spans

# The field a problem of each code belongs to, when its arguments do not name one.
_FIELDS = {"unknown-target": "target", "bad-condition": "requires",
           "impossible-condition": "requires", "unknown-dimension": "dimension",
           "bad-id": "id", "duplicate-id": "id", "unknown-start": "start",
           "content-note-missing": "content_note", "no-choices": "choices", "too-many": "choices"}
_BY_LINE_ONLY = ("a node", "a choice in node", "an ending", "a dimension", "a variable",
                 "a reflection")
_CONTENT = ("html", "text", "consequence")


def _text(element, text):
    return unescape(element.inner(text)) if element is not None else ""


def _first(element, tag):
    found = element.of(tag)
    return found[0] if found else None


def _html(element, text):
    found = _first(element, "html")
    return found.inner(text) if found is not None else ""


def outline(text, root):
    """Every place, variable, dimension and reflection, briefly, with its path."""
    places = []
    for kind in ("node", "ending"):
        for index, place in enumerate(root.of(kind)):
            places.append({"at": [kind, index], "kind": kind, "id": place.get("id"),
                           "title": place.get("title"), "outcome": place.get("outcome"),
                           "choices": len(place.of("choice")), "line": place.line})
    places.sort(key=lambda place: place["line"])
    return {
        "places": places,
        "variables": [{"at": ["variable", i], "id": v.get("id"), "initial": v.get("initial"),
                       "min": v.get("min"), "max": v.get("max")}
                      for i, v in enumerate(root.of("variable"))],
        "dimensions": [{"at": ["dimension", i], "id": d.get("id"), "label": d.get("label")}
                       for i, d in enumerate(root.of("dimension"))],
        "reflections": [{"at": ["reflection", i], "id": r.get("id"), "prompt": r.get("prompt")}
                        for i, r in enumerate(root.of("reflection"))],
        "start": root.get("start"), "has_debrief": bool(root.of("debrief")),
    }


def detail(text, root, at, scenario=None):
    """Every field of the place at ``at`` (or of the scenario itself for ``[]``, of the
    debrief for ``["debrief", 0]``), or None when nothing is there. ``scenario``, the text's
    model when it was read, finds the choices leading there faster than the spans."""
    element = spans.find(root, at) if at is not None else None
    if element is None and at == ["debrief", 0]:  # written on its first edit
        return {"at": at, "kind": "debrief", "html": ""}
    if element is None:
        return None
    if element is root:
        note = _first(root, "content_note")
        return {"at": [], "kind": "scenario", "start": root.get("start"),
                "outcomes": root.get("outcomes"), "topics": root.get("topics"),
                "content_note": _text(note, text)}
    if element.tag == "debrief":
        return {"at": at, "kind": "debrief", "html": _html(element, text)}
    if element.tag not in ("node", "ending"):
        return None
    shown = {"at": at, "kind": element.tag, "id": element.get("id"),
             "title": element.get("title"), "html": _html(element, text),
             "pointing": _pointing(root, element.get("id").strip(), scenario),
             "start": element.get("id").strip() == (root.get("start").strip() or _first_node(root))}
    if element.tag == "ending":
        shown["outcome"] = element.get("outcome")
        if "requires" in element.attributes:
            shown["requires"] = element.get("requires")
        return shown
    shown["choices"] = [_choice(text, choice, [*at, "choice", index])
                        for index, choice in enumerate(element.of("choice"))]
    return shown


def _first_node(root):
    nodes = root.of("node")
    return nodes[0].get("id").strip() if nodes else ""


def _choice(text, choice, at):
    return {"at": at, "id": choice.get("id"), "target": choice.get("target"),
            "rating": choice.get("rating"), "points": choice.get("points"),
            "requires": choice.get("requires"), "text": _text(_first(choice, "text"), text),
            "consequence": _first(choice, "consequence").inner(text)
            if choice.of("consequence") else "",
            "effects": [{"at": [*at, "effect", i], "variable": e.get("variable"),
                         "add": e.get("add"), "set": e.get("set")}
                        for i, e in enumerate(choice.of("effect"))],
            "scores": [{"at": [*at, "score", i], "dimension": s.get("dimension"),
                        "points": s.get("points")} for i, s in enumerate(choice.of("score"))]}


def _pointing(root, place_id, scenario=None):
    """Where the choices that lead to ``place_id`` are: what a deletion would leave dangling."""
    found = []
    if scenario is not None and len(scenario.nodes) == len(root.of("node")):
        # the model lists nodes and choices in the order written, as the spans do
        for node_index, node in enumerate(scenario.nodes):
            for index, choice in enumerate(node.choices):
                if place_id and choice.target == place_id:
                    found.append({"at": ["node", node_index, "choice", index],
                                  "node": node.id, "choice": choice.id})
        return found
    for node_index, node in enumerate(root.of("node")):
        for index, choice in enumerate(node.of("choice")):
            if place_id and choice.get("target").strip() == place_id:
                found.append({"at": ["node", node_index, "choice", index],
                              "node": node.get("id"), "choice": choice.get("id")})
    return found


def locate(root, problem):
    """(path of the form, key of the field) a Problem belongs to, found by its where and
    arguments, then its line. The key is the path below the form and the field's name
    (``choice.1.effect.0.variable``); "" for the form as a whole. The scenario's own form ([])
    takes what no place holds."""
    args = dict(problem.args)
    candidates = list(spans.walk(root))
    path, element = _owner(candidates, root, problem, args)
    named = _named_child(path, element, problem.code, args)
    if named is not None:
        path, element = named
    elif problem.line != element.line or problem.code in _CONTENT_CODES:
        path, element = _inner_at(candidates, path, problem.line) or (path, element)
    field = _field(problem, args, element)
    if element.tag in _CONTENT:
        field, path = element.tag, path[:-2]
    form = path[:2] if path[:1] in (["node"], ["ending"], ["debrief"]) else []
    below = [str(part) for part in path[len(form):]]
    return form, ".".join([*below, field] if field else below)


def _owner(candidates, root, problem, args):
    """(path, element) the problem's where names; the one on its line when ids repeat."""
    where = problem.where
    if where.startswith(("choice '", "a choice in node")):
        nodes = {tuple(p): e.get("id").strip() for p, e in candidates if e.tag == "node"}
        wanted = [(p, e) for p, e in candidates if e.tag == "choice"
                  and nodes.get(tuple(p[:2])) == args.get("node")
                  and (where.startswith("a ") or e.get("id").strip() == args.get("choice"))]
    elif where.startswith(("node '", "ending '", "variable '", "dimension '", "reflection '")):
        tag = where.split(" ", 1)[0]
        name = args.get("id", args.get(tag))
        wanted = [(p, e) for p, e in candidates if e.tag == tag and e.get("id").strip() == name]
    elif where.startswith(_BY_LINE_ONLY):
        tag = where.split(" ")[1]
        wanted = [(p, e) for p, e in candidates if e.tag == tag]
    elif where == "debrief" or str(args.get("part")) == "debrief":
        wanted = [(p, e) for p, e in candidates if e.tag == "debrief"]
    else:
        wanted = []
    if len(wanted) > 1 and problem.line:
        wanted = [(p, e) for p, e in wanted if e.line <= problem.line <= e.end_line] or wanted
    return wanted[0] if wanted else ([], root)


_CONTENT_CODES = ("empty-text", "unsafe-html", "text-markup", "too-long")


def _named_child(path, element, code, args):
    """The effect or score of a choice that names an undeclared variable or dimension."""
    tag, name = {"unknown-variable": ("effect", "variable"),
                 "unknown-dimension": ("score", "dimension")}.get(code, (None, None))
    if element.tag != "choice" or tag is None:
        return None
    for index, child in enumerate(element.of(tag)):
        if child.get(name).strip() == args.get(name):
            return [*path, tag, index], child
    return None


def _inner_at(candidates, path, line):
    """The element under ``path`` (an effect, a consequence) alone at its depth on ``line``."""
    if not line:
        return None
    inside = [(p, e) for p, e in candidates if len(p) > len(path) and p[:len(path)] == path
              and e.line <= line <= e.end_line]
    deepest = max((len(p) for p, _e in inside), default=0)
    inside = [(p, e) for p, e in inside if len(p) == deepest]
    return inside[0] if len(inside) == 1 else None


_PARTS = {"option text": "text", "consequence": "consequence"}


def _field(problem, args, element):
    code = problem.code
    if code in ("empty-text", "unsafe-html", "text-markup") or (code == "too-long"
                                                                and "part" in args):
        return _PARTS.get(str(args.get("part", "")), "html")
    if code == "setting-in-olx":
        return ""
    for name in ("name", "outcome", "rating", "outcomes"):
        if args.get(name) is not None and code in ("missing-attribute", "unknown-attribute",
                                                     "bad-number", "bad-value", "too-long"):
            return str(args[name]) if name == "name" else name
    if code == "unknown-variable":
        return "variable" if element.tag == "effect" else "requires"
    if code == "out-of-range":
        return "initial" if element.tag == "variable" else "points"
    return _FIELDS.get(code, "")
