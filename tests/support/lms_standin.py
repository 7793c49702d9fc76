"""The LMS around one block, for grades, completion, publishing and the instructor's report.

A stand-in written from openedx-platform's source (read there, not copied), so that the tests
hold the block to what the platform does rather than to what the workbench does:

- ``lms/djangoapps/courseware/model_data.py``: a learner's ``StudentModule`` row exists from
  the first save of their state, its ``grade`` NULL until a grade is set; ``get_score`` returns
  the row whatever its grade, ``set_score`` writes ``grade`` and ``max_grade``.
- ``lms/djangoapps/grades/signals/handlers.py``, ``score_published_handler``: with
  ``only_if_higher`` it compares the new score with the row's through
  ``openedx/core/lib/grade_utils.py`` (``is_score_higher_or_equal``: ``float(earned) /
  float(possible)``, a TypeError on a NULL grade) and keeps the row's when lower; otherwise it
  sets the row's score, calls ``block.set_score`` and signals the weighted score change, to
  which edx-completion's ``scorable_block_completion`` listens.
- ``xmodule/services.py``, ``EventPublishingService.publish``: "grade" goes to that handler,
  "completion" to the completion service while tracking is on; while staff masquerade as a
  specific learner every event only reaches the tracking log.
- ``lms/djangoapps/courseware/block_render.py``, ``handle_xblock_callback`` (non-atomic
  requests) and XBlock's ``Runtime.handle``: the handler runs, then ``block.save()``; an
  exception answers 500, and whatever was published before it stays published.
- ``lms/djangoapps/instructor_task/tasks_helper/grades.py``, ``ProblemResponses``
  (``_build_student_data``, ``generate``) with ``instructor_analytics/csvs.py``
  (``format_dictlist``): the problem responses CSV's columns and rows.
"""
import itertools
import json
from collections import OrderedDict

from webob import Request
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.scorable import Score
from xblock.test.tools import TestRuntime

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock

COURSE = "course-v1:OpenCulturalSafety+CS101+2026"
_BLOCKS = itertools.count(1)


class Lms:
    """What the platform keeps about learners of one course: state rows, grades, completion."""

    def __init__(self, completion_tracking=True, completion=None, on_score_changed=None):
        self.store = DictKeyValueStore()
        self.usage = f"usage-{next(_BLOCKS)}"   # one block per LMS, unlike any other test's
        self.grades = {}          # (user, usage) -> [grade, max_grade]: StudentModule's columns
        self.completions = {}     # (user, usage) -> completion: BlockCompletion
        self.tracked = []         # (user, event name, data): the tracking log
        self.masquerading = set()
        self.completion_tracking = completion_tracking
        # edx-completion's own code where the test has it (tests/support/lms_completion.py)
        self.submit_completion = completion or self._submit_completion
        self.on_score_changed = on_score_changed or (lambda **signal: None)

    def _submit_completion(self, user, usage, value):
        self.completions[(user, str(usage))] = value

    # -- courseware/model_data.py ----------------------------------------------------------

    def has_row(self, user, usage):
        """A StudentModule row: created with the learner's first saved state, or a grade."""
        return (user, str(usage)) in self.grades or any(
            key.user_id == user and str(key.block_scope_id) == str(usage) for key in self._state_keys())

    def _state_keys(self):
        from xblock.fields import Scope
        from xblock.runtime import KeyValueStore

        for key in self.store.db_dict:
            if isinstance(key, KeyValueStore.Key) and key.scope == Scope.user_state:
                yield key

    def state_of(self, user, usage):
        """The row's ``state`` column: the learner's user_state fields as JSON."""
        return {key.field_name: self.store.db_dict[key] for key in self._state_keys()
                if key.user_id == user and str(key.block_scope_id) == str(usage)}

    # -- grades/signals/handlers.py ----------------------------------------------------------

    def score_published(self, block, user, raw_earned, raw_possible, only_if_higher):
        usage = str(block.scope_ids.usage_id)
        if only_if_higher and self.has_row(user, usage):
            grade, max_grade = self.grades.get((user, usage), (None, None))
            if float(raw_earned) / float(raw_possible) < float(grade) / float(max_grade):
                return False
        self.grades[(user, usage)] = [raw_earned, raw_possible]
        block.set_score(Score(raw_earned, raw_possible))
        self.on_score_changed(usage_id=usage, user_id=user, course_id=COURSE, block=block)
        return True

    # -- xmodule/services.py: EventPublishingService ---------------------------------------------

    def publish(self, block, name, data):
        user = block.scope_ids.user_id
        if user in self.masquerading or name not in ("grade", "completion") or (
                name == "completion" and not self.completion_tracking):
            self.tracked.append((user, name, data))
        elif name == "grade":
            self.score_published(block, user, data["value"], data["max_value"],
                                 data.get("only_if_higher"))
        else:
            self.submit_completion(user, block.scope_ids.usage_id, data["completion"])

    def learner(self, user, usage=None, **kwargs):
        return LmsLearner(self, user, usage or self.usage, **kwargs)

    def key(self, user):
        """The (learner, block) key of the grades and completions."""
        return (user, self.usage)


class LmsLearner:
    """One learner's requests to one block, as the LMS serves them."""

    def __init__(self, lms, user, usage, scenario_xml=None, element=None, **settings):
        """``element``: a scenario's OLX element, imported as ``cms import`` does (parse_xml)."""
        self.lms, self.user, self.usage = lms, user, usage
        block = self.load()
        if element is not None:
            block = type(block).parse_xml(element, block.runtime, block.scope_ids)
        if scenario_xml is not None:
            block.scenario_xml = scenario_xml
        for name, value in settings.items():
            setattr(block, name, value)
        block.save()

    def load(self):
        runtime = TestRuntime(services={"field-data": KvsFieldData(self.lms.store)})
        runtime.publish = self.lms.publish
        runtime.user_id = self.user
        ids = ScopeIds(self.user, "cultural_safety_scenario", "definition-1", self.usage)
        self.block = runtime.construct_xblock_from_class(CulturalSafetyScenarioBlock, ids)
        return self.block

    def call(self, handler, body):
        """A handler request as ``handle_xblock_callback`` makes it (each request loads the block
        afresh): (status, answer); an exception is a 500 and nothing after it is saved."""
        block = self.load()
        request = Request.blank("/", method="POST", body=json.dumps(body).encode())
        try:
            response = block.runtime.handle(block, handler, request)
        except Exception as error:  # the platform's 500
            return 500, {"error": f"{type(error).__name__}: {error}"}
        return response.status_code, json.loads(response.body)

    def seen(self):
        state = self.load().learner_state()
        return {"version": state.version, "node": state.place}

    def play(self, choices):
        """Begin if needed, then make each choice; the answers."""
        answers = []
        if not self.seen()["node"]:
            answers.append(self.call("begin", self.seen()))
        for choice in choices:
            answers.append(self.call("choose", dict(self.seen(), **choice_body(self.load(), choice))))
        return answers

    def restart(self):
        return self.call("restart", self.seen())


def choice_body(block, choice_id):
    """The fields naming a choice in a "choose" request, as the learner's page sends them: the
    token the stage gave it (scenario/tokens.py), not the author's id."""
    from cultural_safety_xblock.scenario import tokens

    offered = tokens.offered(block.compiled.scenario, block.learner_state())
    return {"choice": next((each for each, choice in offered if choice.id == choice_id),
                           choice_id)}


# -- instructor_task/tasks_helper/grades.py: ProblemResponses ---------------------------------

def problem_responses_csv(lms, block, title="Scenario", location="Module > Unit"):
    """(header, rows) of the problem responses report for ``block``: one response per learner
    with a StudentModule row (username and the raw state), updated with the block's row for
    that learner; header username, title, location, the rows' keys in their order, block_key,
    state; each row holds its dict's values in header order, one value per distinct key."""
    from types import SimpleNamespace

    users = sorted({key.user_id for key in lms._state_keys()
                    if str(key.block_scope_id) == str(block.scope_ids.usage_id)})
    states = [SimpleNamespace(username=user, state=lms.state_of(user, block.scope_ids.usage_id))
              for user in users]
    generated = {}
    for username, row in block.generate_report_data(iter(states), None):
        generated.setdefault(username, []).append(row)
    keys = OrderedDict()
    responses = []
    for user_state in states:
        response = {"username": user_state.username, "state": json.dumps(user_state.state),
                    "title": title, "location": location,
                    "block_key": str(block.scope_ids.usage_id)}
        for row in generated.get(user_state.username, []) or [{}]:
            responses.append({**response, **row})
            for key in (row if isinstance(row, OrderedDict) else sorted(row)):
                keys[key] = 1
    header = ["username", "title", "location", *keys, "block_key", "state"]
    for response in responses:
        for key in header:
            response.setdefault(key, "")
    rows = [[value for _key, value in sorted(((k, v) for k, v in response.items() if k in header),
                                             key=lambda item: header.index(item[0]))]
            for response in responses]
    return header, rows
