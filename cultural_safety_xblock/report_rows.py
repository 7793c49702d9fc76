"""One report row per learner, from the learner's stored state: for the LMS and the local CLI.

Pure: no XBlock, no Django. ``Report`` is built once per block (ratings, endings, columns looked
up once) and ``Report.row`` turns one learner's ``user_state`` dict into an OrderedDict; ``rows``
streams (username, row) pairs from any iterable of objects with ``.username`` and ``.state``,
holding one learner at a time.

Column names are a fixed English data format (scripts rely on them); ``COLUMN_HELP`` and
docs/administrators.md explain each.
"""
from collections import OrderedDict

from .cohort import fraction

NOT_STARTED, IN_PROGRESS, COMPLETED = "not started", "in progress", "completed"
REMOVED, UNKNOWN = "removed", "unknown"
STEP_SEPARATOR = " > "

COLUMNS = ("Status", "Attempts", "Completed attempts", "Latest score", "Latest points",
           "Possible points", "Best score", "Grade published", "Ending", "Outcome", "Current place",
           "Path", "Harmful choices")
DIMENSION_PREFIX = "Dimension: "
LAST_ACTIVITY = "Last activity"
REFLECTION_PREFIX = "Reflection: "

COLUMN_HELP = {
    "Status": "not started, in progress (begun, no ending yet) or completed (reached an ending "
              "at least once)",
    "Attempts": "attempts begun",
    "Completed attempts": "attempts that reached an ending",
    "Latest score": "score of the latest completed attempt, 0 to 1: its points over the points "
                    "available at the decisions the learner met",
    "Latest points": "points chosen in the latest completed attempt",
    "Possible points": "points available at the decisions met in that attempt",
    "Best score": "the best score of any completed attempt, 0 to 1",
    "Grade published": "the score kept for the gradebook (grading policy applied), 0 to 1; "
                       "empty in practice mode or before an ending",
    "Ending": "id of the ending reached in the latest completed attempt",
    "Outcome": "that ending's outcome for the client: safe, mixed or unsafe",
    "Current place": "id of the node or ending the learner is at now",
    "Path": "node:choice(rating) steps of the latest completed attempt, or of the attempt so far",
    "Harmful choices": "choices rated harmful on that path",
    DIMENSION_PREFIX + "<id>": "points earned in that dimension in the latest completed attempt",
    LAST_ACTIVITY: "time of the learner's last action (UTC, ISO 8601)",
    REFLECTION_PREFIX + "<id>": "the learner's reflection, written while the block let staff "
                                "read reflections (only while it still does)",
}
# Columns the LMS's problem responses report adds around the block's own
# (lms/djangoapps/instructor_task/tasks_helper/grades.py, ProblemResponses._build_student_data):
# username, title, location, then the rows' keys, then block_key and state (the learner's raw
# StudentModule.state). A row key of the same name would take the platform's column's place in
# each row and appear twice in the header.
PLATFORM_COLUMNS = ("username", "title", "location", "block_key", "state")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def csv_safe(value):
    """A cell a spreadsheet will not run as a formula (text starting = + - @ gets a quote)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def latest_score(result):
    """The score in [0, 1] of a stored attempt result (``last_result``), or None."""
    value = result.get("fraction")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return min(max(float(value), 0.0), 1.0)
    return fraction(result.get("points"), result.get("possible", result.get("max_points")))


def _score(value):
    return "" if value is None else round(value, 4)


class Report:
    """How to turn a learner's state into a row, for one scenario as it is now.

    ``scenario`` is None when the block's text cannot be read: rows are still produced, with
    the path's ratings "unknown". A step whose node or choice has since been removed from the
    scenario shows the rating "removed".
    """

    def __init__(self, scenario=None, graded=True, reflections=False):
        self.readable = scenario is not None
        nodes = scenario.nodes if scenario else ()
        self.ratings = {(node.id, choice.id): choice.rating
                        for node in nodes for choice in node.choices}
        self.outcomes = {ending.id: ending.outcome for ending in (scenario.endings if scenario else ())}
        self.graded = graded
        self.dimensions = tuple(d.id for d in scenario.dimensions) if scenario else ()
        self.show_reflections = bool(reflections)
        self.reflections = (tuple(r.id for r in scenario.reflections)
                            if scenario and reflections else ())
        self.columns = (COLUMNS + tuple(DIMENSION_PREFIX + d for d in self.dimensions)
                        + (LAST_ACTIVITY,) + tuple(REFLECTION_PREFIX + r for r in self.reflections))
        self._missing = REMOVED if self.readable else UNKNOWN

    def path_text(self, path):
        ratings, missing, steps = self.ratings, self._missing, []
        for step in path or ():
            try:
                node_id, choice_id = step
            except (TypeError, ValueError):
                continue
            steps.append(f"{node_id}:{choice_id}({ratings.get((node_id, choice_id), missing)})")
        return STEP_SEPARATOR.join(steps)

    def _harmful(self, path):
        ratings = self.ratings
        return sum(1 for step in path or () if isinstance(step, list | tuple) and len(step) == 2
                   and ratings.get(tuple(step)) == "harmful")

    def row(self, state):
        """The OrderedDict row of one learner's state dict (missing or malformed parts: blanks)."""
        if not isinstance(state, dict):
            state = {}
        progress = state.get("progress")
        progress = progress if isinstance(progress, dict) else {}
        result = state.get("last_result")
        result = result if isinstance(result, dict) else {}
        attempts = _int(progress.get("attempt"))
        completions = _int(state.get("completions"))
        done = completions > 0 and bool(result)
        path = result.get("path") if done else progress.get("path")
        latest = latest_score(result) if done else None
        ending = str(result.get("ending", "")) if done else ""

        row = OrderedDict()
        row["Status"] = COMPLETED if completions > 0 else IN_PROGRESS if attempts > 0 else NOT_STARTED
        row["Attempts"] = attempts
        row["Completed attempts"] = completions
        row["Latest score"] = _score(latest)
        row["Latest points"] = _int(result.get("points")) if done else ""
        row["Possible points"] = _int(result.get("possible", result.get("max_points"))) if done else ""
        grade = self._grade(state)
        row["Best score"] = _score(self._best(state, latest, grade))
        row["Grade published"] = _score(grade)
        row["Ending"] = ending
        row["Outcome"] = self.outcomes.get(ending, "") if ending else ""
        row["Current place"] = str(progress.get("place", ""))
        row["Path"] = self.path_text(path)
        row["Harmful choices"] = _int(result.get("harmful")) if done else self._harmful(path)
        dimensions = result.get("dimensions") if done else None
        dimensions = dimensions if isinstance(dimensions, dict) else {}
        for dimension in self.dimensions:
            row[DIMENSION_PREFIX + dimension] = _int(dimensions[dimension]) if dimension in dimensions else ""
        row[LAST_ACTIVITY] = str(progress.get("at") or state.get("last_activity") or "")
        if self.reflections:
            written = state.get("reflections")
            written = written if isinstance(written, dict) else {}
            for reflection in self.reflections:
                row[REFLECTION_PREFIX + reflection] = str(written.get(reflection, ""))
        return row

    def _grade(self, state):
        if not self.graded:
            return None
        return fraction(state.get("score_earned"), state.get("score_possible"))

    @staticmethod
    def _best(state, latest, grade):
        """The best of: the learner's recorded best, the latest attempt, the kept grade."""
        marks = state.get("report_marks")
        best = marks.get("best") if isinstance(marks, dict) else None
        if not isinstance(best, int | float) or isinstance(best, bool):
            best = None
        found = [value for value in (latest, grade, best) if value is not None]
        return min(max(max(found), 0.0), 1.0) if found else None


def rows(user_states, report, limit=None, for_lms=False):
    """(username, row) per learner, streamed; at most ``limit`` rows when it is not None.

    ``for_lms``: the LMS writes the rows to CSV itself, so the learners' own words (reflections)
    are made safe from spreadsheet formulas here.
    """
    if limit is not None and limit <= 0:
        return
    produced = 0
    for user_state in user_states:
        row = report.row(user_state.state)
        if for_lms:
            for reflection in report.reflections:  # learners' words: never a formula
                row[REFLECTION_PREFIX + reflection] = csv_safe(row[REFLECTION_PREFIX + reflection])
        yield user_state.username, row
        produced += 1
        if limit is not None and produced >= limit:
            return
