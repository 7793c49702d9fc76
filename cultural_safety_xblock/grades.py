"""Grades: the attempt's score kept by the block's own best/last rule, for the gradebook.

Before ``ScorableXBlockMixin`` in the block's bases, so that these methods are the ones the
platform calls (``get_score``, ``set_score``, ``calculate_score``, ``rescore``...). The block
supplies the fields (``score_earned``, ``score_possible``, ``graded_path``, ``completions``,
``last_result``, ``grading``) and ``compiled``/``has_score``.
"""
from xblock.scorable import Score

from .scenario import scoring


class GradesMixin:
    """Scoring an ended attempt and the ScorableXBlockMixin contract."""

    def _finish_attempt(self, state, ending_id):
        """Record the ended attempt in the learner's fields; the grade event to publish once
        they are saved, or None (practice, or a kept score that stands).

        The event never carries ``only_if_higher``: the LMS would then compare with the
        learner's StudentModule row (grades/signals/handlers.py, ``score_published_handler``),
        whose grade is NULL until a first grade, and fail on float(None)
        (openedx/core/lib/grade_utils.py). The block applies its own best/last rule.
        """
        compiled = self.compiled
        result = scoring.result(compiled.scenario, state.path)
        self.completions += 1
        self.last_result = {"ending": ending_id, "points": result.points,
                            "possible": result.possible, "fraction": result.fraction,
                            "harmful": result.harmful,
                            "path": [list(step) for step in state.path],
                            "dimensions": {d[0]: d[2] for d in result.dimensions}}
        previous = None
        if self.score_earned is not None:
            previous = (self.score_earned, self.score_possible)
        elif self.graded_path:  # practice mode keeps the path alone, for a later rescore
            previous = (scoring.result(compiled.scenario, self._kept_path()).fraction, 1.0)
        new = (result.fraction, 1.0)
        kept = scoring.kept_score(self.grading, previous, new)
        if kept is not new:
            return None
        self.graded_path = [list(step) for step in state.path]
        if not self.has_score:
            return None
        self.set_score(Score(*new))
        return {"value": new[0], "max_value": new[1]}

    def rescore(self, only_if_higher):
        """The instructor dashboard's rescore. With ``only_if_higher`` the LMS compares with the
        learner's StudentModule grade, NULL until this block first published one (a learner
        who finished while the block was in practice mode): such a learner's rescore is not
        compared (and cannot fail)."""
        if only_if_higher and self.score_earned is None:
            only_if_higher = False
        super().rescore(only_if_higher)

    def max_score(self):
        """Grades are fractions of 1: the weight scales them in the gradebook."""
        return 1.0

    def get_score(self):
        if self.score_earned is None:
            return Score(0.0, self.max_score())
        return Score(self.score_earned, self.score_possible)

    def set_score(self, score):
        self.score_earned, self.score_possible = float(score.raw_earned), float(score.raw_possible)

    def calculate_score(self):
        """The kept path scored against the scenario as it is now (edited points count; steps
        since removed count for neither side). When no step of it is left to score (everything
        renamed or removed), or the scenario cannot be played, the kept score stands."""
        compiled = self.compiled
        if not compiled.playable:
            return self.get_score()
        result = scoring.result(compiled.scenario, self._kept_path())
        if not result.possible:
            return self.get_score()
        return Score(result.fraction, 1.0)

    def _kept_path(self):
        return tuple(tuple(step) for step in self.graded_path)

    def has_submitted_answer(self):
        return self.completions > 0
