"""The block against the Open edX platform's contract, not the workbench's.

Grades, completion, publishing order, the instructor's CSV, Studio's preview and masquerade, held
to the platform's code: edx-completion's own package (PyPI) where it is on PyPI, and otherwise
the stand-in of tests/support/lms_standin.py, which names the platform file and function each
part mirrors. docs/platform.md lists every contract and the test that pins it.
"""
import json
import subprocess
import sys

import pytest
from lxml import etree
from xblock.exceptions import InvalidScopeError, KeyValueMultiSaveError
from xblock.fields import UserScope
from xblock.runtime import KvsFieldData

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from cultural_safety_xblock.demo import DEMO_SCENARIO
from tests.support.builders import BRANCHING
from tests.support.lms_standin import Lms, problem_responses_csv
from tests.support.paths import REPO_ROOT
from tests.support.paths_through import walk

BEST = ["good", "best"]          # BRANCHING: 4 of 4 points
WORSE = ["bad", "repair"]        # 1 of 4


def edx_completion(mode):
    """What tests/support/lms_completion.py found, in a process with edx-completion's Django."""
    done = subprocess.run([sys.executable, "-m", "tests.support.lms_completion", mode],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def completion_rules():
    return edx_completion("rules")


@pytest.fixture(scope="module")
def whole_course():
    return edx_completion("course")


# -- finding 1: the last choice of a graded scenario --------------------------------------------

@pytest.mark.parametrize("grading, kept_after_worse", [("best_attempt", 1.0),
                                                       ("last_attempt", 0.25)])
def test_the_last_choice_is_stored_and_graded_over_a_row_whose_grade_is_null(grading,
                                                                              kept_after_worse):
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=BRANCHING, grading=grading)
    learner.play(BEST[:1])
    assert lms.has_row("ana", lms.usage) and lms.key("ana") not in lms.grades  # grade NULL
    (status, answer), = learner.play(BEST[1:])
    assert status == 200 and answer["status"] == "ending"
    assert lms.grades[lms.key("ana")] == [1.0, 1.0]
    assert lms.completions[lms.key("ana")] == 1.0
    learner.restart()
    assert {status for status, _ in learner.play(WORSE)} == {200}
    assert lms.grades[lms.key("ana")][0] == kept_after_worse
    assert learner.load().get_score().raw_earned == kept_after_worse


def test_no_grade_event_asks_the_platform_to_compare_with_the_stored_grade():
    lms = Lms()
    published = []
    lms.publish = lambda block, name, data: published.append((name, data))
    learner = lms.learner("ana", scenario_xml=BRANCHING)
    learner.play(BEST)
    learner.restart()
    learner.play(WORSE)
    grades = [data for name, data in published if name == "grade"]
    assert grades == [{"value": 1.0, "max_value": 1.0}]


def test_rescoring_from_the_instructor_dashboard_with_either_only_if_higher():
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=BRANCHING)
    learner.play(WORSE)
    cheaper = BRANCHING.replace('id="repair" target="safe" rating="acceptable" points="1"',
                                'id="repair" target="safe" rating="acceptable" points="0"')
    block = learner.load()
    block.scenario_xml = cheaper
    block.rescore(only_if_higher=True)       # lower: the platform keeps the stored 0.25
    assert lms.grades[lms.key("ana")] == [0.25, 1.0]
    block.rescore(only_if_higher=False)      # asked for: lowered
    assert lms.grades[lms.key("ana")] == [0.0, 1.0]


def test_rescoring_only_if_higher_a_learner_never_graded_does_not_fail():
    """A learner who finished while the block was in practice mode has a row, no grade."""
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=BRANCHING, practice=True)
    learner.play(BEST)
    block = learner.load()
    block.practice = False
    block.save()
    block.rescore(only_if_higher=True)
    assert lms.grades[lms.key("ana")] == [1.0, 1.0]


def test_a_learner_with_no_state_has_no_score_out_of_one():
    block = Lms().learner("new", scenario_xml=BRANCHING).load()
    assert (block.get_score(), block.max_score(), block.has_submitted_answer()) == (
        (0.0, 1.0), 1.0, False)


# -- publishing order: nothing reported that was not stored ---------------------------------------

def test_when_saving_the_ending_fails_nothing_is_published(monkeypatch):
    """Handler requests are not atomic in the LMS: what is published before a failure stays."""
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=BRANCHING)
    learner.play(BEST[:1])
    tracked_before = len(lms.tracked)
    monkeypatch.setattr(lms.store, "set_many", _failing)
    status, _answer = learner.call("choose", dict(learner.seen(), choice=BEST[1]))
    assert status != 200
    assert lms.grades == {} and lms.completions == {}
    assert len(lms.tracked) == tracked_before      # not even the "chose" and "ended" events
    monkeypatch.undo()
    assert learner.load().learner_state().place == "b"     # the learner can go on
    (status, _answer), = learner.play(BEST[1:])
    assert status == 200 and lms.completions[lms.key("ana")] == 1.0


def test_a_reflection_whose_save_fails_is_refused_and_not_reported(monkeypatch):
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=DEMO_SCENARIO)
    monkeypatch.setattr(lms.store, "set_many", _failing)
    status, answer = learner.call("save_reflection", {"id": "expert", "text": "Mine."})
    assert status == 409 and answer["code"] == "not-saved"
    assert not [name for _user, name, _data in lms.tracked if name.endswith("reflection_saved")]


def test_a_repaired_state_is_reported_only_once_it_is_stored(monkeypatch):
    lms = Lms()
    learner = lms.learner("ana", scenario_xml=BRANCHING)
    learner.play(BEST[:1])
    block = learner.load()
    block.scenario_xml = BRANCHING.replace('id="b"', 'id="b2"').replace('target="b"',
                                                                         'target="b2"')
    block.save()
    monkeypatch.setattr(lms.store, "set_many", _failing)
    learner.load().learner_state()
    assert not [name for _user, name, _data in lms.tracked if name.endswith("state_repaired")]
    monkeypatch.undo()
    learner.load().learner_state()
    repaired = [data for _user, name, data in lms.tracked if name.endswith("state_repaired")]
    assert len(repaired) == 1
    assert learner.load().learner_state().place == repaired[0]["place"]


def _failing(update):
    """courseware/model_data.py, DjangoKeyValueStore.set_many: a database error while saving
    is raised as KeyValueMultiSaveError (XBlock's save then raises XBlockSaveError)."""
    raise KeyValueMultiSaveError([])


def test_completion_is_published_after_the_grade():
    lms = Lms()
    order = []
    lms.publish = lambda block, name, data: order.append(name)
    lms.learner("ana", scenario_xml=BRANCHING).play(BEST)
    assert [name for name in order if name in ("grade", "completion")] == ["grade", "completion"]


def test_masquerading_staff_publish_nothing_to_grades_or_completion():
    lms = Lms()
    lms.masquerading.add("staff_as_ana")
    learner = lms.learner("staff_as_ana", scenario_xml=BRANCHING)
    assert {status for status, _ in learner.play(BEST)} == {200}
    assert lms.grades == {} and lms.completions == {}
    assert {name for _user, name, _data in lms.tracked} >= {"grade", "completion"}


# -- finding 2: completion is the block's own (edx-completion's code) ------------------------------

@pytest.mark.parametrize("mode", ["graded", "practice"])
def test_edx_completion_never_completes_the_block_on_view_or_grade_change(completion_rules, mode):
    found = completion_rules[mode]
    assert found["has_custom_completion"] is True
    assert found["on view"] is False
    assert found["after a grade change"] is None


def test_edx_completion_would_complete_a_scored_block_without_custom_completion(completion_rules):
    """The rule above is real: a plain scored block is completed by any grade change."""
    assert completion_rules["plain scored, after a grade change"] == 1.0


# -- the whole course through the stand-in and edx-completion -----------------------------------

def test_every_scenario_plays_to_its_end_under_both_policies_in_both_modes(whole_course):
    assert len(whole_course) == 4 * len(_course_scenarios())
    for key, found in whole_course.items():
        assert found["statuses"] == [200], key
        assert found["viewed"] is False and found["after view"] is None, key
        assert found["before the ending"] is None, key
        completion, grade = found["after the best path"]
        assert completion == 1.0, key
        if key.endswith("-practice"):
            assert grade is None and found["after a worse attempt"][1] is None, key
            continue
        assert grade == [1.0, 1.0], key
        completion, after = found["after a worse attempt"]
        assert completion == 1.0
        assert after[0] == (1.0 if "-best_attempt-" in key else _worst_fraction(key)), key


def test_every_scenario_gives_the_instructor_a_well_formed_csv_without_private_words(whole_course):
    for key, found in whole_course.items():
        header = found["csv"]["header"]
        assert len(header) == len(set(header)), key
        assert header[:3] == ["username", "title", "location"]
        assert header[-2:] == ["block_key", "state"]
        assert found["csv"]["lengths"] == [len(header)], key
        assert found["csv"]["leaks"] == 0, key


def _course_scenarios():
    from cultural_safety_xblock.course_units import SCENARIO_TAG, course_dir, units

    return {element.get("url_name"): element for unit in units(course_dir())
            for element in unit.children if element.tag == SCENARIO_TAG}


def _worst_fraction(key):
    from cultural_safety_xblock.scenario import scoring
    from cultural_safety_xblock.scenario.compiled import compile_source

    name = key.rsplit("@", 1)[1].split("-")[0]
    scenario = compile_source(_course_scenarios()[name]).scenario
    return scoring.result(scenario, walk(scenario, "harmful").path).fraction


# -- finding 3: the problem responses CSV ----------------------------------------------------------

def _cohort(reflections_in_reports):
    lms = Lms()
    for user in ("ana", "ben"):
        learner = lms.learner(user, scenario_xml=DEMO_SCENARIO,
                              reflections_in_reports=reflections_in_reports)
        learner.play([choice for _node, choice in walk(learner.block.compiled.scenario).path])
        learner.call("save_reflection", {"id": "expert", "text": f"{user}'s own words"})
    return lms, learner.load()


def test_the_csv_has_each_column_once_in_the_platform_order_and_full_rows():
    lms, block = _cohort(False)
    header, rows = problem_responses_csv(lms, block)
    assert len(header) == len(set(header))
    assert header[:3] == ["username", "title", "location"] and header[-2:] == ["block_key",
                                                                               "state"]
    assert "Path" in header and all(len(row) == len(header) for row in rows)
    state = json.loads(rows[0][header.index("state")])
    assert "progress" in state and "reflections" not in state


def test_private_reflections_reach_no_column_not_even_the_raw_state():
    lms, block = _cohort(False)
    _header, rows = problem_responses_csv(lms, block)
    assert "own words" not in json.dumps(rows)
    assert lms.learner("ana").load().saved_reflections() == {"expert": "ana's own words"}


def test_reflections_written_while_staff_may_read_them_reach_the_report():
    lms, block = _cohort(True)
    header, rows = problem_responses_csv(lms, block)
    column = header.index("Reflection: expert")
    assert sorted(row[column] for row in rows) == ["ana's own words", "ben's own words"]


def test_turning_reflections_off_hides_them_at_once_and_moves_them_on_the_next_visit():
    lms, block = _cohort(True)
    block.reflections_in_reports = False
    block.save()
    header, rows = problem_responses_csv(lms, block)
    assert not any(name.startswith("Reflection") for name in header)
    # written while shared: in the raw state until the learner's next visit moves them out
    assert "ana's own words" in json.dumps(rows)
    lms.learner("ana").load().student_view()
    _header, rows = problem_responses_csv(lms, block)
    assert "ana's own words" not in json.dumps(rows) and "ben's own words" in json.dumps(rows)
    assert lms.learner("ana").load().saved_reflections() == {"expert": "ana's own words"}


# -- finding 4: Studio -------------------------------------------------------------------------------

def test_studio_shows_the_author_view_in_the_unit_page():
    """xmodule/studio_editable.py ``has_author_view``; preview.py then renders author_view."""
    assert CulturalSafetyScenarioBlock.has_author_view is True


def _author(store_learner, **runtime_attributes):
    block = store_learner.load()
    block.runtime.user_is_staff = True
    for name, value in runtime_attributes.items():
        setattr(block.runtime, name, value)
    return block


def _save_request(block):
    from webob import Request

    body = json.dumps({name: getattr(block, name) for name in (
        "display_name", "weight", "max_attempts", "grading", "practice", "allow_back",
        "allow_restart", "reflections_in_reports")} | {"scenario_xml": BRANCHING})
    return Request.blank("/", method="POST", body=body.encode())


def test_a_save_posted_through_studios_preview_is_refused_and_nothing_changes():
    """preview.py sets ``runtime.is_author_mode`` and never writes the block back."""
    learner = Lms().learner("staff", scenario_xml=DEMO_SCENARIO)
    block = _author(learner, is_author_mode=True)
    response = block.runtime.handle(block, "studio_save", _save_request(block))
    assert response.status_code == 409 and json.loads(response.body)["code"] == "read-only-here"
    assert learner.load().scenario_xml == DEMO_SCENARIO


class ReadOnlyAuthored(KvsFieldData):
    """lms/djangoapps/lms_xblock/field_data.py (LmsFieldData): authored fields read-only."""

    def set_many(self, block, update_dict):
        if any(block.fields[name].scope.user == UserScope.NONE for name in update_dict):
            raise InvalidScopeError("authored fields are read-only here")
        super().set_many(block, update_dict)


def test_a_save_where_authored_fields_are_read_only_is_refused_not_a_500():
    from xblock.fields import ScopeIds
    from xblock.test.tools import TestRuntime

    lms = Lms()
    lms.learner("staff", scenario_xml=DEMO_SCENARIO)
    runtime = TestRuntime(services={"field-data": ReadOnlyAuthored(lms.store)})
    runtime.user_id, runtime.user_is_staff = "staff", True
    block = runtime.construct_xblock_from_class(
        CulturalSafetyScenarioBlock, ScopeIds("staff", "cultural_safety_scenario", "definition-1",
                                              lms.usage))
    response = runtime.handle(block, "studio_save", _save_request(block))   # saves after, too
    assert response.status_code == 409 and "Edit" in json.loads(response.body)["message"]
    assert lms.learner("staff").load().scenario_xml == DEMO_SCENARIO


# -- import: the course imported again over learners ---------------------------------------------

def test_a_course_imported_again_over_learners_keeps_their_place_and_grade():
    lms = Lms()
    element = _course_scenarios()["m1_s1"]
    learner = lms.learner("ana", element=etree.fromstring(etree.tostring(element)))
    scenario = learner.load().compiled.scenario
    path = [choice for _node, choice in walk(scenario).path]
    learner.play(path)
    grade = lms.grades[lms.key("ana")]
    again = lms.learner("ana", element=etree.fromstring(etree.tostring(element)))
    block = again.load()
    assert block.learner_state().place == walk(scenario).place
    assert block.get_score() == tuple(grade) and lms.grades[lms.key("ana")] == grade
