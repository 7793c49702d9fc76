"""Cohort scale: the instructor report and the aggregates at 1k, 10k and 100k learners.

The learner states are real ones: a few dozen learners play the block (random paths, some
finished, some midway, some not begun) through the same runtime and store as the other
measures, and their stored user_state is read back. The report is then fed a lazy stream of
``count`` states cycling through them (each a fresh copy, as the LMS decodes one per row), and
every row is consumed and dropped. Time is measured without tracing; peak memory in a separate
run under tracemalloc (what the report allocates above what it started with).

Aggregates: ``count`` learners' actions folded into the block's shards the way ``record`` folds
them, then the staff numbers (``cohort_summary``) and a learner's step over those shards.
"""
import json
import random
import time
import tracemalloc
from collections import namedtuple

from xblock.fields import Scope

from bench.contenders import DEPTH, shape
from bench.harness import Request, median

COUNTS = (1_000, 10_000, 100_000)
NODES = 30
POOL = 48
UserState = namedtuple("UserState", "username state block_key updated scope")


def _block_class():
    from cultural_safety_xblock.block import CulturalSafetyScenarioBlock

    return CulturalSafetyScenarioBlock


def played_states(text, pool=POOL, seed=3):
    """[(user_state dict, events)] of ``pool`` learners who really played, varied."""
    chooser = random.Random(seed)
    block_class = _block_class()
    store = Request(block_class, "cultural_safety_scenario", user="staff").store
    Request(block_class, "cultural_safety_scenario", store=store).set_fields(scenario_xml=text)
    found = []
    for number in range(pool):
        user = f"player{number}"
        learner = Request(block_class, "cultural_safety_scenario", store=store, user=user)
        kind = number % 4   # 0: not begun, 1: midway, 2-3: finished (some twice)
        if kind:
            answer = json.loads(learner.post("begin", {"version": 0, "node": ""})[1])
            steps = DEPTH // 2 if kind == 1 else NODES
            for _ in range(steps):
                if answer.get("status") == "ending":
                    break
                node = answer["stage"].split('data-node="', 1)[1].split('"', 1)[0]
                answer = json.loads(learner.post("choose", {
                    "version": answer["version"], "node": node,
                    "choice": chooser.choice(("c0", "c0", "c1", "c2"))})[1])
        found.append({field: json.loads(value) for (scope, owner, _block, field), value
                      in store.rows.items() if owner == user and scope == Scope.user_state})
    return found


def stream(states, count):
    for number in range(count):
        yield UserState(f"learner{number}", json.loads(json.dumps(states[number % len(states)])),
                        "block", None, "user_state")


def report_block(text):
    request = Request(_block_class(), "cultural_safety_scenario", user="staff", staff=True)
    request.set_fields(scenario_xml=text)
    return request.block()


def consume(block, states, count):
    rows = 0
    for _username, _row in block.generate_report_data(stream(states, count)):
        rows += 1
    if rows != count:
        raise RuntimeError(f"the report gave {rows} rows for {count} learners")


def report_figures(block, states, count):
    """(seconds, peak KiB) of the report over ``count`` learners."""
    began = time.thread_time()
    consume(block, states, count)
    seconds = time.thread_time() - began
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    consume(block, states, count)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, peak / 1024


def aggregate_figures(text, count):
    """(µs per learner folded in, summary ms, step ms over those shards, peak KiB of summary)."""
    from cultural_safety_xblock import cohort
    from cultural_safety_xblock.scenario.compiled import compile_text

    walk = [("started", {"attempt": 1})] + [
        ("chose", {"node": f"n{number}", "choice": f"c{number % 3}"}) for number in range(DEPTH)]
    nodes = len(compile_text(text).scenario.nodes)
    shards = {}
    began = time.thread_time()
    for number in range(count):   # as ``record`` does: the shard's totals, the nodes' counters
        shard = cohort.shard_of(f"learner{number}")
        name = cohort.SHARD_FIELDS[shard]
        shards[name], _marks = cohort.count(shards.get(name, {}), {}, walk, completed=False)
        for field, found in cohort.counter_writes(shard, walk, nodes).items():
            shards[field] = cohort.tally(shards.get(field), found)
    fold = (time.thread_time() - began) / count * 1e6
    request = Request(_block_class(), "cultural_safety_scenario", user="staff", staff=True)
    request.set_fields(scenario_xml=text, **shards)
    summary = []
    for _ in range(20):
        block = request.block()
        began = time.thread_time()
        block.cohort_summary()
        summary.append((time.thread_time() - began) * 1000)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    request.block().cohort_summary()
    peak = (tracemalloc.get_traced_memory()[1] - base) / 1024
    tracemalloc.stop()
    learner = Request(_block_class(), "cultural_safety_scenario", store=request.store,
                      user="learner_x")
    answer = json.loads(learner.post("begin", {"version": 0, "node": ""})[1])
    steps = []
    for _ in range(200):
        node = answer["stage"].split('data-node="', 1)[1].split('"', 1)[0]
        body = {"version": answer["version"], "node": node, "choice": "c0"}
        began = time.thread_time()
        answer = json.loads(learner.post("choose", body)[1])
        steps.append((time.thread_time() - began) * 1000)
        if answer["status"] == "ending" or len(steps) % DEPTH == 0:
            node = answer["stage"].split('data-node="', 1)[1].split('"', 1)[0]
            answer = json.loads(learner.post("restart", {"version": answer["version"],
                                                         "node": node})[1])
    return fold, median(summary), median(steps), peak


def measure(counts=COUNTS):
    """Rows for RESULTS.md: one per count, or a single row saying what is missing."""
    text = shape(NODES)
    block_class = _block_class()
    if not hasattr(block_class, "generate_report_data"):
        return [("pending", "the block has no generate_report_data yet (issue 5)")]
    states = played_states(text)
    block = report_block(text)
    consume(block, states, 1_000)   # warm up
    rows = []
    for count in counts:
        seconds, peak = report_figures(block, states, count)
        fold, summary, step, summary_peak = aggregate_figures(text, count)
        rows.append((count, seconds, peak, fold, summary, step, summary_peak))
    return rows
