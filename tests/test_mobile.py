"""student_view_data: the scenario for the Open edX mobile app, and nothing a learner must not see."""
import json

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from tests.support.builders import choice, ending, node, scenario_text
from tests.support.runtime import Learner

# Every hidden fact is a word that appears nowhere else, so finding it in the JSON is a leak.
SECRETIVE = scenario_text(
    node("opening",
         choice("listen", "middle", "best", 2, text="Listen first",
                consequence="She leans in (TOLD-LISTEN)."),
         choice("lecture", "ruin", "harmful", 0, text="Explain the rules",
                consequence="She goes quiet (TOLD-LECTURE)."),
         choice("wait", "middle", "acceptable", 1, text="Say nothing",
                consequence="A long pause (TOLD-WAIT)."),
         title="The first meeting"),
    node("middle",
         choice("ask", "calm", "best", 2, text="Ask what she needs",
                consequence="She names it (TOLD-ASK)."),
         choice("rush", "ruin", "harmful", 0, text="Hurry on",
                consequence="She checks the clock (TOLD-RUSH)."),
         title="Later"),
    ending("calm", "safe"), ending("ruin", "unsafe"),
    head="<content_note>Mentions a family argument.</content_note>",
)
HIDDEN = ("rating", "points", "target", "harmful", "acceptable", "ruin", "TOLD-LECTURE",
          "TOLD-WAIT", "TOLD-ASK", "TOLD-RUSH")


def leaks(data, allowed=()):
    text = json.dumps(data)
    return [word for word in HIDDEN if word in text and word not in allowed]


def test_the_learner_view_declares_multi_device_support_where_the_lms_looks():
    # The LMS's StudentViewTransformer asks block.has_support(<class>.student_view, ...).
    block = Learner(SECRETIVE).block
    assert block.has_support(CulturalSafetyScenarioBlock.student_view, "multi_device")


def test_before_the_start_the_app_gets_the_title_content_note_and_how_to_begin():
    data = Learner(SECRETIVE, display_name="Meeting Aroha").block.student_view_data()
    assert data["display_name"] == "Meeting Aroha"
    assert data["available"] is True
    assert data["content_note"] == "Mentions a family argument."
    assert data["stage"]["status"] == "intro" and data["stage"]["node_id"] == ""
    assert data["handlers"]["begin"] == {
        "method": "POST", "fields": ["version", "node"],
        "optional": {"view": {"values": ["html", "data"], "default": "html"}}}
    assert data["handlers"]["choose"]["fields"] == ["version", "node", "choice"]
    assert leaks(data) == []


def test_the_handlers_named_for_the_app_are_the_blocks_json_handlers():
    block = Learner(SECRETIVE).block
    for name in block.student_view_data()["handlers"]:
        assert getattr(getattr(block, name), "_is_xblock_handler", False), name


def test_at_a_node_the_app_gets_the_scene_and_the_offered_choices_text_only():
    learner = Learner(SECRETIVE)
    learner.begin()
    stage = learner.block.student_view_data()["stage"]
    assert stage["status"] == "node" and stage["node_id"] == "opening"
    assert stage["node"]["title"] == "The first meeting"
    assert stage["node"]["html"] == "<p>Scene opening</p>"
    choices = stage["node"]["choices"]
    assert [c["text"] for c in choices] == ["Listen first", "Explain the rules", "Say nothing"]
    assert [set(c) for c in choices] == [{"choice", "text"}] * 3   # a token, no id
    assert [c["choice"].split("-")[0] for c in choices] == ["1", "2", "3"]
    assert [c["choice"] for c in choices] == [learner.token(i) for i in ("listen", "lecture", "wait")]
    assert not {"listen", "lecture", "wait"} & set(json.dumps(stage).replace('"', " ").split())
    assert "consequence" not in stage
    assert leaks(stage) == [] and "TOLD-LISTEN" not in json.dumps(stage)


def test_after_a_choice_the_app_gets_its_consequence_and_no_other():
    learner = Learner(SECRETIVE)
    learner.play("listen")
    stage = learner.block.student_view_data()["stage"]
    assert stage["consequence"] == {"choice_text": "Listen first",
                                    "html": "<p>She leans in (TOLD-LISTEN).</p>"}
    assert stage["node_id"] == "middle" and stage["can_back"] is True
    assert [c["choice"] for c in stage["node"]["choices"]] == [learner.token("ask"),
                                                               learner.token("rush")]
    assert leaks(stage) == []


def test_at_an_ending_the_app_gets_the_ending_and_debrief_without_ratings_or_points():
    learner = Learner(SECRETIVE)
    learner.play("listen", "ask")
    stage = learner.block.student_view_data()["stage"]
    assert stage["status"] == "ending" and stage["node_id"] == "calm"
    assert stage["ending"] == {"id": "calm", "title": "calm", "outcome": "safe",
                               "html": "<p>End calm</p>"}
    assert stage["debrief_html"] == "<p>Debrief.</p>"
    assert "node" not in stage and stage["can_back"] is False
    assert leaks(stage, allowed=("TOLD-ASK",)) == []


def test_unbound_to_a_learner_as_the_lms_collects_it_the_stage_is_the_start():
    store_owner = Learner(SECRETIVE)
    store_owner.play("listen")
    unbound = Learner(user=None, store=store_owner.store)
    data = unbound.block.student_view_data()
    assert data["stage"]["status"] == "intro"
    assert leaks(data) == []


def test_an_unplayable_scenario_tells_the_app_it_is_not_available():
    data = Learner("<scenario><node id='a'/></scenario>").block.student_view_data()
    assert data["available"] is False and "stage" not in data
    assert data["message"] == "This activity is not available yet."
