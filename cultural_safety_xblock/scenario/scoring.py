"""Scores of a path, and which grade to keep.

A path's points are the sum of the points of its choices, read from the scenario as it is now
(a choice since removed counts 0). The grade is points over the best achievable points (see
``analysis`` for how loops and conditions are handled). Harmful choices are counted apart so the
debrief can show them even on a high score.
"""
from dataclasses import dataclass

BEST_ATTEMPT = "best_attempt"
LAST_ATTEMPT = "last_attempt"


@dataclass(frozen=True)
class Result:
    points: int
    max_points: int
    harmful: int
    dimensions: tuple   # ((dimension id, label, earned, best achievable), ...)

    @property
    def fraction(self):
        return min(self.points / self.max_points, 1.0) if self.max_points else 0.0


def chosen(scenario, path):
    """The Choice objects on a path that still exist, in order."""
    for node_id, choice_id in path:
        node = scenario.node(node_id)
        choice = node.choice(choice_id) if node else None
        if choice is not None:
            yield node, choice


def result(scenario, analysis, path):
    points, harmful, earned = 0, 0, {}
    for _node, choice in chosen(scenario, path):
        points += choice.points
        harmful += choice.rating == "harmful"
        for score in choice.scores:
            earned[score.dimension] = earned.get(score.dimension, 0) + score.points
    dimensions = tuple(
        (d.id, d.label, earned.get(d.id, 0), analysis.dimension_max.get(d.id, 0))
        for d in scenario.dimensions
    )
    return Result(min(points, analysis.max_points), analysis.max_points, harmful, dimensions)


def kept_score(policy, previous, new):
    """The (earned, possible) to keep after an attempt scores ``new``.

    Best attempt keeps the higher fraction and never lowers a grade; last attempt takes the new
    one. ``previous`` is None before the first completed attempt.
    """
    if previous is None or policy == LAST_ATTEMPT:
        return new
    def fraction(score):
        return score[0] / score[1] if score[1] else 0.0
    return new if fraction(new) > fraction(previous) else previous
