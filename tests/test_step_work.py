"""The work of a learner's step does not grow with the scenario or with what the cohort did."""
import json
from types import SimpleNamespace

import pytest
from xblock.fields import Scope
from xblock.runtime import DictKeyValueStore

from bench.contenders import cohort_shards
from bench.harness import python_calls
from bench.shapes import scenario_xml
from cultural_safety_xblock import cohort
from tests.support.runtime import Learner


def every_choice_counted(text):
    """Aggregate fields as after a cohort has made every choice of the scenario in every shard."""
    return cohort_shards(text)


def python_calls_in_a_step(nodes, counted):
    """How many Python function calls one step makes (a measure of work that no noise moves)."""
    text = scenario_xml(nodes)
    learner = Learner(text, **(every_choice_counted(text) if counted else {}))
    learner.begin()
    learner.choose("c0")
    learner.load()   # a fresh block, as for a new request
    answers = []
    calls = python_calls(lambda: answers.append(learner.choose("c0")))
    assert answers[0][0] == 200
    return calls


def test_a_step_does_no_more_work_in_a_large_scenario_whose_cohort_made_every_choice():
    small = python_calls_in_a_step(10, counted=False)
    assert python_calls_in_a_step(300, counted=True) <= small * 1.1


def test_with_a_full_cohort_a_step_makes_no_more_python_calls_at_300_nodes_than_at_10():
    assert python_calls_in_a_step(300, counted=True) <= python_calls_in_a_step(10, counted=True)


class WatchedStore(DictKeyValueStore):
    """A field store that notes the cohort fields (user_state_summary) read and written."""

    def __init__(self):
        super().__init__()
        self.read, self.written = {}, {}

    def get(self, key):
        value = super().get(key)
        if key.scope == Scope.user_state_summary:
            self.read[key.field_name] = value
        return value

    def set(self, key, value):
        if key.scope == Scope.user_state_summary:
            self.written[key.field_name] = value
        super().set(key, value)

    def set_many(self, update_dict):
        for key, value in update_dict.items():
            self.set(key, value)


def cohort_fields_of_a_step(nodes, choice="c0"):
    """({field: value} read, {field: value} written) by one choice of a learner midway."""
    text = scenario_xml(nodes)
    store = WatchedStore()
    learner = Learner(text, store=store, **every_choice_counted(text))
    learner.begin()
    learner.choose("c0")
    learner.load()
    store.read.clear()
    store.written.clear()
    assert learner.choose(choice)[0] == 200
    return store.read, store.written


def counted_nodes(values):
    return sum(len(value.get("choices", {})) + len(value.get("back", {}))
               for value in values.values())


@pytest.mark.parametrize("nodes", [10, 300, 997])   # 997 and 3 endings: the most allowed
def test_with_a_full_cohort_a_step_reads_and_writes_one_small_counter_field(nodes):
    read, written = cohort_fields_of_a_step(nodes)
    assert list(read) == list(written) and len(written) == 1
    assert list(written)[0] in cohort.COUNTER_FIELDS   # the shard's totals are left alone
    # a field holds about NODES_PER_FIELD nodes' counters whatever the scenario's size
    assert counted_nodes(written) <= 2 * cohort.NODES_PER_FIELD
    assert json.dumps(written).count('"c1"') == counted_nodes(written)   # every node counted


def test_counts_recorded_by_a_step_survive_a_reload():
    text = scenario_xml(5)
    learner = Learner(text, **every_choice_counted(text))
    learner.begin()
    learner.choose("c1")
    learner.load()
    totals = learner.block.cohort_totals()
    shards = cohort.SHARDS  # every shard counted every choice once; the step adds one
    assert totals.chosen("n0", "c1") == shards + 1 and totals.chosen("n0", "c0") == shards


class LearnerFieldsStore(DictKeyValueStore):
    """A field store that notes the learner's own fields (user_state) a request writes."""

    def __init__(self):
        super().__init__()
        self.written = []

    def set(self, key, value):
        if key.scope == Scope.user_state:
            self.written.append(key.field_name)
        super().set(key, value)

    def set_many(self, update_dict):
        for key, value in update_dict.items():
            self.set(key, value)


def test_a_step_midway_writes_only_the_learners_progress_of_their_own_fields():
    store = LearnerFieldsStore()
    learner = Learner(scenario_xml(10), store=store)
    learner.begin()
    learner.choose("c0")
    learner.load()
    store.written.clear()
    assert learner.choose("c0")[0] == 200
    assert store.written == ["progress"]
    progress = learner.load().progress
    assert progress["seen"] == learner.block.content_hash and progress["at"]


def test_a_state_stored_before_progress_held_its_hash_and_time_plays_on_and_is_reported():
    learner = Learner(scenario_xml(10))
    learner.begin()
    learner.choose("c0")
    block = learner.load()
    old = {key: value for key, value in block.progress.items() if key not in ("seen", "at")}
    block.progress, block.seen_content = old, block.content_hash
    block.last_activity = "2025-01-02T03:04:05+00:00"
    block.save()
    stored_state = SimpleNamespace(username="old", state={
        "progress": old, "seen_content": block.content_hash,
        "last_activity": "2025-01-02T03:04:05+00:00"})
    _user, row = next(learner.load().generate_report_data(iter([stored_state])))
    assert row["Last activity"] == "2025-01-02T03:04:05+00:00"
    assert learner.load().learner_state().path == (("n0", "c0"),)   # not repaired: same text
    assert learner.load().notice == ""
    assert learner.choose("c0")[0] == 200
    assert learner.load().progress["at"] != "2025-01-02T03:04:05+00:00"
