"""The scenario as a map: places laid out in layers from the start, choices as arrows.

Pure geometry, no drawing library and no external program: ``layout`` gives boxes and arrows with
coordinates; a template turns them into SVG. The steps are the classic layered drawing:

1. Loops are broken: a depth-first search from the start marks the arrows that close a loop.
2. Layers: without those arrows the graph has no cycle, and a place's layer is the longest path
   to it, so every other arrow points to a later layer. Places the start does not reach are
   layered the same way among themselves, after the reachable ones, so they stand apart.
3. An arrow that spans several layers gets a waypoint in each layer it crosses, so it runs in
   the gaps between boxes instead of through them.
4. Within a layer, places and waypoints are ordered by the mean position of their neighbours,
   sweeping down and up, which keeps most arrows short and uncrossed.
"""
from collections import deque
from dataclasses import dataclass

from .model import worked_out

BOX_WIDTH = 184
BOX_HEIGHT = 66
COLUMN_GAP = 104
ROW_GAP = 26
WAYPOINT_SLOT = 22      # the height a passing arrow takes in a layer
MARGIN = 28
TOP = 18                # room for the start label
LOOP_ROOM = 44          # under the lowest box, for arrows that go back
TITLE_CHARACTERS = 26
SWEEPS = 4
# Where on its first curve an arrow's label may go, in the order tried: where arrows leave or
# meet a box they run close together, so a label taken there moves along its own arrow.
LABEL_STEPS = (0.45, 0.28, 0.62, 0.18, 0.75, 0.36, 0.54)
LONG_LABEL_STEPS = (0.1, 0.2, 0.05, 0.3, 0.15, 0.4)
LABEL_WIDTH, LABEL_HEIGHT = 62, 14   # room a label takes ("acceptable 10" in 11 px type)


@dataclass(frozen=True)
class Box:
    id: str
    kind: str            # "node", "ending" or "missing" (a target that names nothing)
    title: str           # shortened for the box; ``full_title`` for tooltips and lists
    full_title: str
    x: int
    y: int
    layer: int
    marks: tuple         # of "start", "unreachable", "dead-end", "stuck", "no-choices"
    outcome: str = ""    # endings: safe, mixed, unsafe
    line: int | None = None
    width: int = BOX_WIDTH
    height: int = BOX_HEIGHT


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    choice: str
    rating: str
    points: int
    path: str            # SVG path data
    label_x: int
    label_y: int
    backward: bool       # closes a loop: drawn under the boxes, back to an earlier layer
    line: int | None = None


@dataclass(frozen=True)
class Map:
    boxes: tuple
    arrows: tuple
    width: int
    height: int
    unreachable: tuple   # place ids no learner can reach
    dead_ends: tuple     # node ids from which no ending can be reached, or nothing is offered
    missing: tuple       # target ids that name no place

    def box(self, place_id):
        return next((box for box in self.boxes if box.id == place_id), None)


def shorten(text, limit=TITLE_CHARACTERS):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# -- the graph -------------------------------------------------------------------------------

def _places(scenario):
    """{id: (kind, place)} with the first of duplicated ids winning, in document order."""
    places = {}
    for kind, items in (("node", scenario.nodes), ("ending", scenario.endings)):
        for place in items:
            places.setdefault(place.id, (kind, place))
    return places


def _edges(places):
    """(source id, choice, target id) for every choice of every first-defined node."""
    return [(place_id, choice, choice.target) for place_id, (kind, node) in places.items()
            if kind == "node" for choice in node.choices]


def _reach(start, successors):
    seen, queue = {start}, deque([start])
    while queue:
        for target in successors[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _back_edges(roots, successors):
    """Arrows that close a loop, found by depth-first search from each root in turn."""
    grey, black = 1, 2
    colour, back = {}, set()
    for root in roots:
        if root in colour:
            continue
        colour[root] = grey
        stack = [(root, iter(successors[root]))]
        while stack:
            current, following = stack[-1]
            for target in following:
                if target not in colour:
                    colour[target] = grey
                    stack.append((target, iter(successors[target])))
                    break
                if colour[target] == grey:
                    back.add((current, target))
            else:
                colour[current] = black
                stack.pop()
    return back


def _layers(order, reached, forward):
    """{id: layer}: the longest path over forward arrows, reached places first."""
    layer = {}
    for group in (reached, set(order) - reached):
        first = max(layer.values(), default=-1) + 1
        incoming = {place: 0 for place in group}
        for source in group:
            for target in forward[source]:
                if target in group:
                    incoming[target] += 1
        ready = deque(place for place in order if place in group and not incoming[place])
        for place in ready:
            layer[place] = first
        while ready:
            source = ready.popleft()
            for target in forward[source]:
                if target in group:
                    layer[target] = max(layer.get(target, first), layer[source] + 1)
                    incoming[target] -= 1
                    if not incoming[target]:
                        ready.append(target)
    return layer


def _waypoints(pairs, layer, budget):
    """{(source, target): [waypoint ids]} for arrows spanning layers, shortest spans first until
    the budget is spent (the rest are drawn straight)."""
    chains = {}
    for source, target in sorted(pairs, key=lambda pair: layer[pair[1]] - layer[pair[0]]):
        span = layer[target] - layer[source]
        if span < 2 or span - 1 > budget:
            continue
        budget -= span - 1
        chains[(source, target)] = [("~", source, target, n) for n in range(1, span)]
    return chains


def _order(rows, before, after, sweeps=SWEEPS):
    """Each layer ordered by the barycentre of its neighbours, sweeping down then up."""
    def arrange(row, neighbours, position):
        def key(item):
            near = [position[n] for n in neighbours.get(item, ()) if n in position]
            return sum(near) / len(near) if near else position[item]
        return sorted(row, key=key)

    count = len(rows)
    for sweep in range(sweeps):
        position = {item: index for row in rows for index, item in enumerate(row)}
        downward = sweep % 2 == 0
        for number in range(1, count) if downward else range(count - 2, -1, -1):
            rows[number] = arrange(rows[number], before if downward else after, position)
            position.update({item: index for index, item in enumerate(rows[number])})
    return rows


def _marks(place_id, kind, node, start, unreachable, analysis):
    marks = ["start"] if place_id == start else []
    if place_id in unreachable:
        marks.append("unreachable")
    elif kind == "node" and not node.choices:
        marks.append("no-choices")
    elif kind == "node" and analysis is not None and not analysis.truncated:
        if place_id in analysis.stuck:
            marks.append("stuck")
        elif place_id in analysis.trapped:
            marks.append("dead-end")
    return tuple(marks)


# -- geometry --------------------------------------------------------------------------------

def _bezier_point(p0, p1, p2, p3, t):
    u = 1 - t
    return tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3, strict=True))


def _through(points):
    """Path data through ``points`` (left to right): S-curves between layers, straight runs
    across waypoints (pairs of points at one height); and the label point on the first curve."""
    x1, y1 = points[0]
    data = [f"M{x1:.0f},{y1:.0f}"]
    label = None
    for x2, y2 in points[1:]:
        if y2 == y1 and x2 - x1 == BOX_WIDTH:  # along a waypoint
            data.append(f"H{x2:.0f}")
        else:
            reach = COLUMN_GAP if x2 - x1 > COLUMN_GAP + 1 else (x2 - x1) / 2
            data.append(f"C{x1 + reach:.0f},{y1:.0f} {x2 - reach:.0f},{y2:.0f} {x2:.0f},{y2:.0f}")
            if label is None:
                curve = ((x1, y1), (x1 + reach, y1), (x2 - reach, y2), (x2, y2))
                steps = LABEL_STEPS if x2 - x1 <= COLUMN_GAP + 1 else LONG_LABEL_STEPS
                label = [_bezier_point(*curve, t) for t in steps]
        x1, y1 = x2, y2
    return " ".join(data), label


def _loop(source, target, offset, below):
    """An arrow back to the same or an earlier layer: down from the source, along under the
    boxes of the layers between, up the gap before the target and into its left side."""
    if source is target:
        x, y = source.x + BOX_WIDTH - 30, source.y
        spread = 22 + abs(offset)
        data = (f"M{x:.0f},{y:.0f} C{x - spread:.0f},{y - 44:.0f} "
                f"{x + spread + 30:.0f},{y - 44:.0f} {x + 12:.0f},{y:.0f}")
        return data, (x + 6, y - 38)
    out = source.x + BOX_WIDTH + COLUMN_GAP * 0.3 + offset / 2
    back = target.x - (COLUMN_GAP * 0.3 if target.layer else MARGIN * 0.6) + offset / 2
    start, end = source.y + BOX_HEIGHT / 2 + offset / 2, target.y + BOX_HEIGHT / 2 + offset / 2
    low = below + LOOP_ROOM / 2 + offset
    r = 8  # corner radius
    data = (f"M{source.x + BOX_WIDTH:.0f},{start:.0f} H{out - r:.0f} "
            f"Q{out:.0f},{start:.0f} {out:.0f},{start + r:.0f} V{low - r:.0f} "
            f"Q{out:.0f},{low:.0f} {out - r:.0f},{low:.0f} H{back + r:.0f} "
            f"Q{back:.0f},{low:.0f} {back:.0f},{low - r:.0f} V{end + r:.0f} "
            f"Q{back:.0f},{end:.0f} {back + r:.0f},{end:.0f} H{target.x:.0f}")
    return data, ((out + back) / 2, low)


def _positions(rows, is_place):
    """{item: (x, y)} top-left corners; each layer centred on the tallest."""
    def slot(item):
        return BOX_HEIGHT + ROW_GAP if is_place(item) else WAYPOINT_SLOT

    heights = [sum(slot(item) for item in row) for row in rows]
    tallest = max(heights, default=0)
    where = {}
    for number, row in enumerate(rows):
        y = MARGIN + TOP + (tallest - heights[number]) / 2
        for item in row:
            where[item] = (MARGIN + number * (BOX_WIDTH + COLUMN_GAP),
                           round(y if is_place(item) else y + WAYPOINT_SLOT / 2))
            y += slot(item)
    return where, tallest


# -- the map -----------------------------------------------------------------------------------

def shape(scenario, analysis):
    """All the map shows of ``scenario``: places, titles, outcomes, choices (with their lines,
    which the map links to) and the analysis' marks; not the scenes, options or consequences."""
    return (scenario.start_id, analysis, tuple((e.id, e.title, e.outcome) for e in scenario.endings),
            tuple(worked_out(node, "_map_shape", _node_shape) for node in scenario.nodes))


def _node_shape(node):
    return node.id, node.title, tuple((c.id, c.target, c.rating, c.points, c.requires, c.line)
                                      for c in node.choices)


def layout(scenario, analysis=None):
    """The map of ``scenario``; ``analysis`` (conditions respected) marks unreachable places and
    dead ends, otherwise only the shape of the graph decides what is reachable."""
    places = _places(scenario)
    edges = _edges(places)
    missing = list(dict.fromkeys(t for _s, _c, t in edges if t not in places))
    order = list(places) + missing
    successors = {item: [] for item in order}
    for source, _choice, target in edges:
        if target not in successors[source]:
            successors[source].append(target)
    start = scenario.start_id if scenario.start_id in places else ""
    reached = _reach(start, successors) if start else set()
    back = _back_edges(([start] if start else []) + order, successors)
    forward = {item: [t for t in targets if (item, t) not in back and t != item]
               for item, targets in successors.items()}
    layer = _layers(order, reached, forward)
    pairs = [(source, target) for source in order for target in forward[source]]
    chains = _waypoints(pairs, layer, budget=6 * len(order) + 200)
    rows = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    before, after = {}, {}
    for item in order:
        rows[layer[item]].append(item)
    for source, target in pairs:
        steps = [source, *chains.get((source, target), []), target]
        for first, second in zip(steps, steps[1:], strict=False):
            after.setdefault(first, []).append(second)
            before.setdefault(second, []).append(first)
        for waypoint in steps[1:-1]:
            rows[layer[source] + waypoint[3]].append(waypoint)
    rows = _order(rows, before, after)
    where, tallest = _positions(rows, lambda item: not isinstance(item, tuple))

    if analysis is not None and not analysis.truncated:
        unreachable = [p for p in places if p not in analysis.reachable]
    else:
        unreachable = [p for p in places if p not in reached]
    unreachable_set = set(unreachable)
    boxes = {}
    for item in (item for row in rows for item in row if not isinstance(item, tuple)):
        kind, place = places.get(item, ("missing", None))
        title = place.title if place is not None else ""
        boxes[item] = Box(
            id=item, kind=kind, title=shorten(title), full_title=title, x=where[item][0],
            y=where[item][1], layer=layer[item],
            marks=_marks(item, kind, place, start, unreachable_set, analysis) if place else (),
            outcome=getattr(place, "outcome", ""), line=getattr(place, "line", None))
    arrows = _arrows(edges, boxes, chains, where, back)
    height = MARGIN * 2 + TOP + tallest + LOOP_ROOM + 12
    width = MARGIN * 2 + len(rows) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP / 2
    dead_ends = [b.id for b in boxes.values() if {"dead-end", "stuck", "no-choices"} & set(b.marks)]
    return Map(tuple(boxes.values()), tuple(arrows), max(width, 320), round(height),
               tuple(unreachable), tuple(dead_ends), tuple(missing))


def _ports(routes, boxes):
    """Spread the ends of arrows over a box's side, in the order of where they go next, so
    arrows leaving or entering one box do not share a point (nor their labels a place)."""
    leaving, entering = {}, {}
    for number, (source, target, points) in enumerate(routes):
        leaving.setdefault(source, []).append((points[1][1], number))
        entering.setdefault(target, []).append((points[-2][1], number))
    for groups, end in ((leaving, 0), (entering, -1)):
        for place_id, ends in groups.items():
            box = boxes[place_id]
            ends.sort()
            for slot, (_y, number) in enumerate(ends):
                share = (slot + 1) / (len(ends) + 1)
                points = routes[number][2]
                points[end] = (points[end][0], box.y + BOX_HEIGHT * (0.2 + 0.6 * share))


def _arrows(edges, boxes, chains, where, back):
    between = {}
    for source, _choice, target in edges:
        between[(source, target)] = between.get((source, target), 0) + 1
    bottoms = {}
    for box in boxes.values():
        bottoms[box.layer] = max(bottoms.get(box.layer, 0), box.y + BOX_HEIGHT)
    seen, shapes, routes = {}, [], []
    for source, _choice, target in edges:
        count = between[(source, target)]
        index = seen[(source, target)] = seen.get((source, target), -1) + 1
        offset = (index - (count - 1) / 2) * 10
        first, second = boxes[source], boxes[target]
        if (source, target) in back or second.layer <= first.layer:
            spanned = range(min(first.layer, second.layer), max(first.layer, second.layer) + 1)
            shapes.append(_loop(first, second, offset, max(bottoms[n] for n in spanned)))
            continue
        points = [(first.x + BOX_WIDTH, first.y + BOX_HEIGHT / 2)]
        for waypoint in chains.get((source, target), []):
            x, y = where[waypoint]
            points += [(x, y + offset), (x + BOX_WIDTH, y + offset)]
        points.append((second.x, second.y + BOX_HEIGHT / 2))
        shapes.append(len(routes))
        routes.append((source, target, points))
    _ports(routes, boxes)
    arrows, taken = [], {}
    for (source, choice, target), shape in zip(edges, shapes, strict=True):
        backward = not isinstance(shape, int)
        data, label = shape if backward else _through(routes[shape][2])
        label = _free_place(label if isinstance(label, list) else [label], taken)
        arrows.append(Arrow(source, target, choice.id, choice.rating, choice.points, data,
                            round(label[0]), round(label[1]), backward, choice.line))
    return arrows


def _free_place(candidates, taken):
    """The first of ``candidates`` where a label overlaps none already placed (else the first
    one, moved down a label's height at a time, a few times at most); recorded in ``taken``, a
    grid of the labels placed so far."""
    def clashes(point):
        x, y = point
        column, row = int(x // LABEL_WIDTH), int(y // LABEL_HEIGHT)
        return any(abs(x - other[0]) < LABEL_WIDTH and abs(y - other[1]) < LABEL_HEIGHT
                   for c in (column - 1, column, column + 1) for r in (row - 1, row, row + 1)
                   for other in taken.get((c, r), ()))
    chosen = next((point for point in candidates if not clashes(point)), None)
    if chosen is None:
        x, y = candidates[0]
        chosen = next(((x, y + LABEL_HEIGHT * step) for step in (1, -1, 2, -2, 3)
                       if not clashes((x, y + LABEL_HEIGHT * step))), candidates[0])
    taken.setdefault((int(chosen[0] // LABEL_WIDTH), int(chosen[1] // LABEL_HEIGHT)),
                     []).append(chosen)
    return chosen
