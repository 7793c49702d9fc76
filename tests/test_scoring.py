"""Points, the best achievable score with branches, merges, conditions and loops, and grades kept."""
from cultural_safety_xblock.scenario import scoring
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.builders import BRANCHING, choice, compiled, ending, node

REFERENCE = compile_text(BRANCHING)


def test_best_achievable_is_the_best_path_respecting_conditions():
    # the repair choice (+1) only opens after the harmful choice (0): best is 2 + 2
    assert REFERENCE.analysis.max_points == 4
    assert REFERENCE.analysis.dimension_max == {"voice": 2}


def test_a_path_scores_its_choices_and_counts_harmful_ones():
    result = scoring.result(REFERENCE.scenario, REFERENCE.analysis, (("a", "bad"), ("b", "repair")))
    assert (result.points, result.max_points, result.harmful) == (1, 4, 1)
    assert result.fraction == 0.25
    assert result.dimensions == (("voice", "Client voice", 0, 2),)


def test_merging_branches_count_the_best_branch_only():
    result = compiled(
        node("a", choice("left", "m", points=2), choice("right", "m", points=1)),
        node("m", choice("x", "end", points=3)),
        ending("end"))
    assert result.analysis.max_points == 5


def test_a_condition_that_rewards_a_detour_is_counted():
    result = compiled(
        node("a", choice("earn", "b", points=0, effects=[("k", "set", 1)]), choice("skip", "b", points=1)),
        node("b", choice("bonus", "end", points=5, requires="k == 1"), choice("plain", "end", points=1)),
        ending("end"), head='<variable id="k" initial="0" min="0" max="1"/>')
    assert result.analysis.max_points == 5


def test_a_zero_point_loop_does_not_change_the_best_score():
    result = compiled(
        node("a", choice("x", "b", points=1)),
        node("b", choice("again", "a", points=0), choice("out", "end", points=2)),
        ending("end"))
    # "x" lies on the loop a->b->a and gives points: that is farming, reported
    assert "farming-loop" in [p.code for p in result.problems]
    clean = compiled(
        node("a", choice("x", "b", points=1)),
        node("b", choice("again", "c", points=0), choice("out", "end", points=2)),
        node("c", choice("back", "b", points=0)),
        ending("end"))
    assert clean.problems == () and clean.analysis.max_points == 3


def test_a_removed_choice_counts_nothing():
    result = scoring.result(REFERENCE.scenario, REFERENCE.analysis, (("a", "gone"), ("b", "best")))
    assert result.points == 2


def test_best_attempt_keeps_the_higher_grade_and_last_attempt_the_newest():
    assert scoring.kept_score("best_attempt", (4, 4), (1, 4)) == (4, 4)
    assert scoring.kept_score("best_attempt", (1, 4), (3, 4)) == (3, 4)
    assert scoring.kept_score("last_attempt", (4, 4), (1, 4)) == (1, 4)
    assert scoring.kept_score("best_attempt", None, (0, 4)) == (0, 4)
