"""The instructor report over many learners: rows per second and peak memory.

    python bench/reports.py [--quick]

``generate_report_data`` is fed a lazy iterator of synthetic learner states (as the LMS's
user_state_client.iter_all_for_block is) and every row is consumed and dropped. Measured:

- rows/s of the report alone: the input cycles through a pool of 5,000 ready states, so making
  the input costs next to nothing (best of a few runs, no tracing);
- rows/s end to end: every state is built afresh as it is read (what a lazy store client does);
- the peak of memory allocated while the report runs (tracemalloc, a separate run, fresh states).
  Flat means the peak does not grow with the number of learners.

Also: one learner action's aggregate update (``record``) and the dashboard's numbers.
Prints a Markdown table; figures are this machine's. Nothing here is asserted by tests.
"""
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections import namedtuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shapes import scenario_xml  # noqa: E402
from cultural_safety_xblock import cohort  # noqa: E402
from cultural_safety_xblock.scenario import engine  # noqa: E402
from cultural_safety_xblock.scenario.compiled import compile_text  # noqa: E402
from tests.support.runtime import Learner  # noqa: E402

COUNTS = (1_000, 10_000, 100_000)
NODES = 12          # paths of 4 to 7 decisions, like the course's scenarios
UserState = namedtuple("UserState", "username state")


def walks(scenario, count=64, seed=5):
    """``count`` random complete paths through the scenario, as stored [node, choice] lists."""
    chooser = random.Random(seed)
    rules = engine.Rules()
    found = []
    for _ in range(count):
        state = engine.start(scenario, engine.State(), rules, 0).state
        while not engine.finished(scenario, state):
            pick = chooser.choice(engine.offered(scenario, state))
            state = engine.choose(scenario, state, rules, state.place, pick.id, state.version).state
        found.append((state.place, [list(step) for step in state.path]))
    return found


def learner_states(count, paths):
    """A lazy stream of plausible stored states: 10% not started, 30% in progress, 60% done."""
    for number in range(count):
        ending, path = paths[number % len(paths)]
        kind = number % 10
        state = {"seen_content": "0123456789abcdef", "notice": ""}
        if kind == 0:
            yield UserState(f"learner{number}", state)
            continue
        state["last_activity"] = "2026-11-22T10:00:00+00:00"
        if kind <= 3:
            half = path[: len(path) // 2]
            state["progress"] = {"place": path[len(half)][0], "path": half, "version": 4,
                                 "attempt": 1}
        else:
            points = sum(2 if choice == "c0" else choice == "c1" for _node, choice in path)
            possible = 2 * len(path)
            state.update(
                progress={"place": ending, "path": path, "version": 9, "attempt": 2},
                score_earned=points / possible, score_possible=1.0, graded_path=path,
                completions=2,
                last_result={"ending": ending, "points": points, "possible": possible,
                             "fraction": points / possible,
                             "harmful": sum(choice == "c2" for _node, choice in path),
                             "path": path, "dimensions": {"voice": points}},
                reflections={"why": "Because the client had asked me to decide."},
                report_marks={"started": True, "completed": True, "bucket": 5,
                              "best": points / possible})
        yield UserState(f"learner{number}", state)


def pooled(count, paths):
    pool = list(learner_states(5_000, paths))
    return itertools.islice(itertools.cycle(pool), count)


def consume(block, states, count):
    rows = 0
    for _username, _row in block.generate_report_data(states):
        rows += 1
    assert rows == count
    return rows


def rate(block, count, paths, runs, fresh=False):
    """(rows per second of wall time, rows per second of this process's CPU time), best runs.

    CPU time is the steadier figure on a shared machine: other processes do not inflate it."""
    wall = cpu = float("inf")
    for _ in range(runs):
        states = learner_states(count, paths) if fresh else pooled(count, paths)
        began, began_cpu = time.perf_counter(), time.process_time()
        consume(block, states, count)
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    return count / wall, count / max(cpu, 1e-9)


def peak_kib(block, count, paths):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    consume(block, learner_states(count, paths), count)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 1024


def record_micros(text, repeat=2000):
    """Median µs of ``record`` for one choice (the aggregate update a learner action adds)."""
    block = Learner(text).block
    block.last_result = {}
    events = (("chose", {"node": "n0", "choice": "c0"}),)
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        block.record(events, None)
        samples.append((time.perf_counter() - began) * 1e6)
    return statistics.median(samples)


def main(quick=False):
    text = scenario_xml(NODES, root="scenario").replace(
        "<debrief>", '<reflection id="why" prompt="Why?"/><debrief>')
    scenario = compile_text(text).scenario
    paths = walks(scenario)
    block = Learner(text, reflections_in_reports=True).block
    counts = COUNTS[:2] if quick else COUNTS
    rate(block, 5_000, paths, 1)     # warm up: caches, allocator
    lines = [f"Scenario: {NODES} nodes, 3 choices each, paths of "
             f"{min(len(p) for _e, p in paths)}-{max(len(p) for _e, p in paths)} steps; "
             "reflections in the report (the widest row).", "",
             "| learners | rows/s, report alone (wall / CPU) | rows/s, end to end (wall / CPU) "
             "| peak memory (KiB) |",
             "|---:|---:|---:|---:|"]
    for count in counts:
        runs = 7 if count <= 10_000 else 4
        alone = rate(block, count, paths, runs)
        whole = rate(block, count, paths, runs, fresh=True)
        lines.append(f"| {count:,} | {alone[0]:,.0f} / {alone[1]:,.0f} | "
                     f"{whole[0]:,.0f} / {whole[1]:,.0f} | {peak_kib(block, count, paths):,.1f} |")
    lines += ["", f"record() per learner action: {record_micros(text):.1f} µs median "
              "(the counter field of the chosen node rewritten: one of "
              f"{len(cohort.COUNTER_FIELDS)})."]
    began = time.perf_counter()
    for _ in range(20):
        block.cohort_summary()
    lines.append(f"Dashboard numbers (cohort_summary, {NODES} nodes): "
                 f"{(time.perf_counter() - began) / 20 * 1000:.2f} ms.")
    print("\n".join(lines))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
