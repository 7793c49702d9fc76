"""What a cohort did: counters kept beside the learners' own state, and merged for staff.

Pure functions on JSON-able dicts; no XBlock, no Django. The block keeps the counters in
``Scope.user_state_summary`` fields and calls ``count`` after every learner action.

Concurrent writers
------------------
The counters are split into ``SHARDS`` shards, each its own field, and a learner always writes
the same shard (a stable hash of their user id). The LMS stores each user_state_summary field as
one row (usage id, field name) and a handler saves the whole value of each field it changed:
the last writer of a field wins. So:

- learners acting at the same moment on shards that differ never disturb each other;
- two actions that read the same shard before either saved: the second save overwrites the
  first, and the counts of the first action are lost. Nothing is counted twice.

Every counter but the grade histogram only goes up, so a lost write makes a total a little too
low, never too high: each total is short by at most the number of overlapping same-shard writes.
The histogram moves a learner from one bucket to another using the bucket recorded in the
learner's own state (``marks``), so one learner is never in two buckets; a lost write can leave a
bucket one off, and merged buckets never go below zero. The exact figures are always available
from the learners' own state (the instructor report, ``cultural-safety report``).
"""
import zlib
from dataclasses import dataclass
from functools import cached_property

SHARDS = 8
BUCKETS = 10   # score histogram: 0-9 %, 10-19 %, ... 90-100 %


def shard_of(user_id):
    """The shard a learner writes; stable across processes (unlike hash())."""
    return zlib.crc32(str(user_id).encode("utf-8")) % SHARDS


def bucket_of(fraction):
    """The histogram bucket of a score between 0 and 1."""
    return min(max(int(fraction * BUCKETS), 0), BUCKETS - 1)


def fraction(earned, possible):
    """earned / possible as a number in [0, 1]; None when there is no score."""
    try:
        earned, possible = float(earned), float(possible)
    except (TypeError, ValueError):
        return None
    if not possible:
        return None
    return min(max(earned / possible, 0.0), 1.0)


def _number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _table(value):
    return value if isinstance(value, dict) else {}


def _bump(table, key, by=1):
    table[key] = _number(table.get(key)) + by


def _bump2(table, outer, inner):
    row = dict(_table(table.get(outer)))
    _bump(row, inner)
    table[outer] = row


def empty_shard():
    return {"started": 0, "completed": 0, "attempts": 0, "endings": {}, "choices": {},
            "back": {}, "grades": [0] * BUCKETS}


def count(shard, marks, events, completed=False, grade=None, latest=None):
    """The shard and the learner's marks after one action's events.

    ``events``: the (name, data) pairs the engine gave for the action. ``completed``: the learner
    has finished at least one attempt. ``grade``: the learner's grade now, in [0, 1], or None.
    ``latest``: the score, in [0, 1], of the attempt that just ended, if one did.
    ``marks`` (the learner's own record of how they are counted) makes "started", "completed"
    and the histogram count each learner once. Neither argument is changed.
    """
    shard = {**empty_shard(), **_table(shard)}
    for key in ("endings", "choices", "back"):
        shard[key] = dict(_table(shard[key]))
    grades = shard["grades"] if isinstance(shard["grades"], list) else []
    shard["grades"] = (grades + [0] * BUCKETS)[:BUCKETS]
    marks = dict(_table(marks))
    for name, data in events:
        if name == "started":
            shard["attempts"] = _number(shard["attempts"]) + 1
            if not marks.get("started"):
                marks["started"] = True
                shard["started"] = _number(shard["started"]) + 1
        elif name == "restarted":
            shard["attempts"] = _number(shard["attempts"]) + 1
        elif name == "chose":
            _bump2(shard["choices"], data["node"], data["choice"])
        elif name == "went_back":
            _bump2(shard["back"], data["node"], data["choice"])
        elif name == "ended":
            _bump(shard["endings"], data["ending"])
    if completed and not marks.get("completed"):
        marks["completed"] = True
        shard["completed"] = _number(shard["completed"]) + 1
    if latest is not None:
        best = marks.get("best")
        marks["best"] = max(best, latest) if isinstance(best, int | float) else latest
    if grade is not None:
        _move(shard["grades"], marks, bucket_of(grade))
    return shard, marks


def _move(grades, marks, bucket):
    before = marks.get("bucket")
    if before == bucket:
        return
    if isinstance(before, int) and 0 <= before < BUCKETS:
        grades[before] = _number(grades[before]) - 1
    grades[bucket] = _number(grades[bucket]) + 1
    marks["bucket"] = bucket


@dataclass(frozen=True)
class Totals:
    """The shards added up."""

    started: int = 0
    completed: int = 0
    attempts: int = 0
    endings: tuple = ()    # ((ending id, count), ...)
    choices: tuple = ()    # (((node id, choice id), count), ...)
    back: tuple = ()       # (((node id, choice id), count), ...)
    grades: tuple = (0,) * BUCKETS

    @cached_property
    def _lookup(self):
        return dict(self.endings), dict(self.choices), dict(self.back)

    def ending(self, ending_id):
        return self._lookup[0].get(ending_id, 0)

    def chosen(self, node_id, choice_id):
        return self._lookup[1].get((node_id, choice_id), 0)

    def taken_back(self, node_id, choice_id):
        return self._lookup[2].get((node_id, choice_id), 0)

    @property
    def completion_rate(self):
        return self.completed / self.started if self.started else 0.0


def _add_flat(total, table):
    for key, value in _table(table).items():
        if isinstance(key, str):
            total[key] = total.get(key, 0) + _number(value)


def _add_nested(total, table):
    for node_id, row in _table(table).items():
        if isinstance(row, dict):
            for choice_id, value in row.items():
                key = (node_id, choice_id)
                total[key] = total.get(key, 0) + _number(value)


def merge(shards):
    """Totals over shards (dicts, possibly empty, malformed parts ignored).

    A grade bucket can only be negative in one shard after lost writes; each shard's bucket
    counts as at least zero.
    """
    started = completed = attempts = 0
    endings, choices, back, grades = {}, {}, {}, [0] * BUCKETS
    for shard in shards:
        if not isinstance(shard, dict):
            continue
        started += _number(shard.get("started"))
        completed += _number(shard.get("completed"))
        attempts += _number(shard.get("attempts"))
        _add_flat(endings, shard.get("endings"))
        _add_nested(choices, shard.get("choices"))
        _add_nested(back, shard.get("back"))
        grades_stored = shard.get("grades")
        for index, value in enumerate(grades_stored[:BUCKETS] if isinstance(grades_stored, list)
                                      else ()):
            grades[index] += _number(value)
    return Totals(started, completed, attempts, tuple(sorted(endings.items())),
                  tuple(sorted(choices.items())), tuple(sorted(back.items())), tuple(grades))


# -- what staff see: the dashboard's numbers and the aggregates as CSV rows ------------------------

def _share(part, whole):
    return round(part / whole, 4) if whole else 0.0


def _choice_rows(node, totals, counted):
    known = {choice.id for choice in node.choices}
    rows = [{"id": c.id, "text": c.text, "rating": c.rating, "points": c.points,
             "target": c.target, "count": totals.chosen(node.id, c.id),
             "back": totals.taken_back(node.id, c.id)} for c in node.choices]
    rows += [{"id": choice_id, "text": "", "rating": "removed", "points": None, "target": "",
              "count": totals.chosen(node.id, choice_id), "back": totals.taken_back(node.id, choice_id)}
             for choice_id in counted.get(node.id, ()) if choice_id not in known]
    total = sum(row["count"] for row in rows)
    for row in rows:
        row["share"] = _share(row["count"], total)
    return rows, total


def _counted_choices(totals):
    counted = {}
    for (node_id, choice_id), _count in totals.choices + totals.back:
        counted.setdefault(node_id, [])
        if choice_id not in counted[node_id]:
            counted[node_id].append(choice_id)
    return counted


class _Gone:
    """A node no longer in the scenario but still in the counts."""

    def __init__(self, node_id):
        self.id, self.title, self.choices = node_id, node_id, ()


def _nodes(scenario, totals):
    counted = _counted_choices(totals)
    nodes = list(scenario.nodes) if scenario else []
    present = {node.id for node in nodes}
    nodes += [_Gone(node_id) for node_id in counted if node_id not in present]
    found = []
    for node in nodes:
        rows, total = _choice_rows(node, totals, counted)
        found.append({"id": node.id, "title": node.title, "removed": isinstance(node, _Gone),
                      "total": total, "choices": rows})
    return found


def _endings(scenario, totals):
    reached = dict(totals.endings)
    endings = [(e.id, e.title, e.outcome) for e in (scenario.endings if scenario else ())]
    endings += [(ending_id, ending_id, "removed") for ending_id in reached
                if ending_id not in {e[0] for e in endings}]
    whole = sum(reached.values())
    return [{"id": ending_id, "title": title, "outcome": outcome, "count": reached.get(ending_id, 0),
             "share": _share(reached.get(ending_id, 0), whole)}
            for ending_id, title, outcome in endings]


def _grades(totals):
    whole = sum(totals.grades)
    step = 100 // BUCKETS
    return [{"low": index * step, "high": 100 if index == BUCKETS - 1 else (index + 1) * step - 1,
             "count": value, "share": _share(value, whole)}
            for index, value in enumerate(totals.grades)]


def summary(totals, scenario, top=5):
    """The dashboard's numbers as a JSON-able dict (``scenario`` may be None if unreadable)."""
    nodes = _nodes(scenario, totals)
    harmful = [{"node": node["id"], "node_title": node["title"], "choice": row["id"],
                "text": row["text"], "count": row["count"]}
               for node in nodes for row in node["choices"]
               if row["rating"] == "harmful" and row["count"]]
    harmful.sort(key=lambda item: -item["count"])
    return {
        "learners": {"started": totals.started, "completed": totals.completed,
                     "in_progress": max(totals.started - totals.completed, 0),
                     "completion_rate": round(totals.completion_rate, 4)},
        "attempts": totals.attempts,
        "endings": _endings(scenario, totals),
        "grades": _grades(totals),
        "nodes": nodes,
        "harmful": harmful[:top],
    }


AGGREGATE_COLUMNS = ("section", "id", "choice", "label", "count", "share", "taken back")


def aggregate_rows(view):
    """The dashboard's numbers (``summary``) as flat rows under ``AGGREGATE_COLUMNS``."""
    learners = view["learners"]
    yield ("learners", "started", "", "", learners["started"], "", "")
    yield ("learners", "completed", "", "", learners["completed"], learners["completion_rate"], "")
    yield ("learners", "in progress", "", "", learners["in_progress"], "", "")
    yield ("attempts", "begun", "", "", view["attempts"], "", "")
    for ending in view["endings"]:
        yield ("ending", ending["id"], "", ending["outcome"], ending["count"], ending["share"], "")
    for grade in view["grades"]:
        yield ("grade", f"{grade['low']}-{grade['high']}%", "", "", grade["count"], grade["share"], "")
    for node in view["nodes"]:
        for row in node["choices"]:
            yield ("choice", node["id"], row["id"], row["rating"], row["count"], row["share"],
                   row["back"])
