"""The XBlock in XBlock's runtime: grades, completion, attempts, bad requests, edits, secrecy."""
import json

import pytest

from cultural_safety_xblock.demo import DEMO_SCENARIO
from tests.support.builders import BRANCHING, choice, ending, node, scenario_text
from tests.support.runtime import Learner

BEST = ("good", "best")          # 4 of 4 points in BRANCHING: grade 1.0
WORST = ("bad", "harm")          # 0 of 4: 0.0
REPAIRED = ("bad", "repair")     # 1 of 4: 0.25


def test_a_learner_plays_to_an_ending_and_the_grade_and_completion_are_published():
    learner = Learner(BRANCHING)
    answers = learner.play(*BEST)
    assert [status for status, _ in answers] == [200, 200]
    assert answers[-1][1]["status"] == "ending"
    assert learner.named("grade") == [{"value": 1.0, "max_value": 1.0}]  # no only_if_higher
    assert learner.named("completion") == [{"completion": 1.0}]
    assert learner.block.get_score() == (1.0, 1.0)


def test_no_grade_is_published_before_an_ending():
    learner = Learner(BRANCHING)
    learner.play("good")
    assert learner.named("grade") == [] and learner.named("completion") == []


def test_best_attempt_never_lowers_the_grade():
    learner = Learner(BRANCHING)
    learner.play(*BEST)
    learner.post("restart", learner.seen())
    learner.play(*WORST)
    assert learner.block.get_score() == (1.0, 1.0)
    assert [g["value"] for g in learner.named("grade")] == [1.0]


def test_last_attempt_takes_the_newest_grade():
    learner = Learner(BRANCHING, grading="last_attempt")
    learner.play(*BEST)
    learner.post("restart", learner.seen())
    learner.play(*REPAIRED)
    assert learner.block.get_score() == (0.25, 1.0)
    assert learner.named("grade")[-1] == {"value": 0.25, "max_value": 1.0}


def test_practice_mode_completes_without_a_grade():
    learner = Learner(BRANCHING, practice=True)
    learner.play(*BEST)
    assert not learner.block.has_score
    assert learner.named("grade") == [] and learner.named("completion") == [{"completion": 1.0}]


def test_the_attempts_limit_stops_a_new_attempt():
    learner = Learner(BRANCHING, max_attempts=1)
    learner.play(*WORST)
    status, answer = learner.post("restart", learner.seen())
    assert status == 403 and "attempts" in answer["message"]
    assert learner.block.learner_state().attempt == 1


def test_rescoring_uses_the_kept_path_against_the_edited_points():
    learner = Learner(BRANCHING)
    learner.play(*REPAIRED)
    learner.block.scenario_xml = BRANCHING.replace(
        'id="repair" target="safe" rating="acceptable" points="1"',
        'id="repair" target="safe" rating="acceptable" points="2"')
    learner.block.rescore(only_if_higher=True)
    assert learner.named("grade")[-1] == {"value": 0.5, "max_value": 1.0, "only_if_higher": True}


def test_a_double_click_on_a_choice_counts_once():
    learner = Learner(BRANCHING)
    learner.begin()
    seen, good = learner.seen(), learner.token("good")
    first = learner.post("choose", dict(seen, choice=good))
    second = learner.post("choose", dict(seen, choice=good))
    assert first[0] == 200 and second[0] == 409
    assert second[1]["code"] == "stale" and 'data-node="b"' in second[1]["stage"]
    assert len(learner.named("xblock.cultural_safety.chose")) == 1
    assert learner.block.learner_state().path == (("a", "good"),)


def test_a_stale_page_from_another_tab_gets_a_conflict_and_the_current_stage():
    learner = Learner(BRANCHING)
    learner.begin()
    old = learner.seen()
    learner.choose("good")
    status, answer = learner.post("choose", dict(old, choice="bad"))
    assert status == 409 and answer["version"] == learner.seen()["version"]


@pytest.mark.parametrize("raw, method, status, words", [
    (b"", "GET", 405, "POST"),
    (b"not json", "POST", 400, "JSON"),
    (b"[1, 2]", "POST", 400, "object"),
    (b'{"version": 1}', "POST", 400, "'node'"),
    (b'{"version": "1", "node": "a", "choice": "good"}', "POST", 400, "'version'"),
    (b'{"version": true, "node": "a", "choice": "good"}', "POST", 400, "'version'"),
    (b'{"version": 1, "node": "a", "choice": "good", "points": 9}', "POST", 400, "'points'"),
    (b'{"version": 1, "node": "a", "choice": "' + b"x" * 20000 + b'"}', "POST", 413, "larger"),
    (b'{"version": 1, "node": "a", "choice": "no-such-choice"}', "POST", 400, "no such choice"),
])
def test_a_malformed_request_gets_a_4xx_with_a_message_and_changes_nothing(raw, method, status, words):
    learner = Learner(BRANCHING)
    learner.begin()
    before = dict(learner.block.progress)
    got, answer = learner.post("choose", None, raw=raw, method=method)
    assert got == status and words in answer["message"]
    assert learner.load().progress == before


def test_a_scenario_edited_mid_attempt_is_repaired_with_a_notice():
    learner = Learner(BRANCHING)
    learner.play("good")  # at b
    learner.block.scenario_xml = scenario_text(
        node("a", choice("good", "c")), node("c", choice("x", "end")), ending("end"))
    learner.block.save()
    learner.load()
    page = learner.block.student_view().content
    assert "was updated" in page and 'data-node="c"' in page
    assert learner.choose("x")[0] == 200
    assert learner.named("xblock.cultural_safety.state_repaired")


def test_an_invalid_scenario_shows_learners_a_neutral_message_and_takes_no_actions():
    learner = Learner(scenario_text(node("a", choice("x", "nowhere")), ending("end")))
    page = learner.block.student_view().content
    assert "not available yet" in page and "nowhere" not in page
    status, answer = learner.post("begin", {"version": 0, "node": ""})
    assert status == 409 and answer["code"] == "unavailable"


def test_staff_see_the_problem_list_of_an_invalid_scenario():
    learner = Learner(scenario_text(node("a", choice("x", "nowhere")), ending("end")))
    learner.block.runtime.user_is_staff = True
    page = learner.block.student_view().content
    assert "target=&#34;nowhere&#34; names no node or ending" in page


def test_the_page_and_the_answers_never_reveal_unchosen_choices():
    learner = Learner(DEMO_SCENARIO)
    learner.begin()
    _, answer = learner.choose("check_place")
    shown = learner.block.student_view().content + json.dumps(answer)
    for secret in ("rating", "points", 'target', "harmful", "best_attempt",
                   "completely confidential.</p>", "She listens politely"):
        assert secret not in shown
    assert "Nobody asked me that before" in shown  # the chosen consequence is shown


def test_state_survives_a_reload():
    learner = Learner(BRANCHING)
    learner.play("good")
    learner.load()
    assert 'data-node="b"' in learner.block.student_view().content


def test_a_reflection_is_saved_privately_and_unknown_ones_are_refused():
    learner = Learner(DEMO_SCENARIO)
    assert learner.post("save_reflection", {"id": "expert", "text": "Hard to hand back."})[0] == 200
    block = learner.load()
    # outside the learner's state (which the LMS's report prints raw), in the learner's own
    assert block.reflections == {}
    assert block.private_reflections == {"usage-1": {"expert": "Hard to hand back."}}
    assert block.saved_reflections() == {"expert": "Hard to hand back."}
    assert learner.post("save_reflection", {"id": "nope", "text": "x"})[0] == 400
    assert learner.post("save_reflection", {"id": "expert", "text": "x" * 5001})[0] == 400


def test_a_reflection_saved_while_staff_may_read_them_lives_in_the_learner_state():
    learner = Learner(DEMO_SCENARIO, reflections_in_reports=True)
    assert learner.post("save_reflection", {"id": "expert", "text": "Shared."})[0] == 200
    block = learner.load()
    assert block.reflections == {"expert": "Shared."} and block.private_reflections == {}


def test_reflections_stored_in_the_state_move_out_when_reflections_are_private():
    """States stored before private_reflections, or while staff could read them: the next
    visit moves them out of the learner's state, none lost."""
    store = Learner(DEMO_SCENARIO).store
    learner = Learner(store=store)
    learner.block.reflections = {"expert": "Written long ago.", "cost": "And this."}
    learner.block.save()
    learner.load().student_view()
    learner.block.save()
    block = learner.load()
    assert block.reflections == {}
    assert block.saved_reflections() == {"expert": "Written long ago.", "cost": "And this."}


def test_an_empty_reflection_is_not_saved_and_clearing_one_says_so():
    learner = Learner(DEMO_SCENARIO)
    status, answer = learner.post("save_reflection", {"id": "expert", "text": "   "})
    assert status == 400 and "nothing to save" in answer["message"]
    assert learner.named("xblock.cultural_safety.reflection_saved") == []
    learner.post("save_reflection", {"id": "expert", "text": "A thought."})
    status, answer = learner.post("save_reflection", {"id": "expert", "text": ""})
    assert status == 200 and answer["message"] == "Your reflection was removed."
    assert learner.load().saved_reflections() == {}
    assert [d["reflection"] for d in learner.named("xblock.cultural_safety.reflection_cleared")] \
        == ["expert"]


def test_export_then_import_gives_the_same_scenario_and_settings():
    from lxml import etree

    learner = Learner(DEMO_SCENARIO, weight=2.0, grading="last_attempt", practice=True)
    exported = etree.Element("x")
    learner.block.add_xml_to_node(exported)
    text = etree.tostring(exported, encoding="unicode")
    assert exported.tag == "cultural_safety_scenario" and 'weight="2"' in text
    imported = type(learner.block).parse_xml(etree.fromstring(text), learner.block.runtime,
                                              learner.block.scope_ids)
    assert imported.scenario_xml == learner.block.scenario_xml
    assert (imported.weight, imported.grading, imported.practice) == (2.0, "last_attempt", True)
