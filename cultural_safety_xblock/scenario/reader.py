"""Turn an lxml tree into a Scenario, collecting every problem instead of stopping at the first."""
import re
from dataclasses import dataclass, field

from lxml import etree

from . import parts, sanitize
from .model import (
    OPERATORS,
    Choice,
    Comparison,
    Condition,
    Dimension,
    DimensionScore,
    Effect,
    Ending,
    Node,
    Reflection,
    Scenario,
    Variable,
)
from .problems import N_, Term, problem
from .safe_xml import MAX_DEPTH

ROOT_TAGS = ("cultural_safety_scenario", "scenario")
MAX_ATTRIBUTE = 2_000
MAX_ATTRIBUTES = 24      # per element; lxml reads attributes in quadratic time
MAX_PROBLEMS = 200       # reported per text; the rest are counted in one last problem

# Block settings carried as attributes of the root element: name -> (kind, default).
SETTINGS = {
    "display_name": ("text", None),
    "weight": ("number", 1.0),
    "max_attempts": ("count", 0),
    "grading": (("best_attempt", "last_attempt"), "best_attempt"),
    "practice": ("bool", False),
    "allow_back": ("bool", True),
    "allow_restart": ("bool", True),
    "reflections_in_reports": ("bool", False),
    "content_language": ("text", None),   # checked in scenario/language.py
}
# Attributes Open edX itself puts on a block; accepted and left to the runtime.
RUNTIME_ATTRIBUTES = frozenset({"url_name", "xblock-family", "filename"})
CONTENT_ATTRIBUTES = frozenset({"start", "outcomes", "topics"})

_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+)\s*$")
# Anything but text one level past the depth limit (the parser's own limit is far deeper).
_TOO_DEEP = etree.XPath("/".join(["*"] * (MAX_DEPTH - 1) + ["node()[not(self::text())]"]))


@dataclass
class Parsed:
    """What ``read`` made of a text: a scenario (None if unusable), settings, problems."""

    scenario: Scenario | None
    settings: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

class Reader:
    """One pass over the tree, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems = []
        self.unreported = 0

    def add(self, found):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(found)
        else:
            self.unreported += 1

    def report(self, code, element, where, what, fix, **args):
        if len(self.problems) >= MAX_PROBLEMS:
            self.unreported += 1
            return
        line = element.sourceline if element is not None else None
        self.problems.append(problem(code, where, what, fix, line=line, **args))

    def _attribute_items(self, element, where, **args):
        """The element's attributes, or none at all when there are too many to read."""
        items = element.items()
        if len(items) > MAX_ATTRIBUTES:
            self.report("too-many", element, where,
                        N_("<{tag}> has {count} attributes, over the limit of {limit}"),
                        N_("remove the attributes that do not belong"), tag=element.tag,
                        count=len(items), limit=MAX_ATTRIBUTES, **args)
            return []
        return items

    def parsed(self, scenario, settings):
        if self.unreported:
            self.problems.append(problem(
                "too-many", N_("document"), N_("{count} more problems are not listed"),
                N_("fix the problems above first"), count=self.unreported))
        return Parsed(scenario, settings, problems=self.problems)

    # -- the root ----------------------------------------------------------------------------

    def read(self, root):
        if root.tag not in ROOT_TAGS:
            self.report("unknown-element", root, N_("document"),
                        N_("the root element is <{tag}>"),
                        N_("the root must be <cultural_safety_scenario>"), tag=root.tag)
            return self.parsed(None, {})
        self._check_depth(root)
        settings = self._settings(root)
        children = {"content_note": [], "dimension": [], "variable": [], "node": [],
                    "ending": [], "debrief": [], "reflection": []}
        for tag, child in self._elements(root, N_("scenario")):
            if tag in children:
                children[tag].append(child)
            else:
                self._unknown_element(child, N_("scenario"))
        scenario = Scenario(
            nodes=tuple(self._part(e, Reader._node) for e in children["node"]),
            endings=tuple(self._part(e, Reader._ending) for e in children["ending"]),
            start=root.get("start", "").strip(),
            content_note=" ".join(self._content_note(e) for e in children["content_note"]),
            dimensions=tuple(self._dimension(e) for e in children["dimension"]),
            variables=tuple(self._variable(e) for e in children["variable"]),
            debrief="".join(self._debrief(e) for e in children["debrief"]),
            reflections=tuple(self._reflection(e) for e in children["reflection"]),
            outcomes=tuple(root.get("outcomes", "").split()),
            topics=tuple(root.get("topics", "").split()),
        )
        for tag in ("content_note", "debrief"):
            for extra in children[tag][1:]:
                self.report("duplicate-element", extra, N_("scenario"),
                            N_("more than one <{tag}>"), N_("merge them into one"), tag=tag)
        return self.parsed(scenario, settings)

    def read_child(self, element):
        """(scenario field, its value from this one element child of the root read alone)."""
        field, read = CHILDREN[element.tag]
        if field in ("nodes", "endings"):
            return field, self._part(element, read)
        return field, read(self, element)

    def _part(self, element, read):
        """A node or ending read by ``read``, or as remembered from an earlier text."""
        key = parts.key_of(element)
        found = parts.recall(key)
        if found is None:
            reader = Reader()
            found = (read(reader, element), tuple(reader.problems), reader.unreported)
            parts.remember(key, found)
        part, problems, unreported = found
        for each in problems:
            self.add(each)
        self.unreported += unreported
        return part

    def _check_depth(self, root):
        deeper = _TOO_DEEP(root)
        if deeper:
            self.report("too-deep", deeper[0], N_("document"),
                        N_("elements are nested more than {limit} deep"),
                        N_("flatten the HTML"), limit=MAX_DEPTH)

    def _settings(self, root):
        settings = {}
        known = set(SETTINGS) | RUNTIME_ATTRIBUTES | CONTENT_ATTRIBUTES
        for name, value in self._attribute_items(root, N_("scenario")):
            if len(value) > MAX_ATTRIBUTE:
                self.report("too-long", root, N_("scenario"),
                            N_("attribute {name} is longer than {limit} characters"),
                            N_("shorten it"), name=name, limit=MAX_ATTRIBUTE)
            elif name not in known:
                self.report("unknown-attribute", root, N_("scenario"),
                            N_("unknown attribute {name}"),
                            N_("remove it or correct its spelling"), name=name)
            elif name in SETTINGS:
                settings[name] = self._setting(root, name, value)
        return {name: value for name, value in settings.items() if value is not None}

    def _setting(self, root, name, value):
        kind, _ = SETTINGS[name]
        if kind == "text":
            return value
        if kind == "bool":
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            expected = "true or false"  # literal words the author types
        elif kind == "number":
            try:
                number = float(value)
                if number >= 0:
                    return number
            except ValueError:
                pass
            expected = Term(N_("a number of 0 or more"))
        elif kind == "count":
            if value.strip().isdigit():
                return int(value)
            expected = Term(N_("a whole number of 0 or more"))
        else:
            if value in kind:
                return value
            expected = " or ".join(kind)
        self.report("bad-value", root, N_("scenario"),
                    N_("{name}=\"{value}\" is not valid"), N_("use {expected}"),
                    name=name, value=value[:40], expected=expected)
        return None

    # -- elements ----------------------------------------------------------------------------

    def _elements(self, parent, where, **args):
        """The element children of ``parent`` as (tag, element) pairs; text between them is
        reported."""
        found, stray = [], (parent.text or "").strip()
        for child in parent:
            tag = child.tag
            if isinstance(tag, str):
                found.append((tag, child))
            if not stray and child.tail and not child.tail.isspace():
                stray = child.tail.strip()
        if stray:
            self.report("stray-text", parent, where, N_("text outside any element: \"{text}\""),
                        N_("put the text inside <html> or <text>"), text=stray[:40], **args)
        return found

    def _unknown_element(self, element, where, **args):
        self.report("unknown-element", element, where, N_("unknown element <{tag}>"),
                    N_("remove it or correct its spelling"), tag=element.tag, **args)

    def _attributes(self, element, where, required, optional=(), **args):
        values = {}
        for name, value in self._attribute_items(element, where, **args):
            if name not in required and name not in optional:
                self.report("unknown-attribute", element, where, N_("unknown attribute {name}"),
                            N_("remove it or correct its spelling"), name=name, **args)
            elif len(value) > MAX_ATTRIBUTE:
                self.report("too-long", element, where,
                            N_("attribute {name} is longer than {limit} characters"),
                            N_("shorten it"), name=name, limit=MAX_ATTRIBUTE, **args)
            else:
                values[name] = " ".join(value.split()) if name != "id" else value.strip()
        for name in required:
            if not values.get(name):
                self.report("missing-attribute", element, where,
                            N_("<{tag}> has no {name}"), N_("add {name}=\"...\""),
                            tag=element.tag, name=name, **args)
                values[name] = ""
        return values

    def _integer(self, element, values, name, where, default=0, **args):
        raw = values.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            self.report("bad-number", element, where, N_("{name}=\"{value}\" is not a whole number"),
                        N_("write a whole number such as 2"), name=name, value=raw[:40], **args)
            return default

    def _plain_text(self, element, where, **args):
        if not len(element):
            return " ".join((element.text or "").split())
        for child in element:
            if isinstance(child.tag, str):
                self.report("text-markup", child, where, N_("<{tag}> inside plain text"),
                            N_("write plain text here, without markup"), tag=child.tag, **args)
        return " ".join("".join(element.itertext()).split())

    def _wrapped_html(self, htmls, where, **args):
        """The XHTML of the <html> children of a node, ending or debrief."""
        return "".join(self._html_of(child, where, **args) for child in htmls)

    def _html_of(self, element, where, **args):
        """The inner XHTML of an element such as <html> or <consequence>, stripped."""
        for line, what in sanitize.disallowed(element):
            self.add(problem(
                "unsafe-html", where, N_("{item} is not allowed and is removed for learners"),
                N_("use only p, em, strong, ul, ol, li, blockquote, q, cite, br, h3, h4, a, abbr,"
                   " span, img"), line=line, item=what, **args))
        if not element.text and not len(element):
            return ""
        # one serialisation of the element, its own tags cut off: text stays escaped
        source = etree.tostring(element, encoding="unicode", with_tail=False)
        return source[source.index(">") + 1:source.rindex("<")].strip()

    def _node(self, element):
        values = self._attributes(element, N_("a node"), ("id",), ("title",))
        where, args = N_("node '{node}'"), {"node": values["id"]}
        choices, htmls = [], []
        for tag, child in self._elements(element, where, **args):
            if tag == "choice":
                choices.append(self._choice(child, values["id"]))
            elif tag == "html":
                htmls.append(child)
            else:
                self._unknown_element(child, where, **args)
        return Node(values["id"], values.get("title", ""), self._wrapped_html(htmls, where, **args),
                    tuple(choices), line=element.sourceline)

    def _choice(self, element, node_id):
        values = self._attributes(element, N_("a choice in node '{node}'"),
                                  ("id", "target", "rating"), ("points", "requires"),
                                  node=node_id)
        where = N_("choice '{choice}' in node '{node}'")
        args = {"choice": values["id"], "node": node_id}
        text, consequence, effects, scores = "", "", [], []
        for tag, child in self._elements(element, where, **args):
            if tag == "text":
                text = self._plain_text(child, where, **args)
            elif tag == "consequence":
                consequence = self._html_of(child, where, **args)
            elif tag == "effect":
                effects.append(self._effect(child, where, args))
            elif tag == "score":
                scores.append(self._score(child, where, args))
            else:
                self._unknown_element(child, where, **args)
        return Choice(
            id=values["id"], target=values["target"], rating=values["rating"],
            points=self._integer(element, values, "points", where, **args),
            text=text, consequence=consequence, effects=tuple(effects), scores=tuple(scores),
            requires=self._condition(element, values.get("requires", ""), where, args),
            line=element.sourceline)

    def _condition(self, element, text, where, args):
        if not text:
            return Condition()
        clauses = []
        for part in re.split(r"\s+and\s+", text):
            match = _CLAUSE.match(part)
            if not match or match.group(2) not in OPERATORS:
                self.report("bad-condition", element, where,
                            N_("the condition \"{text}\" cannot be read"),
                            N_("write it as: variable >= number, joined by 'and'"),
                            text=text[:60], **args)
                return Condition()
            clauses.append(Comparison(match.group(1), match.group(2), int(match.group(3))))
        return Condition(tuple(clauses))

    def _effect(self, element, where, args):
        values = self._attributes(element, where, ("variable",), ("add", "set"), **args)
        set_to = self._integer(element, values, "set", where, default=None, **args)
        return Effect(values["variable"], self._integer(element, values, "add", where, **args),
                      set_to, line=element.sourceline)

    def _score(self, element, where, args):
        values = self._attributes(element, where, ("dimension",), ("points",), **args)
        return DimensionScore(values["dimension"],
                              self._integer(element, values, "points", where, **args),
                              line=element.sourceline)

    def _ending(self, element):
        values = self._attributes(element, N_("an ending"), ("id", "outcome"),
                                  ("title", "requires"))
        where, args = N_("ending '{ending}'"), {"ending": values["id"]}
        htmls = self._only_html(element, where, args)
        return Ending(values["id"], values["outcome"], values.get("title", ""),
                      self._wrapped_html(htmls, where, **args),
                      requires=self._condition(element, values.get("requires", ""), where, args),
                      line=element.sourceline)

    def _only_html(self, element, where, args):
        """The <html> children of ``element``; any other element is reported."""
        htmls = []
        for tag, child in self._elements(element, where, **args):
            if tag == "html":
                htmls.append(child)
            else:
                self._unknown_element(child, where, **args)
        return htmls

    def _debrief(self, element):
        htmls = self._only_html(element, N_("debrief"), {})
        self._attributes(element, N_("debrief"), ())
        return self._wrapped_html(htmls, N_("debrief"))

    def _content_note(self, element):
        return self._plain_text(element, N_("content note"))

    def _dimension(self, element):
        values = self._attributes(element, N_("a dimension"), ("id", "label"))
        return Dimension(values["id"], values["label"], line=element.sourceline)

    def _variable(self, element):
        where = N_("variable '{variable}'")
        values = self._attributes(element, N_("a variable"), ("id",), ("initial", "min", "max"))
        args = {"variable": values["id"]}
        return Variable(
            values["id"],
            initial=self._integer(element, values, "initial", where, **args),
            min=self._integer(element, values, "min", where, **args),
            max=self._integer(element, values, "max", where, default=10, **args),
            line=element.sourceline)

    def _reflection(self, element):
        values = self._attributes(element, N_("a reflection"), ("id", "prompt"))
        return Reflection(values["id"], values["prompt"], line=element.sourceline)


# The scenario field each element child of the root makes, and how one such element is read.
CHILDREN = {"node": ("nodes", Reader._node), "ending": ("endings", Reader._ending),
            "dimension": ("dimensions", Reader._dimension),
            "variable": ("variables", Reader._variable),
            "reflection": ("reflections", Reader._reflection),
            "debrief": ("debrief", Reader._debrief),
            "content_note": ("content_note", Reader._content_note)}
