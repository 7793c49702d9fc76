"""What a cohort did: counters kept beside the learners' own state, and merged for staff.

Pure functions on JSON-able dicts; no XBlock, no Django. The block keeps the counters in
``Scope.user_state_summary`` fields and, after every learner action, calls ``count`` for the
totals and ``tally`` for the choices.

Where the counts are kept
-------------------------
A learner belongs to one of ``SHARDS`` shards (a stable hash of their user id), and writes:

- the shard's totals (started, completed, attempts, endings, score histogram) in ``cohort_N``:
  small, and written only by the actions that change them (a start, a restart, an ending);
- a choice, or a choice taken back, in the counter field of its node for that shard,
  ``counts_N_K``: K is a stable hash (crc32) of the node id modulo ``fields_per_shard(nodes)``,
  a power of two that keeps a field at about ``NODES_PER_FIELD`` nodes (three counters each in
  a usual scenario) up to ``MOST_FIELDS_PER_SHARD`` fields a shard, i.e. up to 1,024 nodes.

So a learner's step reads and writes one field of about 16 nodes' counters, however large the
scenario and however many of its choices the cohort has made. Measured (bench, a cohort that made
every choice, one step): with all the choices in the learner's shard, as before, the step took
0.29 ms at 10 nodes and 1.6 ms at 1,000 (1.3 µs a node: JSON in and out, copies); now 0.26 ms at
10, 100 and 1,000 nodes alike. 16 nodes cost about 20 µs, under a tenth of a step; a field of 32
would leave too little room under the 20% a step may grow, and more fields cost staff (below).

The numbers' price: 8 x 64 = 512 counter fields are declared. The staff figures ask each whether
it was ever written (about 2 ms in all) and read those that were. In the LMS every request
fetches all of a block's stored user_state_summary rows (undecoded), one per field written: up
to 16 for a 10-node scenario and 24 for a 30-node one (8 before), up to 520 (holding the same
counts as the 8 did) for a 1,000-node one whose cohort made every choice in every shard.

Blocks that counted before the counter fields existed keep their choice tables ("choices" and
"back") inside ``cohort_N``; ``count`` carries them over unchanged when it rewrites the totals,
nothing writes to them any more, and ``merge`` adds every field up: each action was counted in
exactly one place, so old and new counts add without counting anything twice. If an edit changes
the number of fields a shard uses, a node's later counts go to another field; ``merge`` adds them all too.

Concurrent writers
------------------
The LMS stores each user_state_summary field as one row (usage id, field name) and a handler
saves the whole value of each field it changed: the last writer of a field wins. A learner only
writes fields of their own shard, so:

- learners acting at the same moment on shards that differ never disturb each other;
- two actions of one shard that read the same field before either saved: the second save
  overwrites the first, and the counts of the first action are lost. Nothing is counted twice.
  Two learners of one shard choosing at nodes in different counter fields no longer collide,
  so contention is lower than with one field a shard, never higher.

Every counter but the grade histogram only goes up, so a lost write makes a total a little too
low, never too high: each total is short by at most the number of overlapping same-field writes.
The histogram moves a learner from one bucket to another using the bucket recorded in the
learner's own state (``marks``), so one learner is never in two buckets; a lost write can leave a
bucket one off, and merged buckets never go below zero. The exact figures are always available
from the learners' own state (the instructor report, ``cultural-safety report``).

A field's first write is an INSERT in the LMS, which fails when another request inserted the
row since this one began: the block then keeps the step's events for that field in the
learner's marks ("unsent") and counts them with the learner's next step that reads the marks
(reports.py, ``store_counts``); a write overwritten by another cannot be seen, and stays lost.
How much is lost, measured under concurrent writers: bench/counter_loss.py, bench/COUNTER_LOSS.md.
"""
import zlib
from dataclasses import dataclass
from functools import cached_property

SHARDS = 8
NODES_PER_FIELD = 16         # about this many nodes' counters in a counter field, up to ...
MOST_FIELDS_PER_SHARD = 64   # ... this many counter fields a shard: 1,024 nodes
BUCKETS = 10                 # score histogram: 0-9 %, 10-19 %, ... 90-100 %

SHARD_FIELDS = tuple(f"cohort_{shard}" for shard in range(SHARDS))
COUNTER_FIELDS = tuple(f"counts_{shard}_{number}"
                       for shard in range(SHARDS) for number in range(MOST_FIELDS_PER_SHARD))
FIELDS = SHARD_FIELDS + COUNTER_FIELDS   # everything ``merge`` adds up
CHOICE_TABLES = {"chose": "choices", "went_back": "back"}


def shard_of(user_id):
    """The shard a learner writes; stable across processes (unlike hash())."""
    return zlib.crc32(str(user_id).encode("utf-8")) % SHARDS


def fields_per_shard(node_count):
    """How many counter fields a shard uses for a scenario of ``node_count`` nodes: the least
    power of two giving NODES_PER_FIELD nodes a field or fewer, at most MOST_FIELDS_PER_SHARD."""
    needed = -(-node_count // NODES_PER_FIELD)
    return min(1 << max(needed - 1, 0).bit_length(), MOST_FIELDS_PER_SHARD)


def counter_field(shard, node_id, per_shard):
    """The counter field of a node for the learners of ``shard`` (``per_shard``: fields used)."""
    return f"counts_{shard}_{zlib.crc32(str(node_id).encode('utf-8')) % per_shard}"


def counter_writes(shard, events, node_count):
    """{counter field: its events}: where a learner of ``shard`` counts one action's choices."""
    per_shard = fields_per_shard(node_count)
    found = {}
    for event in events:
        if event[0] in CHOICE_TABLES:
            found.setdefault(counter_field(shard, event[1]["node"], per_shard), []).append(event)
    return found


def tallied(fields, shard, events, node_count):
    """``fields`` ({field name: value}, not changed) with a learner of ``shard``'s choice events
    counted: what ``record`` does, for tools that build fields without a block."""
    fields = dict(fields)
    for name, found in counter_writes(shard, events, node_count).items():
        fields[name] = tally(fields.get(name), found)
    return fields


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
    return {"started": 0, "completed": 0, "attempts": 0, "endings": {}, "grades": [0] * BUCKETS}


def count(shard, marks, events, completed=False, grade=None, latest=None):
    """The shard's totals and the learner's marks after one action's events.

    ``events``: the (name, data) pairs the engine gave for the action; choices and goings back
    are not counted here but in counter fields (``counter_writes``, ``tally``). ``completed``:
    the learner has finished at least one attempt. ``grade``: the learner's grade now, in
    [0, 1], or None. ``latest``: the score, in [0, 1], of the attempt that just ended, if one
    did. ``marks`` (the learner's own record of how they are counted) makes "started",
    "completed" and the histogram count each learner once. Neither argument is changed; a
    shard's tables of the earlier layout ("choices", "back") are carried over as they are.
    """
    shard = {**empty_shard(), **_table(shard)}
    shard["endings"] = dict(_table(shard["endings"]))
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


def tally(counters, events):
    """A counter field's value after choice events ("chose", "went_back"); not changed."""
    counters = dict(_table(counters))
    for name, data in events:
        key = CHOICE_TABLES.get(name)
        if key is not None:
            table = dict(_table(counters.get(key)))
            _bump2(table, data["node"], data["choice"])
            counters[key] = table
    return counters


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
