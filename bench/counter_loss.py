"""How many counts the cohort counters lose when learners act at the same moment.

Run:  PYTHONPATH=. .venv-test-3.11/bin/python bench/counter_loss.py [--latency 0.03] [--rounds 3]

Every learner is a real thread playing whole attempts of a 12-node scenario (the engine decides
each step; the learner's own state is exact, as it is in the LMS for a learner acting in one
tab). Each action is one request over ``tests/support/platform_store.py``'s stand-in for the
LMS's storage: the block's user_state_summary rows are read when the request starts
(``FieldDataCache``), the request works for ``latency`` seconds, then it writes the counter
fields it changed; a field it did not find is an INSERT that fails if another request inserted
it first (``UserStateSummaryCache``), a field it found is overwritten whole (last writer wins).
A write that fails is dropped, as the block drops it (no 500).

Designs measured (the same pure counting functions as the block, ``cohort.py``):

- ``8 shards, each step``: the block's layout: a learner's shard (of 8) totals, and their
  choices in a counter field of that shard, written at every action;
- ``32 shards, each step``: the same with four times as many shards;
- ``8 shards, at endings``: a start counted when it happens, the attempt's choices and its
  ending counted once, when it ends (one write per attempt instead of one per step);
- ``per-learner entries``: 8 fields holding each learner's own running totals, keyed by learner
  and rewritten whole by that learner at every action, so that an entry another writer
  overwrote is put right by the learner's next action.

Printed: each figure's loss (counted / true, over all rounds), failed writes, and the bytes of
counter rows a request reads at the end (the LMS fetches every such row on every request).
"""
import argparse
import json
import random
import sys
import time
import zlib
from collections import namedtuple

from xblock.exceptions import KeyValueMultiSaveError
from xblock.fields import Scope

from bench.shapes import scenario_xml
from cultural_safety_xblock import cohort
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.engine import Rules, State
from tests.support.platform_store import USAGE, Database, RequestStore, run_at_once

Key = namedtuple("Key", "scope field_name")
SCENARIO = compile_text(scenario_xml(12)).scenario
RULES = Rules(True, True, 0)
ATTEMPTS = 2


class Sharded:
    """The block's layout with ``shards`` shards, counted at each step or at endings only."""

    def __init__(self, shards, at_endings=False):
        self.shards, self.at_endings = shards, at_endings
        self.name = f"{shards} shards, " + ("at endings" if at_endings else "each step")

    def writes(self, rows, user, learner, events):
        shard = zlib.crc32(user.encode()) % self.shards
        if self.at_endings:
            learner.setdefault("pending", []).extend(e for e in events if e[0] in ("chose", "went_back"))
            kinds = {name for name, _data in events}
            if "ended" in kinds:
                events, learner["pending"] = learner["pending"] + [e for e in events
                                                                   if e[0] != "chose"], []
            elif not kinds & {"started", "restarted"}:
                return {}
            else:
                events = [e for e in events if e[0] in ("started", "restarted")]
        found = {}
        for name, tallied in cohort.counter_writes(shard, events, len(SCENARIO.nodes)).items():
            found[name] = cohort.tally(rows.get(name), tallied)
        totals = [e for e in events if e[0] in ("started", "restarted", "ended")]
        if totals:
            name = f"cohort_{shard}"
            found[name], learner["marks"] = cohort.count(rows.get(name), learner.get("marks"),
                                                         totals)
        return found

    def totals(self, rows):
        merged = cohort.merge(rows.values())
        return {"started": merged.started, "choices": sum(n for _key, n in merged.choices),
                "endings": sum(n for _key, n in merged.endings)}


class PerLearner:
    """Each learner's own running totals, in one of ``fields`` fields keyed by learner."""

    name = "per-learner entries"

    def __init__(self, fields=8):
        self.fields = fields

    def writes(self, rows, user, learner, events):
        own = learner.setdefault("own", {"started": 0, "choices": 0, "endings": 0})
        for name, _data in events:
            key = {"started": "started", "chose": "choices", "ended": "endings"}.get(name)
            if key:
                own[key] = 1 if key == "started" else own[key] + 1
        name = f"learners_{zlib.crc32(user.encode()) % self.fields}"
        entries = dict(rows.get(name) or {})
        entries[user] = dict(own)
        return {name: entries}

    def totals(self, rows):
        found = {"started": 0, "choices": 0, "endings": 0}
        for entries in rows.values():
            for own in entries.values():
                for key in found:
                    found[key] += own[key]
        return found


def play(database, design, user, seed, think=0.0):
    """One learner's attempts, one request per action (``think``: at most so many seconds
    between two of them, at random); the truth of what they did."""
    chooser = random.Random(seed)
    state, learner = State(), {}
    truth = {"started": 0, "choices": 0, "endings": 0}
    failed = 0
    while True:
        if not state.place:
            move = engine.start(SCENARIO, state, RULES, state.version)
        elif engine.finished(SCENARIO, state):
            if state.attempt >= ATTEMPTS:
                break
            move = engine.restart(SCENARIO, state, RULES, state.place, state.version)
        else:
            offered = engine.offered(SCENARIO, state)
            move = engine.choose(SCENARIO, state, RULES, state.place,
                                 chooser.choice(offered).id, state.version)
        state = move.state
        if think:
            time.sleep(chooser.uniform(0, think))
        request = RequestStore(database, user, USAGE)       # rows read as the request starts
        database.pause()                                     # the request's other work
        rows = {name: json.loads(text) for name, text in request.summary.items()}
        writes = design.writes(rows, user, learner, move.events)
        for name, _data in move.events:
            if name == "started":
                truth["started"] = 1
            elif name == "chose":
                truth["choices"] += 1
            elif name == "ended":
                truth["endings"] += 1
        if writes:
            try:
                request._save_summary({Key(Scope.user_state_summary, name): value
                                       for name, value in writes.items()})
            except KeyValueMultiSaveError:
                failed += 1
    return truth, failed


class AsBuilt:
    """The block itself, played through its handlers over the stand-in store (``Player``):
    the learner's own state, the published events and the counters as the block writes them
    (8 shards, each step, a count whose first write failed counted at the learner's next
    start or ending)."""

    name = "the block as built"

    def run(self, database, learners, seed, think):
        from cultural_safety_xblock.block import CulturalSafetyScenarioBlock as Block
        from tests.support.platform_store import Player, Request

        database.author(Block, scenario_xml=scenario_xml(12))

        class Thinking(Player):
            def act(self, handler, **extra):   # a pause before each action, as the others'
                if think:
                    time.sleep(self.random.uniform(0, think))
                return super().act(handler, **extra)

        players = [Thinking(database, Block, user=str(n), seed=seed * 1000 + n)
                   for n in range(1, learners + 1)]
        run_at_once([lambda p=p: [p.play_attempt() for _ in range(ATTEMPTS)] for p in players],
                    timeout=600)
        names = [name for _user, name, _data in database.events]
        truth = {"started": sum(1 for p in players if database.learner_state(p.user)),
                 "choices": names.count("xblock.cultural_safety.chose"),
                 "endings": names.count("xblock.cultural_safety.ended")}
        totals = Request(database, Block, user="staff", staff=True).block.cohort_totals()
        counted = {"started": totals.started, "choices": sum(n for _key, n in totals.choices),
                   "endings": sum(n for _key, n in totals.endings)}
        failed = sum(1 for _user, _handler, status in database.answers if status >= 500)
        return truth, counted, failed


def measure(design, learners, latency, seed, think=0.0):
    database = Database(latency=latency, seed=seed)
    if isinstance(design, AsBuilt):
        truth, counted, failed = design.run(database, learners, seed, think)
        rows = database.summary()
        return truth, counted, failed, sum(len(json.dumps(value)) for value in rows.values())
    # user ids as the LMS's: consecutive numbers (shards come from a hash of the id)
    results = run_at_once([lambda user=str(n), s=seed * 1000 + n: play(database, design, user, s,
                                                                       think)
                           for n in range(1, learners + 1)], timeout=600)
    truth = {key: sum(r[0][key] for r in results) for key in ("started", "choices", "endings")}
    rows = database.summary()
    counted = design.totals(rows)
    size = sum(len(json.dumps(value)) for value in rows.values())
    return truth, counted, sum(r[1] for r in results), size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.03,
                        help="seconds between a request's reads and its writes (default 0.03)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--learners", type=int, nargs="*", default=[20, 100])
    parser.add_argument("--think", type=float, default=0.0,
                        help="at most so many seconds between a learner's actions (default 0: "
                             "every learner acts again as soon as answered)")
    args = parser.parse_args(argv)
    designs = [AsBuilt(), Sharded(8), Sharded(16), Sharded(32), Sharded(8, at_endings=True),
               Sharded(32, at_endings=True), PerLearner()]
    print(f"latency {args.latency * 1000:.0f} ms, think time up to {args.think:g} s, "
          f"{args.rounds} rounds, 12-node scenario, {ATTEMPTS} attempts a learner, all learners "
          "released at once")
    print(f"{'design':24} {'learners':>8} {'starts lost':>12} {'choices lost':>13} "
          f"{'endings lost':>13} {'failed writes':>14} {'row bytes':>10}")
    print("(the block as built: 'failed writes' are answers of 500; its choices may differ from "
          "the other designs', which pick their own)")
    for learners in args.learners:
        for design in designs:
            truth = {"started": 0, "choices": 0, "endings": 0}
            counted = dict(truth)
            failed = size = 0
            for round_ in range(args.rounds):
                found = measure(design, learners, args.latency, round_ + 1, args.think)
                for key in truth:
                    truth[key] += found[0][key]
                    counted[key] += found[1][key]
                failed += found[2]
                size = max(size, found[3])
            lost = {key: 1 - counted[key] / truth[key] if truth[key] else 0.0 for key in truth}
            print(f"{design.name:24} {learners:>8} {lost['started']:>11.0%} "
                  f"{lost['choices']:>12.0%} {lost['endings']:>12.0%} {failed:>14} {size:>10}",
                  flush=True)
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    sys.exit(code)
