"""Explore every situation a learner can be in, once per scenario version.

A situation is a place (node or ending) plus the values of the variables. Conditions decide which
choices are offered, so reachability, dead ends, impossible conditions, point-farming loops,
the largest total of points on any path, and whether each ending's ``requires`` (what its text
claims of the path) holds wherever it is reached, are all read off this one graph of situations.

Loops are allowed only if every choice on them gives no points (validation enforces it), so going
round a loop never changes a score.

An analysis depends only on the scenario's shape (ids, targets, points, conditions, effects and
variables), never on its texts, so it is remembered by shape: an author's edit to the words
reuses it.
"""
from dataclasses import dataclass

from .memory import Memory
from .model import Ending, Node, worked_out

MAX_SITUATIONS = 50_000
# Choices looked at x (variables + 2): exploring stops past it too, so that time and memory stay
# bounded however many choices and variables an author writes (a second or two, ~60 MB at most).
MAX_WORK = 1_000_000


def apply_effects(scenario, values, choice):
    """The variable values after ``choice``: effects applied in order, then clamped."""
    if not choice.effects:
        return values
    changed = dict(values)
    limits = {variable.id: variable for variable in scenario.variables}
    for effect in choice.effects:
        variable = limits.get(effect.variable)
        if variable is None:
            continue
        value = effect.set if effect.set is not None else changed.get(effect.variable, 0) + effect.add
        changed[effect.variable] = variable.clamp(value)
    return changed


def offered_choices(node, values):
    return [choice for choice in node.choices if not choice.requires or choice.requires.holds(values)]


@dataclass(frozen=True)
class Analysis:
    reachable: frozenset       # place ids a learner can reach
    offered: frozenset         # (node id, choice id) offered in some reachable situation
    stuck: frozenset           # node ids where some reachable situation offers no choice
    trapped: frozenset         # node ids with a reachable situation that cannot reach an ending
    farming: tuple             # (node id, choice id) giving points on a loop
    max_points: int            # the largest total of points on a path to an ending
    truncated: bool            # exploration stopped at MAX_SITUATIONS or MAX_WORK
    # (ending id, node id, choice id, ((variable, value), ...)): a choice that reaches an ending
    # with values its ``requires`` does not hold for (the values of the clauses that fail)
    broken_claims: tuple = ()


def _situations(scenario):
    """The graph of reachable situations: {situation: [(choice, node id, next situation)]},
    the (node id, choice id) pairs offered somewhere, the node ids where nothing is offered, and
    whether exploration was cut short (then the graph is partial and is not analysed).

    A situation is (place id, the values in the order of ``names``): compact, so that memory
    grows with the number of situations and variables, and exploring stops at the limits.
    """
    start = scenario.place(scenario.start_id)
    graph, offered, stuck = {}, set(), set()
    if start is None:
        return graph, offered, stuck, False
    initial = scenario.initial_values()
    names = tuple(sorted(initial))
    work = 0
    first = (start.id, tuple(initial[name] for name in names))
    todo = [first]
    graph[first] = []
    place_of = scenario.place
    while todo:
        situation = todo.pop()
        place = place_of(situation[0])
        if not isinstance(place, Node):
            continue
        work += len(place.choices) * (len(names) + 2)
        if work > MAX_WORK:
            return graph, offered, stuck, True
        values = dict(zip(names, situation[1], strict=True)) if names else {}
        choices = offered_choices(place, values)
        if not choices:
            stuck.add(place.id)
        edges = graph[situation]
        for choice in choices:
            offered.add((place.id, choice.id))
            if place_of(choice.target) is None:
                continue
            if choice.effects:
                after = apply_effects(scenario, values, choice)
                following = (choice.target, tuple(after[name] for name in names))
            else:
                following = (choice.target, situation[1])
            if following not in graph:
                if len(graph) >= MAX_SITUATIONS:
                    return graph, offered, stuck, True
                graph[following] = []
                todo.append(following)
            edges.append((choice, place.id, following))
    return graph, offered, stuck, False


def _components(graph):
    """Strongly connected components (iterative Tarjan), in reverse topological order."""
    index, low, on_stack, stack, order = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            situation, edges = work[-1]
            advanced = False
            for _choice, _node, following in edges:
                if following not in index:
                    index[following] = low[following] = counter
                    counter += 1
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, iter(graph[following])))
                    advanced = True
                    break
                if following in on_stack:
                    low[situation] = min(low[situation], index[following])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[situation])
            if low[situation] == index[situation]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == situation:
                        break
                order.append(component)
    return order


def _best(graph, order, component_of, is_end, weight):
    """Best total weight from each situation to an ending; None where no ending is reachable.

    Every situation of a loop can reach every other at no cost (loops give no points), so a
    component's value is the best of its exits.
    """
    best = {}
    for component in order:  # successors' components come first
        value = None
        for situation in component:
            if is_end(situation):
                value = max(value or 0, 0)
            for choice, _node, following in graph[situation]:
                after = best.get(following)
                if component_of[following] == component_of[situation] or after is None:
                    continue
                total = after + weight(choice)
                value = total if value is None else max(value, total)
        for situation in component:
            best[situation] = value
    return best


def _broken_claims(scenario, graph):
    """Each choice that leads to an ending whose ``requires`` fails with the values it arrives
    with, once per (ending, node, choice), with the first such values found."""
    claims = {e.id: e.requires for e in scenario.endings if e.requires}
    if not claims:
        return ()
    names = tuple(sorted(scenario.initial_values()))
    broken = {}
    for edges in graph.values():
        for choice, node_id, (place_id, numbers) in edges:
            condition = claims.get(place_id)
            if condition is None or (place_id, node_id, choice.id) in broken:
                continue
            values = dict(zip(names, numbers, strict=True))
            failing = [clause for clause in condition.clauses if not clause.holds(values)]
            if failing:
                shown = dict.fromkeys(clause.variable for clause in failing)
                broken[(place_id, node_id, choice.id)] = tuple(
                    (name, values.get(name, 0)) for name in shown)
    return tuple((*key, values) for key, values in broken.items())


REMEMBERED_SHAPES = 64
_by_shape = Memory(REMEMBERED_SHAPES)


def shape(scenario):
    """All an analysis reads of ``scenario``: places in order, and per choice what decides where
    it leads, when it is offered and what it gives."""
    return (scenario.start_id, scenario.variables,
            tuple((e.id, e.requires) for e in scenario.endings),
            tuple(worked_out(node, "_shape", _node_shape) for node in scenario.nodes))


def _node_shape(node):
    return node.id, tuple((c.id, c.target, c.points, c.requires, c.effects,
                           any(score.points for score in c.scores)) for c in node.choices)


def analyse(scenario):
    """The analysis of ``scenario``, remembered by its shape."""
    key = shape(scenario)
    found = _by_shape.get(key)
    return found if found is not None else _by_shape.keep(key, explore(scenario))


def forget():
    """Forget every analysis (benchmarks measuring a first reading)."""
    _by_shape.forget()


def explore(scenario):
    """The analysis of ``scenario`` worked out afresh."""
    graph, offered, stuck, truncated = _situations(scenario)
    if truncated:  # validation reports only that: the rest would be read off a partial graph
        return Analysis(frozenset(s[0] for s in graph), frozenset(offered), frozenset(stuck),
                        frozenset(), (), 0, True)
    order = _components(graph)
    component_of = {}
    for number, component in enumerate(order):
        for situation in component:
            component_of[situation] = number

    def is_end(situation):
        return isinstance(scenario.place(situation[0]), Ending)

    best = _best(graph, order, component_of, is_end, lambda choice: choice.points)
    start = next(iter(graph), None)

    farming = []
    for situation, edges in graph.items():
        for choice, node_id, following in edges:
            on_loop = component_of[following] == component_of[situation]
            gives = choice.points or any(score.points for score in choice.scores)
            if on_loop and gives and (node_id, choice.id) not in farming:
                farming.append((node_id, choice.id))
    return Analysis(
        broken_claims=_broken_claims(scenario, graph),
        reachable=frozenset(situation[0] for situation in graph),
        offered=frozenset(offered),
        stuck=frozenset(stuck),
        trapped=frozenset(s[0] for s in graph if best.get(s) is None),
        farming=tuple(farming),
        max_points=(best.get(start) or 0) if start else 0,
        truncated=truncated,
    )
