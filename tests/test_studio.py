"""Authoring: the Studio save, check and preview handlers, the author views, and the map."""
import copy
import json
import math

import lxml.html
import pytest
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from cultural_safety_xblock.scenario import map as scenario_map
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.builders import BRANCHING, choice, ending, node, scenario_text
from tests.support.runtime import Learner

SETTINGS = {"display_name": "Consent at intake", "weight": 2.5, "max_attempts": 3,
            "grading": "last_attempt", "practice": False, "allow_back": False,
            "allow_restart": True, "reflections_in_reports": True}
EDITED = scenario_text(
    node("a", choice("good", "b", points=2), choice("bad", "end", "harmful", 0)),
    node("b", choice("on", "end"), title="A new second decision"),
    ending("end"))
BROKEN = EDITED.replace('target="b"', 'target="bb"').replace("<text>Option on</text>", "<text> </text>")


def staff(scenario_xml=BRANCHING, store=None):
    """A course author's block (sharing ``store`` with learners when given)."""
    author = Learner(scenario_xml, user="staff_author", store=store)
    author.block.runtime.user_is_staff = True
    return author


def save(author, **changes):
    return author.post("studio_save", {**SETTINGS, "scenario_xml": EDITED, **changes})


def stored(author):
    block = author.load()
    author.block.runtime.user_is_staff = True
    return {name: getattr(block, name) for name in (*SETTINGS, "scenario_xml")}


# -- save --------------------------------------------------------------------------------------


def test_a_valid_save_stores_the_settings_and_the_scenario_as_typed():
    author = staff()
    typed = "\n\n" + EDITED.replace("<node", "\n  <node")
    status, answer = save(author, scenario_xml=typed)
    assert status == 200, answer
    assert answer["count"] == 0 and "Saved" in answer["message"]
    assert stored(author) == dict(SETTINGS, scenario_xml=typed)


def test_a_save_writes_only_the_settings_it_changes_and_defaults_stay_defaults():
    author = staff()
    assert save(author)[0] == 200
    written = []
    real = author.block.runtime.service(author.block, "field-data").set_many
    block = author.load()
    block.runtime.user_is_staff = True
    data = block.runtime.service(block, "field-data")
    data.set_many = lambda block, update: written.extend(update) or real(block, update)
    request = {**SETTINGS, "max_attempts": 5, "scenario_xml": EDITED}
    assert author.post("studio_save", request)[0] == 200
    assert sorted(written) == ["max_attempts", "scenario_version", "scenario_xml"]
    assert stored(author) == dict(SETTINGS, max_attempts=5, scenario_xml=EDITED)
    fresh = staff()
    default_name = fresh.block.display_name
    assert fresh.post("studio_save", {**SETTINGS, "display_name": default_name,
                                      "scenario_xml": EDITED})[0] == 200
    # the default name left as it was stays the default, which learners read in their language
    assert not fresh.load().fields["display_name"].is_set_on(fresh.block)


def test_an_invalid_save_is_refused_with_every_problem_and_nothing_changes():
    author = staff()
    before = stored(author)
    status, answer = save(author, scenario_xml=BROKEN)
    assert status == 422 and answer["code"] == "invalid-scenario"
    assert {"unknown-target", "empty-text", "unreachable-node"} <= {p["code"] for p in answer["problems"]}
    assert answer["count"] == len(answer["problems"]) and "3 problems" in answer["message"]
    for found in answer["problems"]:
        assert found["line"] >= 1 and found["where"] and found["what"] and found["fix"]
    assert "unknown-target" in answer["problems_html"]
    assert stored(author) == before  # not even the valid settings were stored


@pytest.mark.parametrize("field, value", [
    ("weight", "2"), ("weight", True), ("max_attempts", 1.5), ("max_attempts", "3"),
    ("practice", "true"), ("practice", 1), ("display_name", 3), ("grading", None),
    ("scenario_xml", ["<scenario/>"]), ("allow_back", None),
])
def test_a_save_with_a_value_of_the_wrong_type_is_refused(field, value):
    author = staff()
    before = stored(author)
    status, answer = save(author, **{field: value})
    assert status == 400 and f"'{field}'" in answer["message"]
    assert stored(author) == before


@pytest.mark.parametrize("changes, words", [
    ({"weight": -1}, "weight"), ({"max_attempts": -2}, "attempts"),
    ({"grading": "worst_attempt"}, "grading"), ({"display_name": "  "}, "display name"),
    ({"display_name": "x" * 201}, "display name"), ({"weight": 10_000}, "weight"),
])
def test_a_save_with_a_setting_out_of_bounds_is_refused(changes, words):
    author = staff()
    before = stored(author)
    status, answer = save(author, **changes)
    assert status == 400 and words in answer["message"]
    assert stored(author) == before


def test_a_weight_that_is_not_a_finite_number_is_refused():
    author = staff()
    body = json.dumps(dict(SETTINGS, scenario_xml=EDITED)).replace('"weight": 2.5', '"weight": NaN')
    status, answer = author.post("studio_save", None, raw=body.encode())
    assert status == 400 and "weight" in answer["message"]
    assert not math.isnan(stored(author)["weight"])


def test_a_save_with_an_unknown_or_a_missing_field_is_refused():
    author = staff()
    before = stored(author)
    status, answer = author.post("studio_save", dict(SETTINGS, scenario_xml=EDITED, colour="red"))
    assert status == 400 and "Unknown field 'colour'" in answer["message"]
    partial = dict(SETTINGS, scenario_xml=EDITED)
    del partial["grading"]
    status, answer = author.post("studio_save", partial)
    assert status == 400 and "'grading' is missing" in answer["message"]
    assert stored(author) == before


def test_a_save_sent_with_get_is_refused():
    author = staff()
    status, answer = author.post("studio_save", dict(SETTINGS, scenario_xml=EDITED), method="GET")
    assert status == 405


@pytest.mark.parametrize("handler, payload", [
    ("studio_save", dict(SETTINGS, scenario_xml=EDITED)),
    ("studio_check", {"scenario_xml": EDITED}),
    ("studio_preview", {"scenario_xml": "", "node": "", "path": []}),
])
def test_learners_are_refused_every_authoring_handler(handler, payload):
    store = DictKeyValueStore()
    staff(store=store)
    learner = Learner(user="student_1", store=store)
    before = copy.deepcopy(store.db_dict)
    status, answer = learner.post(handler, payload)
    assert status == 403 and "staff" in answer["message"]
    assert "stage" not in answer and "problems" not in answer
    assert store.db_dict == before


def test_a_course_author_with_write_access_may_save_without_being_global_staff():
    class Permissions:
        def __init__(self, allowed):
            self.allowed, self.asked = allowed, []

        def can_write(self, context_key):
            self.asked.append(context_key)
            return self.allowed

    class Usage(str):
        context_key = "course-v1:org+cs+2026"

    for allowed, expected in ((True, 200), (False, 403)):
        permissions = Permissions(allowed)
        runtime = TestRuntime(services={"field-data": KvsFieldData(DictKeyValueStore()),
                                        "studio_user_permissions": permissions})
        ids = ScopeIds("author", "cultural_safety_scenario", "d1", Usage("u1"))
        block = runtime.construct_xblock_from_class(CulturalSafetyScenarioBlock, ids)
        from webob import Request
        request = Request.blank("/", method="POST", body=json.dumps(
            dict(SETTINGS, scenario_xml=EDITED)).encode())
        assert block.studio_save(request).status_code == expected
        assert permissions.asked == ["course-v1:org+cs+2026"]


def test_settings_written_in_the_olx_are_a_problem_since_the_form_decides_them():
    author = staff()
    text = EDITED.replace("<scenario ", '<scenario weight="3" ', 1)
    status, answer = save(author, scenario_xml=text)
    assert status == 422
    (found,) = [p for p in answer["problems"] if p["code"] == "setting-in-olx"]
    assert "weight" in found["what"] and found["line"] == 1


def test_a_valid_save_reaches_learners_at_once_and_repairs_those_mid_attempt():
    store = DictKeyValueStore()
    author = staff(BRANCHING, store=store)
    learner = Learner(user="student_1", store=store)
    learner.play("good")  # at node b of BRANCHING
    moved_on = Learner(user="student_2", store=store)
    moved_on.begin()  # at node a, which the edit keeps
    edit = scenario_text(node("a", choice("good", "c"), choice("bad", "c", "harmful", 0)),
                         node("c", choice("x", "end"), title="A brand new decision"),
                         ending("end"))
    assert save(author, scenario_xml=edit)[0] == 200
    learner.load()
    page = learner.block.student_view().content  # b is gone: on from the last valid step
    assert "was updated" in page and "A brand new decision" in page
    assert learner.block.learner_state().place == "c"
    moved_on.load()
    assert moved_on.block.learner_state().place == "a"
    assert moved_on.choose("good")[0] == 200
    assert "A brand new decision" in moved_on.block.student_view().content


# -- check ---------------------------------------------------------------------------------


def test_check_lists_every_problem_with_the_line_it_is_on_in_the_editor():
    author = staff()
    text = "<!-- draft -->\n" + BROKEN.replace("<node", "\n<node").replace("<ending", "\n\n<ending")
    status, answer = author.post("studio_check", {"scenario_xml": text})
    assert status == 200
    lines = text.split("\n")
    (target,) = [p for p in answer["problems"] if p["code"] == "unknown-target"]
    assert 'target="bb"' in lines[target["line"] - 1]
    (unreachable,) = [p for p in answer["problems"] if p["code"] == "unreachable-node"]
    assert 'id="b"' in lines[unreachable["line"] - 1]
    assert 'data-line="{}"'.format(target["line"]) in answer["problems_html"]
    assert answer["places"][0] == ["a", "a"]
    assert author.load().scenario_xml == BRANCHING  # a check stores nothing


def test_problems_about_the_whole_scenario_point_at_its_root_element():
    author = staff()
    text = '\n\n<scenario topics="racism">' + EDITED[len("<scenario >"):]
    status, answer = author.post("studio_check", {"scenario_xml": text})
    (note,) = [p for p in answer["problems"] if p["code"] == "content-note-missing"]
    assert note["line"] == 3


def test_check_of_unreadable_text_gives_one_problem_and_no_map():
    author = staff()
    status, answer = author.post("studio_check", {"scenario_xml": "<scenario><node id='a'>"})
    assert status == 200 and [p["code"] for p in answer["problems"]] == ["xml-syntax"]
    assert "<svg" not in answer["map_html"]


def test_a_scenario_as_large_as_allowed_can_be_checked_and_saved():
    author = staff()
    text = scenario_text(
        node("a", choice("x", "end", consequence="<p>" + "Words. " * 2500 + "</p>")), ending("end"))
    status, answer = save(author, scenario_xml=text)
    assert status == 200, answer.get("message")


# -- preview -------------------------------------------------------------------------------


def preview(author, node_id="", path=(), text=""):
    return author.post("studio_preview", {"scenario_xml": text, "node": node_id,
                                          "path": [list(step) for step in path]})


def test_a_preview_starts_at_any_node_with_the_variables_a_learner_would_have_there():
    author = staff()
    status, answer = preview(author, "b")
    assert status == 200 and answer["place"] == "b" and answer["reached"]
    assert answer["values"] == {"trust": 3}  # reached by the shortest real route: a -good-> b
    assert 'data-node="b"' in answer["stage"] and "Option best" in answer["stage"]


def test_a_preview_follows_choices_and_goes_back_without_recording_anything():
    store = DictKeyValueStore()
    author = staff(store=store)
    learner = Learner(user="student_1", store=store)
    learner.play("good")
    before = copy.deepcopy(store.db_dict)
    author.events.clear()
    status, answer = preview(author, "", [("a", "bad"), ("b", "repair")])
    assert status == 200 and answer["place"] == "safe"
    assert "A repair" not in answer["stage"] and "Option repair" in answer["stage"]
    status, answer = preview(author, "", [("a", "bad")])
    assert answer["values"] == {"trust": 0} and "Option repair" in answer["stage"]
    assert store.db_dict == before  # no learner state, the author's own included
    assert author.events == []  # no grade, completion or tracking event


def test_a_preview_of_the_editor_text_uses_that_text_and_not_the_saved_one():
    author = staff()
    status, answer = preview(author, "b", text=EDITED)
    assert status == 200 and "A new second decision" in answer["stage"]


def test_a_preview_of_an_unreachable_node_still_shows_it_and_says_so():
    text = scenario_text(node("a", choice("x", "end")), node("lost", choice("y", "end")),
                         ending("end"))
    status, answer = preview(staff(), "lost", text=text)
    assert status == 200 and answer["place"] == "lost" and answer["reached"] is False


@pytest.mark.parametrize("node_id, path, text, status", [
    ("nowhere", [], "", 400),
    ("", [["a", "no-such-choice"]], "", 400),
    ("", [["a"]], "", 400),
    ("", "a,good", "", 400),
    ("", [], "<scenario>", 409),
])
def test_a_preview_that_cannot_be_shown_is_refused_with_a_message(node_id, path, text, status):
    got, answer = staff().post("studio_preview", {"scenario_xml": text, "node": node_id,
                                                  "path": path})
    assert got == status and answer["message"]


# -- the views ---------------------------------------------------------------------------------


def test_the_studio_view_holds_the_text_exactly_as_stored():
    text = "\n" + EDITED.replace("<node", '\n  <node').replace("Scene a", "Scene a &amp; <em>more</em>")
    author = staff(text)
    page = lxml.html.fromstring(author.block.studio_view().content)
    (editor,) = page.xpath("//textarea[@name='scenario_xml']")
    assert editor.text == "\n" + text  # browsers drop the newline right after <textarea>
    assert page.xpath("//input[@name='display_name']/@value") == ["Branching scenario"]
    assert page.xpath("//svg[@class='cs-map-svg']")


def test_author_text_is_escaped_in_the_map_and_the_problem_list():
    hostile = '&lt;script&gt;alert(1)&lt;/script&gt;'
    text = EDITED.replace('title="A new second decision"', f'title="{hostile}"').replace(
        'target="end"', f'target="{hostile}"', 1)
    author = staff(text)
    for view in (author.block.studio_view(), author.block.author_view()):
        assert "<script>alert" not in view.content
        assert "&lt;script&gt;alert(1)" in view.content


def test_the_author_view_shows_problems_the_map_and_unreachable_places():
    text = scenario_text(node("a", choice("x", "end")), node("lost", choice("y", "end")),
                         ending("end"))
    author = staff(text)
    page = lxml.html.fromstring(author.block.author_view().content)
    assert "no path from the start reaches it" in page.text_content()
    (finding,) = page.xpath("//li[@class='cs-map-unreachable']")
    assert "lost" in finding.text_content()
    assert page.xpath("//select[@class='cs-preview-from']/option/@value") == ["a", "lost", "end"]


def test_the_views_write_no_learner_state():
    store = DictKeyValueStore()
    author = staff(store=store)
    before = copy.deepcopy(store.db_dict)
    author.block.studio_view()
    author.block.author_view()
    author.block.save()
    assert store.db_dict == before


# -- the map ---------------------------------------------------------------------------------


def overlap(first, second):
    return not (first.x + first.width <= second.x or second.x + second.width <= first.x
                or first.y + first.height <= second.y or second.y + second.height <= first.y)


def test_the_map_lays_places_out_in_layers_from_the_start():
    compiled = compile_text(BRANCHING)
    drawn = scenario_map.layout(compiled.scenario, compiled.analysis)
    layer = {box.id: box.layer for box in drawn.boxes}
    assert layer == {"a": 0, "b": 1, "safe": 2, "mixed": 2, "unsafe": 2}
    assert drawn.box("a").marks == ("start",)
    assert all(drawn.box(a.target).x > drawn.box(a.source).x for a in drawn.arrows)
    assert {(a.choice, a.rating, a.points) for a in drawn.arrows if a.source == "b"} == {
        ("best", "best", 2), ("fine", "acceptable", 1), ("harm", "harmful", 0),
        ("repair", "acceptable", 1)}


def test_the_map_marks_unreachable_places_dead_ends_and_missing_targets():
    text = scenario_text(
        node("a", choice("x", "b"), choice("y", "end"), choice("z", "ghost", "acceptable", 1)),
        node("b", choice("loop", "c", points=0)), node("c", choice("back", "b", points=0)),
        node("lost", choice("w", "end")), ending("end"), ending("never", "unsafe"))
    compiled = compile_text(text)
    drawn = scenario_map.layout(compiled.scenario, compiled.analysis)
    assert drawn.unreachable == ("lost", "never")
    assert set(drawn.dead_ends) == {"b", "c"}
    assert drawn.missing == ("ghost",) and drawn.box("ghost").kind == "missing"
    reachable_layers = {drawn.box(p).layer for p in ("a", "b", "c", "end")}
    assert drawn.box("lost").layer > max(reachable_layers)  # unreachable parts stand apart
    (back,) = [a for a in drawn.arrows if a.choice == "back"]
    assert back.backward


def test_the_map_of_fifty_nodes_has_no_overlapping_boxes_and_fits_its_drawing():
    from bench.authoring import branching_xml

    compiled = compile_text(branching_xml(50))
    drawn = scenario_map.layout(compiled.scenario, compiled.analysis)
    assert len(drawn.boxes) == 53 and len(drawn.arrows) == 150
    for index, box in enumerate(drawn.boxes):
        assert 0 <= box.x and box.x + box.width <= drawn.width
        assert 0 <= box.y and box.y + box.height <= drawn.height
        assert not any(overlap(box, other) for other in drawn.boxes[index + 1:])
    for arrow in drawn.arrows:
        assert 0 <= arrow.label_x <= drawn.width and 0 <= arrow.label_y <= drawn.height
    assert not drawn.unreachable and not drawn.dead_ends


def test_long_arrows_run_between_boxes_not_through_them():
    from bench.authoring import branching_xml

    compiled = compile_text(branching_xml(50))
    drawn = scenario_map.layout(compiled.scenario, compiled.analysis)
    runs = 0
    for arrow in drawn.arrows:
        if arrow.backward:
            continue
        # a straight run ("H x") crosses a whole layer at the height the last point left it
        y = None
        for part in arrow.path.split():
            if part.startswith("H"):
                runs += 1
                end = float(part[1:])
                crossed = [b.id for b in drawn.boxes
                           if b.x < end <= b.x + b.width and b.y <= y <= b.y + b.height]
                assert not crossed, (arrow.source, arrow.choice, crossed)
            else:
                y = float(part.split(",")[-1])
    assert runs > 20


def test_the_svg_tells_ratings_apart_by_word_and_line_style_not_colour_alone():
    author = staff()
    context = author.block._studio_context()
    html = author.block.map_html(compile_text(BRANCHING), context)
    svg = lxml.html.fromstring(str(html)).xpath("//svg")[0]
    styles = {}
    for path in svg.xpath(".//path[@class='cs-map-arrow']"):
        styles.setdefault(path.get("data-rating"), set()).add(
            (path.get("stroke"), path.get("stroke-dasharray")))
    assert set(styles) == {"best", "acceptable", "harmful"}
    assert len({dash for values in styles.values() for _colour, dash in values}) == 3
    labels = [text.text for text in svg.xpath(".//g[@class='cs-map-labels']/text")]
    assert sorted(labels) == sorted(["best 2", "harmful 0", "acceptable 1", "best 2",
                                     "acceptable 1", "harmful 0", "acceptable 1"])


def test_the_maps_arrow_labels_do_not_pile_up_where_arrows_meet():
    import itertools

    from bench.authoring import branching_xml
    from tests.test_authoring import COURSE_TEXTS

    def piled(text):
        found = compile_text(text)
        labels = [(a.label_x, a.label_y)
                  for a in scenario_map.layout(found.scenario, found.analysis).arrows]
        return sum(1 for p, q in itertools.combinations(labels, 2)
                   if abs(p[0] - q[0]) < scenario_map.LABEL_WIDTH
                   and abs(p[1] - q[1]) < scenario_map.LABEL_HEIGHT)
    # before labels moved along their arrows, the course's maps had 116 overlapping pairs
    assert all(piled(text) <= 1 for _name, text in COURSE_TEXTS)
    assert sum(piled(text) for _name, text in COURSE_TEXTS) <= 2
    assert piled(branching_xml(60)) == 0
