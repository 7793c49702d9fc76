"""Where the cohort's counts are kept: totals per learner shard, choices in small counter fields,
and the counts of the earlier layout (choices inside the shards) still shown, never twice."""
import csv
import io
import json

from webob import Request

from bench.shapes import scenario_xml
from cultural_safety_xblock import cohort
from tests.support.builders import BRANCHING
from tests.support.runtime import Learner
from tests.test_concurrency import sent_for

USER = "student_1"
SHARD = cohort.shard_of(USER)
OTHER = next(shard for shard in range(cohort.SHARDS) if shard != SHARD)

# What a block stored before the choices moved to counter fields: the tables inside the shards.
OLD_LAYOUT = {
    f"cohort_{SHARD}": {"started": 2, "completed": 1, "attempts": 3, "endings": {"safe": 1},
                        "choices": {"a": {"good": 2, "bad": 1}, "b": {"best": 1}},
                        "back": {"a": {"bad": 1}}, "grades": [0] * 9 + [1]},
    f"cohort_{OTHER}": {"started": 1, "attempts": 1, "choices": {"a": {"good": 4}},
                        "back": {}, "endings": {}, "grades": [0] * 10},
}


def stored(learner, name):
    return learner.load().fields[name].read_from(learner.block)


def play_to_an_ending(learner):
    learner.begin()
    learner.choose("good")
    learner.choose("best")


def test_counts_kept_in_the_old_layout_show_beside_new_ones_and_are_never_counted_twice():
    learner = Learner(BRANCHING, user=USER, **OLD_LAYOUT)
    play_to_an_ending(learner)                    # "started" and "ended" rewrite the shard
    learner.post("restart", learner.seen())
    learner.choose("good")
    totals = learner.load().cohort_totals()
    assert totals.chosen("a", "good") == 2 + 4 + 2
    assert (totals.chosen("a", "bad"), totals.taken_back("a", "bad")) == (1, 1)
    assert totals.chosen("b", "best") == 1 + 1
    assert (totals.started, totals.completed, totals.attempts) == (2 + 1 + 1, 1 + 1, 3 + 1 + 2)
    assert totals.ending("safe") == 2 and totals.grades[9] == 2
    # the old tables ride along unchanged in the shard; the new counts are in counter fields
    shard = stored(learner, f"cohort_{SHARD}")
    assert shard["choices"] == OLD_LAYOUT[f"cohort_{SHARD}"]["choices"]
    assert shard["back"] == OLD_LAYOUT[f"cohort_{SHARD}"]["back"]
    field = cohort.counter_field(SHARD, "a", cohort.fields_per_shard(2))   # a and b: one field
    assert stored(learner, field) == {"choices": {"a": {"good": 2}, "b": {"best": 1}}}


def staff_get(learner, handler):
    block = learner.load()
    block.runtime.user_is_staff = True
    response = getattr(block, handler)(Request.blank("/", method="GET"))
    assert response.status_code == 200
    return response.body.decode("utf-8")


def test_the_staff_figures_and_their_csv_add_both_layouts_up():
    learner = Learner(BRANCHING, user=USER, **OLD_LAYOUT)
    play_to_an_ending(learner)
    view = json.loads(staff_get(learner, "staff_results"))
    node_a = next(node for node in view["nodes"] if node["id"] == "a")
    counts = {row["id"]: (row["count"], row["back"]) for row in node_a["choices"]}
    assert counts["good"] == (7, 0) and counts["bad"] == (1, 1) and node_a["total"] == 8
    assert view["learners"]["started"] == 4
    rows = list(csv.reader(io.StringIO(staff_get(learner, "staff_results_csv"))))
    assert ["choice", "a", "good", "best", "7", str(round(7 / 8, 4)), "0"] in rows
    assert ["choice", "b", "best", "best", "2", "1.0", "0"] in rows


def test_a_choice_taken_back_is_counted_in_the_nodes_counter_field():
    learner = Learner(BRANCHING, user=USER)
    learner.begin()
    learner.choose("bad")
    learner.post("back", learner.seen())
    learner.choose("good")
    field = cohort.counter_field(SHARD, "a", cohort.fields_per_shard(2))
    assert stored(learner, field) == {"choices": {"a": {"bad": 1, "good": 1}},
                                      "back": {"a": {"bad": 1}}}
    totals = learner.load().cohort_totals()
    assert (totals.chosen("a", "bad"), totals.taken_back("a", "bad")) == (1, 1)


def test_an_edit_that_changes_the_number_of_counter_fields_keeps_every_count():
    learner = Learner(scenario_xml(10), user=USER)
    learner.begin()
    learner.choose("c0")
    learner.block.scenario_xml = scenario_xml(40)   # 40 nodes: four counter fields a shard
    learner.block.save()
    learner.load()
    learner.post("restart", learner.seen())
    learner.choose("c0")
    before, after = (cohort.counter_field(SHARD, "n0", cohort.fields_per_shard(count))
                     for count in (10, 40))
    assert before != after
    assert learner.load().cohort_totals().chosen("n0", "c0") == 2


def test_learners_of_different_shards_never_write_the_same_field():
    nodes = [f"n{number}" for number in range(300)] + ["a", "b", "situation-é"]
    used = {cohort.fields_per_shard(count) for count in range(1, 2000, 7)}
    fields = {shard: {cohort.counter_field(shard, node, per_shard)
                      for node in nodes for per_shard in used}
              for shard in range(cohort.SHARDS)}
    for shard, names in fields.items():
        assert names <= set(cohort.COUNTER_FIELDS)
        for other in range(shard + 1, cohort.SHARDS):
            assert not names & fields[other]   # so no more lost writes than with shards alone


def test_a_counter_field_holds_about_as_many_nodes_whatever_the_scenario_size():
    for count in (1, 16, 17, 100, 500, 1000):
        per_shard = cohort.fields_per_shard(count)
        assert per_shard <= cohort.MOST_FIELDS_PER_SHARD and per_shard & (per_shard - 1) == 0
        assert (count / per_shard <= cohort.NODES_PER_FIELD
                or per_shard == cohort.MOST_FIELDS_PER_SHARD)
        assert per_shard == 1 or count / per_shard > cohort.NODES_PER_FIELD / 2   # no more than needed


def test_merging_a_rewritten_old_shard_with_counter_fields_counts_each_choice_once():
    old = OLD_LAYOUT[f"cohort_{SHARD}"]
    started = (("started", {"attempt": 1}),)
    rewritten, _marks = cohort.count(old, {}, started)
    fields = cohort.tallied({f"cohort_{SHARD}": rewritten}, SHARD,
                            (("chose", {"node": "a", "choice": "good"}),), 2)
    totals = cohort.merge(fields.values())
    assert totals.chosen("a", "good") == 3 and totals.taken_back("a", "bad") == 1
    assert totals.started == 3 and old == OLD_LAYOUT[f"cohort_{SHARD}"]   # nothing changed


# -- two learners at once, as the LMS runs two requests: both read, then both write ------------------

def loaded(learner):
    block = learner.load()
    for name in block.fields:      # every field read before anyone saves
        getattr(block, name)
    return block


def choose_at_once(learners, choice):
    blocks = [(loaded(learner), learner.seen()) for learner in learners]
    for block, seen in blocks:
        body = json.dumps(dict(seen, choice=sent_for(block, choice))).encode()
        response = block.choose(Request.blank("/", method="POST", body=body))
        block.save()
        assert response.status_code == 200


def learners_in(shards, text):
    """One learner per shard given (repeats allowed), all on one block, each at the first node."""
    names = iter(f"learner{number}" for number in range(1000))
    first = Learner(text, user=next(name for name in names if cohort.shard_of(name) == shards[0]))
    found = [first]
    for shard in shards[1:]:
        name = next(name for name in names if cohort.shard_of(name) == shard)
        found.append(Learner(store=first.store, user=name))
    for learner in found:
        learner.begin()
    return found


def test_learners_of_different_shards_choosing_at_one_node_at_once_are_both_counted():
    first, second = learners_in([SHARD, OTHER], BRANCHING)
    choose_at_once([first, second], "good")
    assert first.load().cohort_totals().chosen("a", "good") == 2


def test_learners_of_one_shard_choosing_at_once_lose_one_count_and_never_add_one():
    first, second = learners_in([SHARD, SHARD], BRANCHING)
    choose_at_once([first, second], "good")
    assert first.load().cohort_totals().chosen("a", "good") == 1   # the documented tolerance


def test_the_dashboard_says_its_figures_may_undercount_and_where_the_exact_ones_are():
    learner = Learner(BRANCHING, user=USER)
    play_to_an_ending(learner)
    block = learner.load()
    block.runtime.user_is_staff = True
    block.runtime.handler_url = lambda block, handler, *args, **kwargs: f"/{handler}"
    page = block.staff_view().content
    note = page[page.index('data-accuracy="may-undercount"'):]
    note = note[:note.index("</p>")]
    assert "may undercount when learners act at the same moment" in note
    assert "never higher" in note and "problem responses report" in note
    assert page.index("data-accuracy") < page.index('data-figure="started"')   # above the figures
