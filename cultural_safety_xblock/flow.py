"""The cohort's paths as an SVG picture: situations in columns, one line per choice.

Pure: from a Scenario and cohort Totals to SVG text (every value escaped). Each situation's box
lists its choices, one row each, in words: choice id, rating, times chosen. From each row a line
leaves for the choice's target, as thick as the share of learners who made it and dashed by its
rating, so nothing is told by colour alone. The dashboard's per-node tables give the same figures
as text for screen readers.
"""
from collections import deque
from html import escape

BOX_WIDTH = 230
COLUMN_GAP = 120
PORT = 18          # one row per choice inside a node's box
BOX_PAD = 38       # title and id lines above the first choice
ROW_GAP = 26
MARGIN = 16
LEGEND = 64
DASHES = {"best": "", "acceptable": "9 4", "harmful": "3 3"}
COLOURS = {"best": "#1d6b35", "acceptable": "#6b5200", "harmful": "#a4262c"}  # CSS may override


def _short(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def columns(scenario):
    """{place id: column}: nodes by their distance from the start, endings in the last column."""
    depth = {scenario.start_id: 0} if scenario.node(scenario.start_id) else {}
    queue = deque(depth)
    while queue:
        node = scenario.node(queue.popleft())
        for choice in node.choices:
            if scenario.node(choice.target) and choice.target not in depth:
                depth[choice.target] = depth[node.id] + 1
                queue.append(choice.target)
    last = max(depth.values(), default=-1) + 1
    for node in scenario.nodes:   # not reachable from the start: after the others
        depth.setdefault(node.id, last)
    last = max(depth.values(), default=-1) + 1
    for ending in scenario.endings:
        depth[ending.id] = last
    return depth


def _layout(scenario):
    """{place id: (x, y, height)} and the picture's (width, height)."""
    column_of = columns(scenario)
    boxes, bottoms = {}, {}
    for place in (*scenario.nodes, *scenario.endings):
        column = column_of[place.id]
        height = BOX_PAD + PORT * max(len(getattr(place, "choices", ())), 1)
        top = bottoms.get(column, MARGIN + LEGEND)
        boxes[place.id] = (MARGIN + column * (BOX_WIDTH + COLUMN_GAP), top, height)
        bottoms[column] = top + height + ROW_GAP
    width = MARGIN * 2 + (max(column_of.values(), default=0) + 1) * (BOX_WIDTH + COLUMN_GAP)
    return boxes, (width - COLUMN_GAP, max(bottoms.values(), default=MARGIN + LEGEND) + MARGIN)


def _legend(labels):
    parts = []
    for index, rating in enumerate(("best", "acceptable", "harmful")):
        x = MARGIN + index * 190
        parts.append(
            f'<line x1="{x}" y1="{MARGIN + 8}" x2="{x + 40}" y2="{MARGIN + 8}" '
            f'class="cs-flow-{rating}" stroke="{COLOURS[rating]}" stroke-width="3" '
            f'stroke-dasharray="{DASHES[rating]}"/>'
            f'<text x="{x + 48}" y="{MARGIN + 12}">{escape(labels[rating])}</text>')
    parts.append(f'<text x="{MARGIN}" y="{MARGIN + 36}" class="cs-flow-note">'
                 f'{escape(labels["legend"])}</text>')
    return "".join(parts)


def _box(place, box, text_lines, kind):
    x, y, height = box
    lines = "".join(f'<text x="{x + 8}" y="{y + 16 + 14 * i}"{css}>{escape(line)}</text>'
                    for i, (line, css) in enumerate(text_lines))
    return (f'<g class="cs-flow-{kind}"><title>{escape(place.title or place.id)}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{height}" rx="6" fill="#fff" '
            f'stroke="#1f2328"/>{lines}</g>')


def _port(box, index):
    x, y, _height = box
    return x + BOX_WIDTH, y + BOX_PAD + PORT * index + PORT // 2


def _choice_row(box, index, choice, count, labels):
    x, _y, _height = box
    _sx, sy = _port(box, index)
    label = labels["edge"].format(choice=_short(choice.id, 18), rating=labels[choice.rating],
                                  count=count)
    return (f'<line x1="{x + 6}" y1="{sy - PORT // 2}" x2="{x + BOX_WIDTH - 6}" '
            f'y2="{sy - PORT // 2}" stroke="#d0d4d9"/>'
            f'<text x="{x + 8}" y="{sy + 4}" class="cs-flow-label">{escape(label)}</text>')


def _edge(box, target_box, index, choice, count, heaviest, marker):
    sx, sy = _port(box, index)
    tx, ty, th = target_box
    ey = ty + th // 2
    bend = max(abs(tx - sx) / 2, 60)
    width = 1.5 + 7 * (count / heaviest if heaviest else 0)
    dash = DASHES.get(choice.rating, "")
    faint = "" if count else ' stroke-opacity="0.35"'
    return (f'<path d="M{sx},{sy} C{sx + bend},{sy} {tx - bend},{ey} {tx - 1},{ey}" '
            f'class="cs-flow-{escape(choice.rating)}" fill="none" stroke-width="{width:.1f}" '
            f'stroke="{COLOURS.get(choice.rating, "#4a5058")}" '
            f'stroke-dasharray="{dash}" marker-end="url(#{marker})"{faint}/>')


def svg(scenario, totals, labels, uid="cs"):
    """The picture as SVG text.

    ``labels`` holds translated words: "best", "acceptable", "harmful", "legend", "title",
    "description", "reached" (with {count}) and "edge" (with {choice}, {rating}, {count}).
    """
    boxes, (width, height) = _layout(scenario)
    heaviest = max((count for _key, count in totals.choices), default=0)
    marker = f"{uid}-flow-arrow"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cs-flow" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-labelledby="{uid}-flow-title {uid}-flow-desc">'
             f'<title id="{uid}-flow-title">{escape(labels["title"])}</title>'
             f'<desc id="{uid}-flow-desc">{escape(labels["description"])}</desc>'
             f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
             f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
             f'<path d="M0,0 L10,5 L0,10 z" fill="#4a5058"/></marker>'
             f'</defs>', _legend(labels)]
    for node in scenario.nodes:
        for index, choice in enumerate(node.choices):
            if choice.target in boxes:
                parts.append(_edge(boxes[node.id], boxes[choice.target], index, choice,
                                   totals.chosen(node.id, choice.id), heaviest, marker))
    for node in scenario.nodes:
        parts.append(_box(node, boxes[node.id], [(_short(node.title or node.id, 30), ""),
                                                  (node.id, ' class="cs-flow-id"')], "node"))
        parts.extend(_choice_row(boxes[node.id], index, choice, totals.chosen(node.id, choice.id),
                                 labels) for index, choice in enumerate(node.choices))
    for ending in scenario.endings:
        reached = labels["reached"].format(count=totals.ending(ending.id))
        parts.append(_box(ending, boxes[ending.id],
                          [(_short(ending.title or ending.id, 30), ""),
                           (f"{labels.get(ending.outcome, ending.outcome)} \u00b7 {reached}",
                            ' class="cs-flow-id"')], "ending"))
    parts.append("</svg>")
    return "".join(parts)
