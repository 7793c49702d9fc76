"""The visual editor's handler, studio_edit (issue 14): moves made on the editor's text, nothing
stored, the same check as the XML view's with each problem at its form and field."""
import gzip

import lxml.html
import pytest

from cultural_safety_xblock import rendering
from cultural_safety_xblock.scenario.starters import EMPTY, EXAMPLE
from tests.support.runtime import Learner
from tests.test_studio import staff

EDITOR_BUDGET = 25 * 1024   # gzipped bytes of the editor's JS and CSS (issue 14)


def edit(author, text, operations=(), show=(), map_key=""):
    return author.post("studio_edit", {"scenario_xml": text, "operations": list(operations),
                                       "show": list(show), "map_key": map_key})


def test_a_move_answers_the_new_text_the_outline_and_the_form_and_stores_nothing():
    author = staff(EXAMPLE)
    status, answer = edit(author, EXAMPLE, [{"op": "set", "at": ["node", 1], "name": "title",
                                             "value": "What he brought"}], show=["node", 1])
    assert status == 200, answer
    start, end, new = answer["splice"]   # the change, not the whole text
    assert EXAMPLE[:start] + new + EXAMPLE[end:] == EXAMPLE.replace(
        'title="What he came with"', 'title="What he brought"')
    assert len(new) < 20
    assert answer["detail"]["title"] == "What he brought" and answer["focus"] == ["node", 1]
    assert [p["id"] for p in answer["outline"]["places"]][:3] == ["welcome", "story", "plan"]
    assert answer["count"] == 0 and "No problems found" in answer["summary"]
    assert author.load().scenario_xml == EXAMPLE   # the save is the XML view's, all or nothing


def test_each_problem_comes_with_its_form_and_field():
    author = staff(EXAMPLE)
    status, answer = edit(author, EXAMPLE, [
        {"op": "set", "at": ["node", 0, "choice", 1], "name": "points", "value": "12"}],
        show=["node", 0])
    assert status == 200
    (problem,) = answer["problems"]
    assert (problem["code"], problem["form"], problem["field"]) == (
        "out-of-range", ["node", 0], "choice.1.points")


def test_the_scene_is_previewed_as_learners_see_it_sanitised():
    author = staff(EXAMPLE)
    status, answer = edit(author, EXAMPLE, [
        {"op": "content", "at": ["node", 0], "tag": "html",
         "value": '<p>Hi <em>there</em></p><span onclick="x()">click</span>'}], show=["node", 0])
    assert status == 200
    assert "<em>there</em>" in answer["detail"]["html_preview"]
    assert "onclick" not in answer["detail"]["html_preview"]
    assert "onclick" in answer["detail"]["html"]      # the author's text as written
    assert any(p["code"] == "unsafe-html" and p["field"] == "html" for p in answer["problems"])


def test_the_map_is_sent_only_when_it_changed():
    author = staff(EXAMPLE)
    first = edit(author, EXAMPLE)[1]
    assert "map_html" in first
    again = edit(author, EXAMPLE, [{"op": "set", "at": ["node", 0], "name": "title",
                                    "value": "Minutes"}], map_key=first["map_key"])[1]
    assert "map_html" in again  # the title is drawn on the map
    # other words on as many lines: the map is the same
    start, end, new = again["splice"]
    words = edit(author, EXAMPLE[:start] + new + EXAMPLE[end:], [
        {"op": "content", "at": ["node", 1], "tag": "html", "value": "<p>Other words.</p>"}],
        map_key=again["map_key"])[1]
    assert "map_html" not in words and words["map_key"] == again["map_key"]


def test_a_refused_move_answers_422_with_the_field_and_a_message():
    author = staff(EXAMPLE)
    status, answer = edit(author, EXAMPLE, [{"op": "rename", "at": ["node", 0], "id": "story"}])
    assert status == 422 and answer["field"] == "id" and "story" in answer["message"]


@pytest.mark.parametrize("operations", [
    [{"op": "explode", "at": []}],
    [{"op": "set", "at": ["node", "0"], "name": "title", "value": "x"}],
    [{"op": "set", "at": ["node", 0], "name": "title", "value": 3}],
    [{"op": "move", "at": ["node", 0], "by": 5}],
    ["not a dict"],
    [{"op": "delete", "at": ["node", 0]}] * 65,
])
def test_a_malformed_move_is_refused_with_400(operations):
    status, answer = edit(staff(EXAMPLE), EXAMPLE, operations)
    assert status == 400 and answer["code"] == "bad-edit"


def test_a_learner_cannot_use_the_editor():
    learner = Learner(EXAMPLE, user="student_sneaky")
    status, _answer = edit(learner, EXAMPLE, [{"op": "delete", "at": ["node", 0]}])
    assert status == 403


def test_an_unreadable_text_is_checked_and_the_visual_editor_says_so():
    author = staff(EXAMPLE)
    broken = EXAMPLE.replace("</node>", "", 1)
    status, answer = edit(author, broken)
    assert status == 200 and answer["outline"] is None and answer["count"] >= 1
    status, answer = edit(author, broken, [{"op": "delete", "at": ["node", 0]}])
    assert status == 422 and "XML view" in answer["message"]


def test_a_template_replaces_the_text():
    author = staff(EXAMPLE)
    status, answer = edit(author, EXAMPLE, [{"op": "template", "name": "empty"}])
    start, end, new = answer["splice"]
    assert status == 200 and EXAMPLE[:start] + new + EXAMPLE[end:] == EMPTY
    assert answer["focus"] == []


def test_no_problems_found_is_said_once_in_the_editor_and_the_author_view():
    author = staff(EXAMPLE)
    for view in (author.block.studio_view, author.block.author_view):
        page = lxml.html.fromstring(view().content).text_content()
        assert page.count("No problems found") == 1, view


def test_the_editors_script_and_styles_fit_the_size_budget_gzipped():
    files = ("studio.js", "editor.js", "studio.css", "editor.css")
    size = len(gzip.compress("".join(rendering.static_text(name) for name in files).encode(), 9))
    assert size < EDITOR_BUDGET, size


def test_a_text_beyond_the_basic_plane_comes_back_whole():
    text = EXAMPLE.replace("Sefa, 34,", "Sefa \U0001F642, 34,")
    status, answer = edit(staff(text), text, [{"op": "set", "at": ["node", 2], "name": "title",
                                               "value": "Later"}])
    assert status == 200 and 'title="Later"' in answer["text"] and "splice" not in answer


def test_the_editor_page_names_its_map_so_the_first_check_does_not_send_it_again():
    author = staff(EXAMPLE)
    page = lxml.html.fromstring(author.block.studio_view().content)
    (key,) = page.xpath("//div[contains(@class, 'cs-studio')]/@data-map-key")
    status, answer = edit(author, EXAMPLE, map_key=key)
    assert status == 200 and answer["map_key"] == key and "map_html" not in answer
