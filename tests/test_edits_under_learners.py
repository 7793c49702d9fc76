"""Authors edit a scenario while learners are in it and after they have finished.

Every kind of edit - a node removed, a choice retargeted or removed, an ending removed, points
changed, variables changed, a node inserted, the start moved, every id renamed, and an edit that
breaks the scenario then a fix - is applied to learners at every position (not begun, mid-attempt
on each branch, finished at each ending, finished and playing again). After each:

- the learner's next page renders (or, while the scenario is broken, the neutral page) and the
  state they act on is valid for the new version (``engine.repair`` has nothing left to do);
- attempts, completions and the grade are exactly as before: an edit never publishes, lowers or
  loses a grade;
- the learner can play on to an ending and their new grade follows the grading policy;
- rescoring scores the kept path against the scenario as it is now, as ``calculate_score`` says:
  edited points count, steps since removed count for neither side, and a path of which nothing
  is left keeps the score it had.

A property test then applies random edits of the same kinds to random learners.
"""
import dataclasses

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cultural_safety_xblock.scenario import engine, olx, scoring
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.engine import State
from cultural_safety_xblock.scenario.model import Choice, Effect, Node
from tests.support.builders import BRANCHING
from tests.support.runtime import Learner

ORIGINAL = compile_text(BRANCHING).scenario


# -- edits: functions from the scenario to an edited one ---------------------------------------------

def _nodes(scenario, change):
    return dataclasses.replace(scenario, nodes=tuple(filter(None, map(change, scenario.nodes))))


def _choices(scenario, change):
    def node(n):
        return dataclasses.replace(n, choices=tuple(filter(None, map(change, n.choices))))
    return _nodes(scenario, node)


def _retargeted(scenario, old, new):
    return _choices(scenario, lambda c: dataclasses.replace(c, target=new) if c.target == old else c)


def remove_node_b(scenario):
    instead = {"good": "safe", "bad": "unsafe", "ok": "mixed"}
    scenario = _nodes(scenario, lambda n: None if n.id == "b" else n)
    return _choices(scenario, lambda c: dataclasses.replace(c, target=instead[c.id]))


def retarget_good_to_safe(scenario):
    return _choices(scenario, lambda c: dataclasses.replace(c, target="safe")
                    if c.id == "good" else c)


def remove_ending_mixed(scenario):
    scenario = dataclasses.replace(scenario, endings=tuple(
        e for e in scenario.endings if e.id != "mixed"))
    return _retargeted(scenario, "mixed", "safe")


def change_points(scenario):
    points = {"good": 1, "bad": 2, "ok": 0, "best": 1, "fine": 2, "harm": 0, "repair": 2}
    return _choices(scenario, lambda c: dataclasses.replace(c, points=points[c.id]))


def change_variables(scenario):
    trust = dataclasses.replace(scenario.variables[0], initial=0, max=3)
    effects = {"good": (Effect("trust", add=3),), "bad": (Effect("trust", set=0),)}
    scenario = dataclasses.replace(scenario, variables=(trust,))
    return _choices(scenario, lambda c: dataclasses.replace(c, effects=effects.get(c.id, c.effects)))


def remove_variables(scenario):
    scenario = dataclasses.replace(scenario, variables=())
    return _choices(scenario, lambda c: None if c.id == "repair" else dataclasses.replace(
        c, effects=()))


def remove_choice_ok(scenario):
    return _choices(scenario, lambda c: None if c.id == "ok" else c)


def insert_node_after_a(scenario):
    middle = Node("c", "An extra moment", "<p>Scene c</p>",
                  (Choice("on", "b", "best", 2, "Go on", "<p>After on</p>"),))
    scenario = _choices(scenario, lambda c: dataclasses.replace(c, target="c")
                        if c.target == "b" else c)
    return dataclasses.replace(scenario, nodes=scenario.nodes + (middle,))


def move_the_start(scenario):
    first = Node("intro", "Before", "<p>Scene intro</p>",
                 (Choice("enter", "a", "best", 2, "Enter", "<p>After enter</p>"),))
    return dataclasses.replace(scenario, nodes=(first,) + scenario.nodes, start="intro")


def rename_everything(scenario):
    def place(id_):
        return "new_" + id_

    scenario = _choices(scenario, lambda c: dataclasses.replace(c, id="new_" + c.id,
                                                                 target=place(c.target)))
    scenario = _nodes(scenario, lambda n: dataclasses.replace(n, id=place(n.id)))
    return dataclasses.replace(scenario, endings=tuple(
        dataclasses.replace(e, id=place(e.id)) for e in scenario.endings), start="")


EDITS = {f.__name__: f for f in (remove_node_b, retarget_good_to_safe, remove_ending_mixed,
                                 change_points, change_variables, remove_variables,
                                 remove_choice_ok, insert_node_after_a, move_the_start,
                                 rename_everything)}
BROKEN = BRANCHING.replace('target="safe"', 'target="nowhere"', 1)


def text_of(edit):
    return olx.write(edit(ORIGINAL))


# -- learners at every position -------------------------------------------------------------------------

POSITIONS = {
    "not begun": (),
    "at the start": ("begin",),
    "mid-attempt after a good choice": ("good",),
    "mid-attempt after a harmful choice": ("bad",),
    "finished safe": ("good", "best"),
    "finished mixed": ("good", "fine"),
    "finished unsafe": ("bad", "harm"),
    "finished after a repair": ("bad", "repair"),
    "finished, playing again": ("good", "best", "restart", "ok"),
}


def learner_at(position, **settings):
    learner = Learner(BRANCHING, **settings)
    for move in POSITIONS[position]:
        if move == "begin":
            learner.begin()
        elif move == "restart":
            assert learner.post("restart", learner.seen())[0] == 200
        else:
            status, answer = learner.play(move)[-1]
            assert status == 200, answer
    return learner


def record(learner):
    block = learner.load()
    return {"score": tuple(block.get_score()), "completions": block.completions,
            "attempt": State.from_dict(block.progress or {}).attempt,
            "grades": len(learner.named("grade")), "graded_path": list(block.graded_path)}


def play_to_an_ending(learner):
    """Play on from wherever the learner is, through the handlers; returns the path taken."""
    scenario = learner.load().compiled.scenario
    state = learner.block.learner_state()
    if not state.place:
        assert learner.begin()[0] == 200
    elif engine.finished(scenario, state):
        assert learner.post("restart", learner.seen())[0] == 200
    for _step in range(20):
        state = learner.load().learner_state()
        if engine.finished(scenario, state):
            return state.path
        offered = engine.offered(scenario, state)
        assert offered, state
        # the first choice not yet taken on this path, so that an edit's loop is left
        fresh = [c for c in offered if (state.place, c.id) not in state.path] or offered
        status, answer = learner.choose(fresh[0].id)
        assert status == 200, answer
    raise AssertionError("no ending within 20 steps")


def assert_usable_and_nothing_lost(learner, before, text):
    """The learner's view of the edited scenario: valid state, same grade, can play on."""
    compiled = compile_text(text)
    block = learner.load()
    was = State.from_dict(block.progress or {})
    was_finished = engine.finished(ORIGINAL, was)
    page = block.student_view().content
    assert "not available" not in page
    state = learner.load().learner_state()
    learner.block.save()
    assert engine.repair(compiled.scenario, state) == (state, False)
    stored = State.from_dict(learner.load().progress or {})
    assert stored == state  # what they act on is what is stored
    if not was_finished:  # never moved onto an ending they did not choose (it would go ungraded)
        assert not engine.finished(compiled.scenario, state), (was, state)
    assert record(learner) == before  # no grade published, lowered or lost by the edit
    path = play_to_an_ending(learner)
    after = learner.load()
    new = scoring.result(compiled.scenario, path).fraction
    assert after.completions == before["completions"] + 1
    if before["score"][0] is not None and before["completions"]:
        assert after.get_score().raw_earned == max(before["score"][0], new)  # best attempt
    else:
        assert after.get_score().raw_earned == new


@pytest.mark.parametrize("position", sorted(POSITIONS))
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_leaves_every_learner_a_usable_state_and_their_grade(edit, position):
    text = text_of(EDITS[edit])
    assert compile_text(text).playable, compile_text(text).problems
    learner = learner_at(position)
    before = record(learner)
    block = learner.load()
    block.scenario_xml = text
    block.save()
    assert_usable_and_nothing_lost(learner, before, text)


@pytest.mark.parametrize("position", sorted(POSITIONS))
def test_a_broken_edit_shows_the_neutral_page_and_a_fix_resumes_where_the_learner_was(position):
    learner = learner_at(position)
    before = record(learner)
    state_before = State.from_dict(learner.load().progress or {})
    block = learner.load()
    block.scenario_xml = BROKEN
    block.save()
    assert "not available yet" in learner.load().student_view().content
    assert learner.post("begin", {"version": 0, "node": ""})[0] == 409
    assert learner.post("choose", dict(learner.seen(), choice="best"))[0] == 409
    assert State.from_dict(learner.load().progress or {}) == state_before
    assert record(learner) == before
    block = learner.load()
    block.scenario_xml = BRANCHING  # fixed: the same as before the broken edit
    block.save()
    assert learner.load().learner_state() == state_before
    assert_usable_and_nothing_lost(learner, before, BRANCHING)


def test_a_learner_whose_place_was_removed_is_told_and_resumes_at_the_last_place_that_exists():
    learner = learner_at("mid-attempt after a good choice")  # at b
    block = learner.load()
    block.scenario_xml = text_of(remove_node_b)
    block.save()
    page = learner.load().student_view().content
    assert "was updated" in page and 'data-node="a"' in page
    assert learner.named("xblock.cultural_safety.state_repaired")


# -- rescoring after an edit --------------------------------------------------------------------------

def finished_then_edited(path, edit, **settings):
    learner = learner_at({("good", "best"): "finished safe", ("bad", "harm"): "finished unsafe",
                          ("bad", "repair"): "finished after a repair"}[path], **settings)
    block = learner.load()
    block.scenario_xml = text_of(edit)
    block.save()
    return learner, learner.load()


def test_rescoring_counts_the_edited_points_of_the_kept_path():
    learner, block = finished_then_edited(("bad", "repair"), change_points)  # was 1 of 4
    block.rescore(only_if_higher=False)
    # bad: 2 of 2 (ok 0, good 1), repair: 2 of 2 (best 1, fine 2, repair 2)
    assert learner.named("grade")[-1] == {"value": 1.0, "max_value": 1.0, "only_if_higher": False}


def test_rescoring_counts_a_removed_step_for_neither_side():
    learner, block = finished_then_edited(("bad", "repair"), remove_node_b)  # was 1 of 4
    block.rescore(only_if_higher=False)
    # "repair" (at b) no longer exists: only "bad" counts, 0 of 2
    assert learner.named("grade")[-1]["value"] == 0.0
    assert block.calculate_score() == (0.0, 1.0)


def test_rescoring_a_path_of_which_nothing_is_left_keeps_the_score():
    learner, block = finished_then_edited(("good", "best"), rename_everything)  # was 1.0
    block.rescore(only_if_higher=False)
    assert learner.named("grade")[-1] == {"value": 1.0, "max_value": 1.0, "only_if_higher": False}


def test_rescoring_only_if_higher_never_publishes_less_than_the_gradebook_has():
    learner, block = finished_then_edited(("good", "best"), change_points)  # 1.0, now 2 of 3
    block.rescore(only_if_higher=True)
    published = learner.named("grade")
    assert published[-1]["only_if_higher"] is True and published[0]["value"] == 1.0


# -- random edits, random learners ---------------------------------------------------------------------

PLACES = [n.id for n in ORIGINAL.nodes] + [e.id for e in ORIGINAL.endings]
CHOICES = [(n.id, c.id) for n in ORIGINAL.nodes for c in n.choices]


def random_edit():
    remove = st.sampled_from(PLACES).map(lambda place: lambda s: dataclasses.replace(
        s, nodes=tuple(n for n in s.nodes if n.id != place),
        endings=tuple(e for e in s.endings if e.id != place)))
    retarget = st.tuples(st.sampled_from(CHOICES), st.sampled_from(PLACES)).map(
        lambda args: lambda s: _choices(s, lambda c: dataclasses.replace(c, target=args[1])
                                        if c.id == args[0][1] else c))
    points = st.tuples(st.sampled_from(CHOICES), st.integers(0, 10)).map(
        lambda args: lambda s: _choices(s, lambda c: dataclasses.replace(c, points=args[1])
                                        if c.id == args[0][1] else c))
    drop = st.sampled_from(CHOICES).map(
        lambda key: lambda s: _choices(s, lambda c: None if c.id == key[1] else c))
    variable = st.tuples(st.integers(-1, 6), st.integers(0, 5)).map(
        lambda args: lambda s: dataclasses.replace(s, variables=tuple(
            dataclasses.replace(v, initial=args[0], max=args[1]) for v in s.variables)))
    return st.one_of(remove, retarget, points, drop, variable)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(POSITIONS)), st.lists(random_edit(), min_size=1, max_size=3))
def test_any_edit_to_any_learner_keeps_their_grade_and_a_usable_state(position, edits):
    scenario = ORIGINAL
    for edit in edits:
        scenario = edit(scenario)
    text = olx.write(scenario)
    learner = learner_at(position)
    before = record(learner)
    block = learner.load()
    block.scenario_xml = text
    block.save()
    if compile_text(text).playable:
        event("the edited scenario is playable")
        assert_usable_and_nothing_lost(learner, before, text)
        return
    event("the edit broke the scenario")
    assert "not available yet" in learner.load().student_view().content
    assert learner.post("begin", {"version": 0, "node": ""})[0] == 409
    assert record(learner) == before
