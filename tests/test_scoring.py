"""Points per decision, the grade over the points available at the decisions met, grades kept."""
from cultural_safety_xblock.scenario import scoring
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.builders import BRANCHING, choice, compiled, ending, node

REFERENCE = compile_text(BRANCHING).scenario


def test_the_best_choice_everywhere_scores_full_marks():
    result = scoring.result(REFERENCE, (("a", "good"), ("b", "best")))
    assert (result.points, result.possible, result.fraction, result.harmful) == (4, 4, 1.0, 0)
    assert result.dimensions == (("voice", "Client voice", 2, 2),)


def test_a_path_scores_its_choices_over_what_was_offered_and_counts_harmful_ones():
    # after the harmful choice the repair choice is offered too; the best offered is still 2
    result = scoring.result(REFERENCE, (("a", "bad"), ("b", "repair")))
    assert (result.points, result.possible, result.harmful) == (1, 4, 1)
    assert result.fraction == 0.25
    assert result.dimensions == (("voice", "Client voice", 0, 2),)


def test_a_longer_branch_neither_inflates_nor_deflates_the_grade():
    scenario = compiled(
        node("a", choice("short", "end", points=2), choice("long", "b", points=2, rating="best")),
        node("b", choice("x", "c", points=2), choice("y", "c", points=0, rating="harmful")),
        node("c", choice("z", "end", points=2)),
        ending("end")).scenario
    assert scoring.result(scenario, (("a", "short"),)).fraction == 1.0
    assert scoring.result(scenario, (("a", "long"), ("b", "x"), ("c", "z"))).fraction == 1.0
    assert scoring.result(scenario, (("a", "long"), ("b", "y"), ("c", "z"))).fraction == 4 / 6


def test_only_choices_offered_at_the_time_count_towards_what_was_possible():
    scenario = compiled(
        node("a", choice("earn", "b", points=1, effects=[("k", "set", 1)]), choice("skip", "b", points=1)),
        node("b", choice("bonus", "end", points=5, requires="k == 1"), choice("plain", "end", points=1)),
        ending("end"), head='<variable id="k" initial="0" min="0" max="1"/>').scenario
    assert scoring.result(scenario, (("a", "skip"), ("b", "plain"))).possible == 2
    assert scoring.result(scenario, (("a", "earn"), ("b", "plain"))).possible == 6


def test_loops_are_allowed_only_without_points():
    farming = compiled(
        node("a", choice("x", "b", points=1)),
        node("b", choice("again", "a", points=0), choice("out", "end", points=2)),
        ending("end"))
    assert "farming-loop" in [p.code for p in farming.problems]
    clean = compiled(
        node("a", choice("x", "b", points=1)),
        node("b", choice("again", "c", points=0), choice("out", "end", points=2)),
        node("c", choice("back", "b", points=0)),
        ending("end"))
    assert clean.problems == ()
    looped = (("a", "x"), ("b", "again"), ("c", "back"), ("b", "out"))
    # going round counts as the decisions it is: 0 of 2 at b the first time, 0 of 0 at c
    assert scoring.result(clean.scenario, looped).fraction == 3 / 5


def test_a_removed_choice_counts_for_neither_side():
    result = scoring.result(REFERENCE, (("a", "gone"), ("b", "best")))
    assert (result.points, result.possible) == (2, 2)


def test_an_empty_path_scores_zero():
    assert scoring.result(REFERENCE, ()).fraction == 0.0


def test_best_attempt_keeps_the_higher_grade_and_last_attempt_the_newest():
    assert scoring.kept_score("best_attempt", (1.0, 1.0), (0.25, 1.0)) == (1.0, 1.0)
    assert scoring.kept_score("best_attempt", (0.25, 1.0), (0.75, 1.0)) == (0.75, 1.0)
    assert scoring.kept_score("last_attempt", (1.0, 1.0), (0.25, 1.0)) == (0.25, 1.0)
    assert scoring.kept_score("best_attempt", None, (0.0, 1.0)) == (0.0, 1.0)
