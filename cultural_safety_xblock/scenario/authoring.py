"""The visual editor's moves on a scenario's OLX text (issue 14): pure functions, text in, text out.

The text stays the one source of truth. Each move rewrites only what it edits: an attribute's
value, a choice's text, the element added, moved or deleted, and for a renamed id the attributes
that name it. Every other character (comments, attribute order, quotes, the whitespace and
markup of HTML written by hand) comes out as it went in. A move that cannot be made is refused
with ``Refused``, naming the field and what to do, and the text is left as it was.
"""
import re

from lxml import etree

from . import spans
from .compiled import compile_text
from .problems import N_
from .safe_xml import checked_bytes, safe_parser

ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_VALUE = 20_000
ROOT_ORDER = ("content_note", "dimension", "variable", "node", "ending", "debrief", "reflection")
ORDER = {"node": ("html", "choice"), "choice": ("text", "consequence", "effect", "score"),
         "ending": ("html",), "debrief": ("html",)}
PLAIN = frozenset({"text", "content_note"})      # plain text: markup is escaped
HTML = frozenset({"html", "consequence"})        # XHTML with the sanitizer's marks
PLACES = ("node", "ending")
# what the id of each kind must be unique among, and the prefix of a new one
ID_PREFIX = {"node": "node", "ending": "ending", "choice": "choice", "dimension": "dimension",
             "variable": "variable", "reflection": "reflection"}
OPTIONAL = frozenset({"consequence", "content_note"})   # left empty, the element goes


class Refused(ValueError):
    """A move that cannot be made: ``message`` (a gettext template with ``args``), ``field``."""

    def __init__(self, template, field="", **args):
        super().__init__(template)
        self.message, self.field, self.values = template, field, args


def readable(text):
    """The root Element of ``text``, or Refused when the text is not well-formed XML. The safe
    parser decides (through the check of the text, which the editor has just made)."""
    compiled = compile_text(text)
    if compiled.scenario is None:
        code = compiled.problems[0].code if compiled.problems else "xml-syntax"
        if code == "unknown-element":
            raise Refused(N_("The root element must be <cultural_safety_scenario>."))
        raise Refused(N_("The XML cannot be read ({problem}): fix it in the XML view first."),
                      problem=code)
    return spans.scan(text)


def apply(text, operations, root=None):
    """(new text, path of the element to show) after ``operations`` in turn; all or nothing."""
    focus = None
    for operation in operations:
        if operation.get("op") == "template":
            text, focus, root = *_one(text, None, operation), None
            continue
        root = readable(text) if root is None else root
        text, focus = _one(text, root, operation)
        root = None
    return text, focus


def _one(text, root, operation):
    kind = operation.get("op")
    at = operation.get("at", [])
    if kind == "template":
        from .starters import STARTERS
        if operation.get("name") not in STARTERS:
            raise Refused(N_("There is no template '{name}'."), name=str(operation.get("name")))
        return STARTERS[operation["name"]], []
    element = spans.find(root, at)
    if element is None and kind == "content" and at == ["debrief", 0]:
        text, _ = _one(text, root, {"op": "add", "at": [], "tag": "debrief"})
        root = spans.scan(text)
        element = spans.find(root, at)
    if element is None:
        raise Refused(N_("That part of the scenario is no longer there: it may have been changed"
                         " in the XML view."))
    moves = {"set": _set, "content": _content, "add": _add, "duplicate": _duplicate,
             "delete": _delete, "move": _move, "rename": _rename}
    if kind not in moves:
        raise Refused(N_("Unknown edit '{op}'."), op=str(kind))
    splices, placed = moves[kind](text, root, element, operation)
    new_text = splice(text, splices)
    if placed is None or kind == "content":
        return new_text, at if kind in ("set", "content", "rename") else None
    anchor, extra = placed
    offset = anchor + extra + sum(len(new) - (end - start) for start, end, new in splices
                                  if start < anchor)
    return new_text, _at_offset(spans.scan(new_text), offset)


def _at_offset(root, offset):
    for path, element in spans.walk(root):
        if element.start == offset:
            return path
    return None


def splice(text, splices):
    """``text`` with each (start, end, replacement) of ``splices`` made (none may overlap)."""
    ordered = sorted(splices, key=lambda s: (s[0], s[1]))
    pieces, last = [], 0
    for start, end, replacement in ordered:
        if start < last:
            raise AssertionError("overlapping edits")
        pieces += [text[last:start], replacement]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


# -- escaping --------------------------------------------------------------------------------

def attribute_text(value, quote='"'):
    value = " ".join(str(value).split()) if "\n" in value or "\t" in value else str(value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace(quote, "&quot;" if quote == '"' else "&apos;")


def plain_text(value):
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def checked_html(value, field):
    """``value`` if it is well-formed XHTML for inside an element, else Refused."""
    data, refused = checked_bytes(f"<html>{value}</html>")
    if refused:
        raise Refused(N_("This HTML is refused ({problem}); nothing was changed."), field,
                      problem=refused[0].code)
    try:
        etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise Refused(N_("This HTML is not well formed ({message}): close every tag and write"
                         " & as &amp;. The scenario keeps its last good version."), field,
                      message=error.msg) from None
    return value


# -- the moves -------------------------------------------------------------------------------

def _set(text, root, element, operation):
    """Set, or remove with an empty value, one attribute."""
    name, value = operation.get("name", ""), operation.get("value", "")
    if not re.fullmatch(r"[A-Za-z_][\w-]*", name or ""):
        raise Refused(N_("'{name}' is not an attribute name."), name=str(name)[:40])
    if name == "id":
        return _rename(text, root, element, {"id": value})
    return _set_splices(element, name, value), None


def _set_splices(element, name, value):
    found = element.attributes.get(name)
    if value == "":
        if found is None:
            return []
        return [(_space_before(element, found), found.end + 1, "")]
    if found is not None:
        return [(found.start, found.end, attribute_text(value, found.quote))]
    return [(element.attributes_end, element.attributes_end,
             f' {name}="{attribute_text(value)}"')]


def _space_before(element, attribute):
    """Where the whitespace before an attribute's name begins (the attribute goes with it)."""
    return attribute.name_start - 1 if attribute.name_start > element.start else attribute.name_start


def _content(text, root, element, operation):
    """Set the text of a child (a choice's <text>, a scene's <html>), adding it if missing."""
    tag, value = operation.get("tag", ""), operation.get("value", "")
    allowed = ORDER.get(element.tag, ROOT_ORDER if element is root else ())
    if tag not in allowed or tag not in PLAIN | HTML:
        raise Refused(N_("<{tag}> has no <{child}> to write."), tag=element.tag, child=str(tag))
    written = plain_text(value) if tag in PLAIN else checked_html(value, tag)
    children = element.of(tag)
    if not children:
        if value.strip() == "" and tag in OPTIONAL:
            return [], None
        return _insertion(text, root, element, tag, f"<{tag}>{written}</{tag}>")
    child = children[0]
    if value.strip() == "" and tag in OPTIONAL:
        return [_removal(text, child)], None
    if child.inner_end == child.open_end and child.end == child.open_end:  # <text/>
        return [(child.start, child.end, f"<{tag}>{written}</{tag}>")], None
    return [(child.open_end, child.inner_end, written)], None


def new_id(root, container, tag, base=None):
    """A free id for a new (or copied) element of ``tag`` under ``container``."""
    taken = _ids(root, container, tag)
    base = base or ID_PREFIX.get(tag, tag)
    if base not in taken and base != ID_PREFIX.get(tag, tag):
        return base
    number = 1
    while f"{base}_{number}"[:64] in taken:
        number += 1
    return f"{base}_{number}"[:64]


def _ids(root, container, tag):
    if tag in PLACES:
        return {place.get("id").strip() for kind in PLACES for place in root.of(kind)}
    return {sibling.get("id").strip() for sibling in container.of(tag)}


def _template(root, container, tag, indent):
    """The text of a new element of ``tag``, its inner lines indented from ``indent``."""
    inner = "\n" + indent + "  "
    if tag in ID_PREFIX:
        made = f' id="{new_id(root, container, tag)}"'
    else:
        made = ""
    if tag == "node":
        return f"<node{made}>{inner}<html><p></p></html>\n{indent}</node>"
    if tag == "ending":
        return f'<ending{made} outcome="safe">{inner}<html><p></p></html>\n{indent}</ending>'
    if tag == "choice":
        return (f'<choice{made} target="" rating="best" points="0">{inner}<text></text>\n'
                f"{indent}</choice>")
    if tag == "debrief":
        return f"<debrief>{inner}<html><p></p></html>\n{indent}</debrief>"
    if tag == "variable":
        return f'<variable{made} initial="0" min="0" max="10"/>'
    if tag == "dimension":
        return f'<dimension{made} label=""/>'
    if tag == "reflection":
        return f'<reflection{made} prompt=""/>'
    if tag == "effect":
        first = root.of("variable")
        return f'<effect variable="{attribute_text(first[0].get("id")) if first else ""}" add="1"/>'
    if tag == "score":
        first = root.of("dimension")
        name = attribute_text(first[0].get("id")) if first else ""
        return f'<score dimension="{name}" points="0"/>'
    raise Refused(N_("<{tag}> cannot be added here."), tag=tag)


def _add(text, root, container, operation):
    """Add a new element of ``tag`` to ``container``: after the sibling ``after`` (a path) or
    after the last of its kind; for a place, ``link`` names a choice to point at it."""
    tag = operation.get("tag", "")
    allowed = ORDER.get(container.tag, ROOT_ORDER if container is root else ())
    if tag not in allowed or tag in PLAIN | HTML:
        raise Refused(N_("<{tag}> cannot be added here."), tag=str(tag))
    if tag == "debrief" and root.of("debrief"):
        raise Refused(N_("The scenario has a debrief already."))
    indent = _child_indent(text, container)
    made = _template(root, container, tag, indent)
    after = spans.find(root, operation["after"]) if operation.get("after") else None
    splices, start = _insertion(text, root, container, tag, made, after)
    if operation.get("link") and tag in PLACES:
        choice = spans.find(root, operation["link"])
        if choice is None or choice.tag != "choice":
            raise Refused(N_("That choice is no longer there."))
        new = re.search(r'id="([^"]*)"', made).group(1)
        splices += _set_splices(choice, "target", new)
    return splices, start


def _child_indent(text, container):
    if container.children:
        return _indent_of(text, container.children[-1])
    return _indent_of(text, container) + "  "


def _indent_of(text, element):
    line_start = text.rfind("\n", 0, element.start) + 1
    before = text[line_start:element.start]
    return before if before.strip() == "" else ""


def _insertion(text, root, container, tag, made, after=None):
    """Splices putting ``made`` in ``container`` where the format orders ``tag``, and the offset
    where it will start (before the splices are made)."""
    order = ORDER.get(container.tag, ROOT_ORDER)
    if after is None:
        rank = order.index(tag)
        earlier = [child for child in container.children
                   if child.tag in order and order.index(child.tag) <= rank]
        after = earlier[-1] if earlier else None
    indent = _child_indent(text, container)
    lead = "\n" + indent
    if after is not None:
        return [(after.end, after.end, lead + made)], (after.end, len(lead))
    if container.end == container.open_end:  # <node id="x"/>: open it
        opened = text[container.start:container.end - 2].rstrip() + ">"
        closing = "\n" + _indent_of(text, container) + f"</{container.tag}>"
        return ([(container.start, container.end, opened + lead + made + closing)],
                (container.start, len(opened) + len(lead)))
    splices = [(container.open_end, container.open_end, lead + made)]
    if not container.children and "\n" not in container.inner(text):
        splices.append((container.inner_end, container.inner_end,
                        "\n" + _indent_of(text, container)))
    return splices, (container.open_end, len(lead))


def _removal(text, element):
    """The splice removing ``element`` with its line's indentation and the line break before."""
    start = element.start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    if start > 0 and text[start - 1] == "\n":
        start -= 1
        if start > 0 and text[start - 1] == "\r":
            start -= 1
    else:
        start = element.start
    return (start, element.end, "")


def _delete(text, root, element, operation):
    if element is root:
        raise Refused(N_("The scenario itself cannot be deleted."))
    return [_removal(text, element)], None


def _duplicate(text, root, element, operation):
    if element is root or element.tag not in ID_PREFIX or element.tag == "debrief":
        raise Refused(N_("<{tag}> cannot be duplicated."), tag=element.tag)
    parent = _parent(root, element)
    copied = text[element.start:element.end]
    found = element.attributes.get("id")
    if found is not None:
        fresh = new_id(root, parent, element.tag, base=found.value.strip() or None)
        relative = (found.start - element.start, found.end - element.start)
        copied = copied[:relative[0]] + attribute_text(fresh, found.quote) + copied[relative[1]:]
    lead = "\n" + _indent_of(text, element)
    return [(element.end, element.end, lead + copied)], (element.end, len(lead))


def _move(text, root, element, operation):
    """Swap an element with the previous (``by`` -1) or next (+1) one of its kind."""
    parent = _parent(root, element)
    if parent is None:
        raise Refused(N_("The scenario itself cannot be moved."))
    same = parent.of(element.tag)
    index = same.index(element) + (1 if operation.get("by", 1) > 0 else -1)
    if not 0 <= index < len(same):
        raise Refused(N_("It is already the first of its kind.") if index < 0
                      else N_("It is already the last of its kind."))
    other = same[index]
    mine, theirs = text[element.start:element.end], text[other.start:other.end]
    return [(element.start, element.end, theirs), (other.start, other.end, mine)], (other.start, 0)


def _parent(root, element):
    for _path, candidate in spans.walk(root):
        if element in candidate.children:
            return candidate
    return None


def _rename(text, root, element, operation):
    """Give an element a new id and rewrite every reference to the old one: the targets and the
    start naming a place, the effects and conditions naming a variable, the scores naming a
    dimension."""
    new = str(operation.get("id", "")).strip()
    if element.tag not in ID_PREFIX:
        raise Refused(N_("<{tag}> has no id."), tag=element.tag)
    if not ID.match(new):
        raise Refused(N_("An id uses letters, digits, '_' and '-' only, 1 to 64 of them."), "id")
    old = element.get("id").strip()
    if new == old:
        return [], None
    parent = _parent(root, element)
    if new in _ids(root, parent, element.tag):
        raise Refused(N_("The id '{id}' is already used: choose another."), "id", id=new)
    splices = _set_splices(element, "id", new)
    if element.tag in PLACES and old:
        for _path, place in spans.walk(root):
            if place.tag == "choice" and place.get("target").strip() == old:
                splices += _set_splices(place, "target", new)
        if root.get("start").strip() == old:
            splices += _set_splices(root, "start", new)
    elif element.tag == "variable" and old:
        named = re.compile(r"(?<![\w-])" + re.escape(old) + r"(?![\w-])")
        for _path, part in spans.walk(root):
            if part.tag == "effect" and part.get("variable").strip() == old:
                splices += _set_splices(part, "variable", new)
            if "requires" in part.attributes and named.search(part.get("requires")):
                splices += _set_splices(part, "requires", named.sub(new, part.get("requires")))
    elif element.tag == "dimension" and old:
        for _path, part in spans.walk(root):
            if part.tag == "score" and part.get("dimension").strip() == old:
                splices += _set_splices(part, "dimension", new)
    return splices, None

