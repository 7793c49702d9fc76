"""A Studio save answers without the map (drawing it would cost more than the check itself), and
the editor then draws the map of the saved text, leaving the save's message in place."""
import re
import urllib.request

import pytest

from tests.support.runtime import Learner
from tests.support.workbench_server import WorkbenchServer

SETTINGS = {"display_name": "Branching scenario", "weight": 1.0, "max_attempts": 0,
            "grading": "best_attempt", "practice": False, "allow_back": True,
            "allow_restart": True, "reflections_in_reports": False}
TEXT = ('<scenario start="a"><content_note>None.</content_note>'
        '<node id="a" title="First"><html><p>Hi.</p></html>'
        '<choice id="x" target="end" rating="best" points="1"><text>Go</text>'
        '<consequence><p>Fine.</p></consequence></choice></node>'
        '<ending id="end" outcome="safe"><html><p>End.</p></html></ending>'
        '<debrief><html><p>Why.</p></html></debrief></scenario>')


def author():
    learner = Learner(TEXT, user="staff_author")
    learner.block.runtime.user_is_staff = True
    return learner


def test_a_save_answers_without_the_map_and_a_refused_save_with_it():
    saved_status, saved = author().post("studio_save", dict(SETTINGS, scenario_xml=TEXT))
    assert saved_status == 200 and "map_html" not in saved and saved["count"] == 0
    broken = TEXT.replace('target="end"', 'target="nowhere"')
    refused_status, refused = author().post("studio_save", dict(SETTINGS, scenario_xml=broken))
    assert refused_status == 422 and "<svg" in refused["map_html"]


@pytest.fixture(scope="module")
def private_workbench(tmp_path_factory):
    """A workbench of this module's own: the test saves a scenario, others must not see it."""
    with WorkbenchServer(tmp_path_factory.mktemp("studio-save")) as url:
        yield url


def first_scenario_block(base_url):
    """The first workbench scenario whose page holds a playable scenario block."""
    with urllib.request.urlopen(base_url + "/") as response:
        index = response.read().decode("utf-8")
    for scenario in re.findall(r'href="/scenario/(cultural_safety_scenario\.\d+)/"', index):
        with urllib.request.urlopen(f"{base_url}/scenario/{scenario}/") as response:
            if 'class="cs-scenario"' in response.read().decode("utf-8"):
                return scenario
    raise AssertionError("no playable scenario in the workbench")


def test_after_a_save_the_editor_draws_the_map_of_the_saved_text(page, private_workbench):
    scenario = first_scenario_block(private_workbench)
    page.goto(f"{private_workbench}/scenario/{scenario}/studio_view/?student=staff_studio")
    page.click(".cs-studio [data-view='xml']")
    editor = page.locator(".cs-studio .cs-olx")
    editor.wait_for()
    text = editor.input_value()
    title = text.split('title="', 2)[2].split('"', 1)[0]   # the first node's (after the root's)
    edited = text.replace(f'title="{title}"', 'title="Drawn anew"', 1)
    assert edited != text
    # set without an input event, so no live check runs: only the save's follow-up can draw it
    editor.evaluate("(element, value) => { element.value = value; }", edited)
    page.locator(".cs-studio button[data-action='save']").click()
    page.locator(".cs-studio .cs-map-svg text", has_text="Drawn anew").first.wait_for()
    assert "Saved" in page.locator(".cs-studio .cs-status").inner_text()


@pytest.fixture
def layouts(monkeypatch):
    """How many maps are laid out."""
    import cultural_safety_xblock.studio as studio

    counted = []
    real = studio.scenario_map.layout
    monkeypatch.setattr(studio.scenario_map, "layout",
                        lambda *args: counted.append(1) or real(*args))
    return counted


def checked_map(text):
    status, answer = author().post("studio_check", {"scenario_xml": text})
    assert status == 200
    return answer["map_html"]


def test_a_check_after_an_edit_of_words_reuses_the_map_and_other_edits_redraw_it(layouts):
    first = checked_map(TEXT.replace("Hi.", "Hello."))
    layouts.clear()
    assert checked_map(TEXT.replace("Hi.", "Hello there.").replace("Fine.", "Good.")) == first
    assert layouts == []
    retitled = checked_map(TEXT.replace('title="First"', 'title="The first"'))
    assert "The first" in retitled and layouts == [1]
    moved = checked_map(TEXT.replace("<choice ", "\n\n<choice "))
    assert 'data-line="3"' in moved and 'data-line="3"' not in first and layouts == [1, 1]
    rerated = checked_map(TEXT.replace('rating="best"', 'rating="harmful"'))
    assert rerated != first and layouts == [1, 1, 1]
