"""The learner's moves through a scenario, as pure functions."""
import pytest

from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.engine import Refusal, Rules, State
from tests.support.builders import BRANCHING, choice, compiled, ending, node

SCENARIO = compile_text(BRANCHING).scenario
RULES = Rules()


def begun():
    return engine.start(SCENARIO, State(), RULES, 0).state


def test_start_moves_to_the_first_node_and_counts_an_attempt():
    move = engine.start(SCENARIO, State(), RULES, 0)
    assert (move.state.place, move.state.attempt, move.state.version) == ("a", 1, 1)
    assert move.events == (("started", {"attempt": 1}),)


def test_a_choice_before_beginning_is_refused_with_a_clear_message():
    with pytest.raises(Refusal) as refused:
        engine.choose(SCENARIO, State(), RULES, "", "good", 0)
    assert (refused.value.code, refused.value.status) == ("not-started", 409)


def test_a_second_start_is_refused_as_stale():
    with pytest.raises(Refusal) as refused:
        engine.start(SCENARIO, begun(), RULES, 0)
    assert refused.value.status == 409


def test_a_choice_moves_to_its_target_and_records_the_step():
    move = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1)
    assert move.state.place == "b"
    assert move.state.path == (("a", "good"),)
    assert move.events[0][0] == "chose" and move.events[0][1]["rating"] == "best"


def test_double_click_on_a_choice_counts_once():
    first = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    with pytest.raises(Refusal) as refused:
        engine.choose(SCENARIO, first, RULES, "a", "good", 1)
    assert (refused.value.code, refused.value.status) == ("stale", 409)
    assert first.path == (("a", "good"),)


def test_a_choice_sent_from_another_node_is_stale_even_with_the_right_version():
    with pytest.raises(Refusal) as refused:
        engine.choose(SCENARIO, begun(), RULES, "b", "best", 1)
    assert refused.value.code == "stale"


def test_an_unknown_choice_is_refused_as_a_bad_request():
    with pytest.raises(Refusal) as refused:
        engine.choose(SCENARIO, begun(), RULES, "a", "nope", 1)
    assert (refused.value.code, refused.value.status) == ("unknown-choice", 400)


def test_a_choice_whose_condition_fails_is_neither_offered_nor_accepted():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state  # trust 3
    assert "repair" not in [c.id for c in engine.offered(SCENARIO, state)]
    with pytest.raises(Refusal):
        engine.choose(SCENARIO, state, RULES, "b", "repair", 2)


def test_a_harmful_choice_opens_the_repair_choice():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "bad", 1).state  # trust 0
    assert engine.values(SCENARIO, state) == {"trust": 0}
    assert "repair" in [c.id for c in engine.offered(SCENARIO, state)]


def test_effects_are_clamped_to_the_variable_range():
    text = compiled(
        node("a", choice("x", "b", effects=[("t", "add", 10)])),
        node("b", choice("y", "end", effects=[("t", "add", -99)])),
        ending("end"),
        head='<variable id="t" initial="1" min="0" max="3"/>').scenario
    state = engine.start(text, State(), RULES, 0).state
    state = engine.choose(text, state, RULES, "a", "x", 1).state
    assert engine.values(text, state) == {"t": 3}
    state = engine.choose(text, state, RULES, "b", "y", 2).state
    assert engine.values(text, state) == {"t": 0}


def test_reaching_an_ending_emits_the_ended_event():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    move = engine.choose(SCENARIO, state, RULES, "b", "best", 2)
    assert engine.finished(SCENARIO, move.state)
    assert ("ended", {"ending": "safe", "attempt": 1}) in move.events


def test_back_takes_back_the_last_choice_and_its_effects():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "bad", 1).state
    move = engine.back(SCENARIO, state, RULES, "b", 2)
    assert (move.state.place, move.state.path, move.state.version) == ("a", (), 3)
    assert engine.values(SCENARIO, move.state) == {"trust": 2}


@pytest.mark.parametrize("rules, code", [(Rules(allow_back=False), "back-disabled")])
def test_back_is_refused_when_turned_off(rules, code):
    state = engine.choose(SCENARIO, begun(), rules, "a", "good", 1).state
    with pytest.raises(Refusal) as refused:
        engine.back(SCENARIO, state, rules, "b", 2)
    assert (refused.value.code, refused.value.status) == (code, 403)


def test_back_is_refused_after_an_ending_and_at_the_beginning():
    with pytest.raises(Refusal) as at_start:
        engine.back(SCENARIO, begun(), RULES, "a", 1)
    assert at_start.value.code == "nothing-to-undo"
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    state = engine.choose(SCENARIO, state, RULES, "b", "best", 2).state
    with pytest.raises(Refusal) as ended:
        engine.back(SCENARIO, state, RULES, "safe", 3)
    assert ended.value.code == "finished"


def test_restart_begins_a_new_attempt_from_the_start():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    move = engine.restart(SCENARIO, state, RULES, "b", 2)
    assert (move.state.place, move.state.path, move.state.attempt) == ("a", (), 2)


def test_restart_is_refused_when_the_attempts_are_used_up():
    rules = Rules(max_attempts=2)
    state = engine.start(SCENARIO, State(), rules, 0).state
    state = engine.restart(SCENARIO, state, rules, "a", 1).state
    assert engine.attempts_left(state, rules) == 0
    with pytest.raises(Refusal) as refused:
        engine.restart(SCENARIO, state, rules, "a", 2)
    assert refused.value.code == "no-attempts-left"


def test_a_state_stored_as_json_comes_back_equal():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    assert State.from_dict(state.to_dict()) == state


@pytest.mark.parametrize("junk", [None, {"path": 5}, {"version": "x"}, {"path": [[1]]}])
def test_a_corrupt_stored_state_reads_as_not_started(junk):
    assert State.from_dict(junk) == State()


def test_repair_leaves_a_valid_state_alone():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    assert engine.repair(SCENARIO, state) == (state, False)


def test_repair_resumes_at_the_last_point_that_still_exists():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    state = engine.choose(SCENARIO, state, RULES, "b", "best", 2).state
    edited = compiled(
        node("a", choice("good", "b")),
        node("b", choice("other", "safe")),
        ending("safe")).scenario
    repaired, changed = engine.repair(edited, state)
    assert changed
    assert (repaired.place, repaired.path) == ("b", (("a", "good"),))
    assert repaired.version > state.version


def test_repair_restarts_when_nothing_of_the_path_remains():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state
    edited = compiled(node("z", choice("c", "end")), ending("end")).scenario
    repaired, changed = engine.repair(edited, state)
    assert changed and (repaired.place, repaired.path) == ("z", ())
    assert repaired.attempt == state.attempt


def test_repair_follows_a_retargeted_choice():
    state = engine.choose(SCENARIO, begun(), RULES, "a", "good", 1).state  # at b
    edited = compiled(
        node("a", choice("good", "c")),
        node("b", choice("x", "end")),
        node("c", choice("y", "end")),
        ending("end")).scenario
    repaired, changed = engine.repair(edited, state)
    assert changed and repaired.place == "c" and repaired.path == (("a", "good"),)
