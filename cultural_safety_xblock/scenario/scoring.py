"""Scores of a path, and which grade to keep.

The rule: each decision on the learner's path is worth the most points among the choices offered
there at that moment (conditions and variables as they then were). The score is the points the
learner chose over the points available at the decisions they met. So the best choice at every
decision is 100% whichever branch it leads down, a longer repair branch neither inflates nor
deflates a grade, and a choice since removed by an author counts for neither side. Dimensions use
the same rule with their own points. Harmful choices are counted apart so the debrief shows them
even on a high score. Loops cannot farm points: validation refuses point-giving choices on loops.
"""
from dataclasses import dataclass

from .analysis import apply_effects, offered_choices

BEST_ATTEMPT = "best_attempt"
LAST_ATTEMPT = "last_attempt"


@dataclass(frozen=True)
class Result:
    points: int
    possible: int
    harmful: int
    dimensions: tuple   # ((dimension id, label, earned, possible), ...)

    @property
    def fraction(self):
        return min(self.points / self.possible, 1.0) if self.possible else 0.0


def chosen(scenario, path):
    """(node, choice, offered choices) for each step of a path that still exists, in order."""
    values = scenario.initial_values()
    for node_id, choice_id in path:
        node = scenario.node(node_id)
        choice = node.choice(choice_id) if node else None
        if choice is None:
            continue
        yield node, choice, offered_choices(node, values) or [choice]
        values = apply_effects(scenario, values, choice)


def _dimension_points(choice, dimension_id):
    return sum(score.points for score in choice.scores if score.dimension == dimension_id)


def result(scenario, path):
    points = possible = harmful = 0
    earned, available = {}, {}
    for _node, choice, offered in chosen(scenario, path):
        points += choice.points
        possible += max(c.points for c in offered)
        harmful += choice.rating == "harmful"
        for dimension in scenario.dimensions:
            earned[dimension.id] = earned.get(dimension.id, 0) + _dimension_points(choice, dimension.id)
            available[dimension.id] = available.get(dimension.id, 0) + max(
                _dimension_points(c, dimension.id) for c in offered)
    dimensions = tuple((d.id, d.label, earned.get(d.id, 0), available.get(d.id, 0))
                       for d in scenario.dimensions)
    return Result(points, possible, harmful, dimensions)


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
