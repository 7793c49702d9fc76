"""The scenario as data: frozen dataclasses, no behaviour beyond lookups.

Source line numbers ride along for error messages but take no part in equality, so a scenario
serialised and parsed again compares equal to the original.
"""
from dataclasses import dataclass, field
from functools import cached_property

RATINGS = ("best", "acceptable", "harmful")
OUTCOMES = ("safe", "mixed", "unsafe")
OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
DISTRESSING_TOPICS = frozenset(
    {"racism", "child-removal", "detention", "violence", "self-harm", "immigration"}
)


def _line():
    return field(default=None, compare=False, repr=False)


def worked_out(item, name, work, given=None):
    """``work(item)`` done once per immutable ``item`` (and per ``given``, what else it depends
    on) and kept beside the item's fields: the reader hands back the very same node for a part
    of a text that did not change, so its checks need not be done again."""
    kept = item.__dict__.get(name)
    if kept is None or kept[0] != given:
        kept = (given, work(item))
        object.__setattr__(item, name, kept)
    return kept[1]


@dataclass(frozen=True)
class Comparison:
    """One clause of a condition: ``variable op value``."""

    variable: str
    op: str
    value: int

    def holds(self, values):
        actual = values.get(self.variable, 0)
        return {
            "<": actual < self.value,
            "<=": actual <= self.value,
            ">": actual > self.value,
            ">=": actual >= self.value,
            "==": actual == self.value,
            "!=": actual != self.value,
        }[self.op]

    def __str__(self):
        return f"{self.variable} {self.op} {self.value}"


@dataclass(frozen=True)
class Condition:
    """All of its comparisons must hold (``a >= 1 and b < 3``)."""

    clauses: tuple = ()

    def holds(self, values):
        return all(clause.holds(values) for clause in self.clauses)

    def __str__(self):
        return " and ".join(str(clause) for clause in self.clauses)

    def __bool__(self):
        return bool(self.clauses)


@dataclass(frozen=True)
class Effect:
    """Change a variable: add to it, or set it (``set`` wins when both are given)."""

    variable: str
    add: int = 0
    set: int | None = None
    line: int | None = _line()


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    points: int
    line: int | None = _line()


@dataclass(frozen=True)
class Choice:
    id: str
    target: str
    rating: str
    points: int
    text: str
    consequence: str = ""
    effects: tuple = ()
    scores: tuple = ()
    requires: Condition = Condition()
    line: int | None = _line()


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    html: str
    choices: tuple = ()
    line: int | None = _line()

    def choice(self, choice_id):
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Ending:
    """A place where the scenario stops. ``requires`` states what the ending's text claims of
    the path (``harm_label == 0``): validation proves it holds wherever the ending is reached."""

    id: str
    outcome: str
    title: str
    html: str
    requires: Condition = Condition()
    line: int | None = _line()


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    line: int | None = _line()


@dataclass(frozen=True)
class Variable:
    id: str
    initial: int = 0
    min: int = 0
    max: int = 10
    line: int | None = _line()

    def clamp(self, value):
        return max(self.min, min(self.max, value))


@dataclass(frozen=True)
class Reflection:
    id: str
    prompt: str
    line: int | None = _line()


@dataclass(frozen=True)
class Scenario:
    nodes: tuple
    endings: tuple
    start: str = ""
    content_note: str = ""
    dimensions: tuple = ()
    variables: tuple = ()
    debrief: str = ""
    reflections: tuple = ()
    outcomes: tuple = ()
    topics: tuple = ()

    @property
    def start_id(self):
        return self.start or (self.nodes[0].id if self.nodes else "")

    @cached_property
    def _by_id(self):
        places = {}
        for place in (*self.endings, *self.nodes):
            places.setdefault(place.id, place)
        return places

    def node(self, node_id):
        place = self._by_id.get(node_id)
        return place if isinstance(place, Node) else None

    def ending(self, ending_id):
        place = self._by_id.get(ending_id)
        return place if isinstance(place, Ending) else None

    def place(self, place_id):
        """The node or ending with this id, or None."""
        return self._by_id.get(place_id)

    def initial_values(self):
        return {variable.id: variable.initial for variable in self.variables}
