"""The visual editor in a real browser (Debian's Chromium), by the mouse and by the keyboard only
(issue 14).

An author starts from the empty template and builds a four-decision scenario without typing any
XML: two endings, a variable and a condition on it, a place added then deleted, an id renamed.
The author saves it, a learner plays it in the workbench, the XML view shows what was built, and
a hand edit there comes back in the visual editor. axe-core checks every state of the editor.
"""
import os
import re

import pytest

from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support import axe_violations, format_violations
from tests.support.paths import REPO_ROOT
from tests.support.workbench_server import WorkbenchServer
from tests.test_studio_browser import SCENARIO_ID, write_course

pytestmark = pytest.mark.browser
# Screenshots for docs/authoring.md: always in artifacts/screens/; in docs/images/ as well when
# UPDATE_DOC_IMAGES=1 (so a test run leaves the repository as it was).
SHOTS = [REPO_ROOT / "artifacts" / "screens"] + (
    [REPO_ROOT / "docs" / "images"] if os.environ.get("UPDATE_DOC_IMAGES") == "1" else [])


def shoot(page, selector, name):
    """A screenshot of ``selector`` in a viewport tall enough that no sticky bar covers it."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 3000})
    page.evaluate("() => window.scrollTo(0, 0)")
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.locator(selector).first.screenshot(path=str(folder / f"{name}.png"), animations="disabled")
    page.set_viewport_size(size)


@pytest.fixture(scope="module")
def visual_server(tmp_path_factory):
    course = write_course(tmp_path_factory.mktemp("visual-course"))
    server = WorkbenchServer(tmp_path_factory.mktemp("visual-workbench"), course=course)
    with server as url:
        yield url


def open_editor(page, url, student="staff_visual"):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url.scenario(SCENARIO_ID, "studio_view", student=student))
    page.wait_for_selector(".cs-visual .cs-outline-item")
    return page


def settled(page):
    """Wait until no edit is on its way and the text shown is the one last answered."""
    page.wait_for_function("""() => {
        const box = document.querySelector('.cs-studio');
        return box && box.getAttribute('data-busy') !== 'true';
    }""")


def xml_text(page):
    page.click(".cs-views [data-view='xml']")
    text = page.locator(".cs-studio textarea.cs-olx").input_value()
    page.click(".cs-views [data-view='visual']")
    page.wait_for_selector(".cs-visual .cs-outline-item")
    return text


def check_axe(page, state, found):
    violations = axe_violations(page, context=".cs-studio")
    if violations:
        found.append(f"{state}:\n{format_violations(violations)}")


def unlabelled(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.cs-studio input, .cs-studio select, .cs-studio textarea, .cs-studio button'))
        .filter(e => !e.closest('[hidden]') && e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !(e.textContent || '').trim())
        .map(e => e.outerHTML.slice(0, 120))""")


def pick(page, key, value):
    page.select_option(f".cs-form [data-key='{key}']", value)
    settled(page)


def type_into(page, key, value):
    page.fill(f".cs-form [data-key='{key}']", value)
    settled(page)


def click(page, selector):
    page.click(selector)
    settled(page)


def open_place(page, name):
    click(page, f".cs-outline-item:has(.cs-outline-name:text-matches('^{name}(:|$)'))")


def test_an_author_builds_a_four_decision_scenario_with_the_mouse(page, page_log, visual_server):
    open_editor(page, visual_server)
    axe = []
    check_axe(page, "opened", axe)
    page.select_option(".cs-template", "empty")
    click(page, "[data-edit='template']")
    page.wait_for_function("() => document.querySelectorAll('.cs-outline-item').length === 4")
    # the scenario's own form: a variable named trust
    open_place(page, "Scenario")
    click(page, "[data-add='variable']")
    page.fill(".cs-form [data-key='variable.0.id']", "trust")
    page.press(".cs-form [data-key='variable.0.id']", "Tab")
    settled(page)
    type_into(page, "variable.0.initial", "2")
    check_axe(page, "scenario form", axe)
    # four nodes: start and three more
    for _ in range(3):
        click(page, "[data-edit='add-node']")
    ids = ["start", "node_1", "node_2", "node_3"]
    for number, node_id in enumerate(ids):
        open_place(page, node_id)
        type_into(page, "title", f"Decision {number + 1}")
        type_into(page, "html", f"<p>Scene {number + 1}.</p>")
        click(page, "[data-add='choice']")
        type_into(page, "choice.0.text", f"Go on from {number + 1}.")
        type_into(page, "choice.0.consequence", "<p>The client nods.</p>")
        type_into(page, "choice.0.points", "1")
        target = ids[number + 1] if number < 3 else "end"
        pick(page, "choice.0.target", target)
    check_axe(page, "node form", axe)
    shoot(page, ".cs-visual-body", "editor-node-form")
    # node_3 gets a second choice, to a new ending, offered only if trust >= 2
    open_place(page, "node_3")
    click(page, "[data-add='choice']")
    type_into(page, "choice.1.text", "Name what happened earlier.")
    type_into(page, "choice.1.consequence", "<p>She <em>relaxes</em>.</p>")
    pick(page, "choice.1.target", "\u0001ending")
    open_place(page, "node_3")
    type_into(page, "choice.1.requires", "trust >= 2")
    click(page, "[data-add='effect']")
    # the first choice changes trust
    open_place(page, "start")
    click(page, ".cs-choice-form [data-add='effect']")
    # a place added then deleted
    click(page, "[data-edit='add-node']")
    open_place(page, "node_4")
    click(page, ".cs-form-tools button:text('Delete')")
    assert page.locator(".cs-outline-item:has-text('node_4')").count() == 0
    # the endings' text, the debrief, and a rename
    for ending in ("end", "ending_1"):
        open_place(page, ending)
        type_into(page, "html", "<p>What happens next.</p>")
    check_axe(page, "ending form", axe)
    open_place(page, "end")
    page.fill(".cs-form [data-key='id']", "kept_going")
    page.press(".cs-form [data-key='id']", "Enter")
    settled(page)
    open_place(page, "Debrief")
    type_into(page, "html", "<p>Why it mattered.</p>")
    check_axe(page, "debrief form", axe)
    page.wait_for_function(
        "() => document.querySelector('.cs-studio .cs-summary').textContent.includes('No problems')")
    click(page, ".cs-actions [data-action='save']")
    page.wait_for_function(
        "() => document.querySelector('.cs-studio .cs-status').textContent.includes('Saved')")
    text = xml_text(page)
    compiled = compile_text(text)
    assert compiled.playable, [str(p) for p in compiled.problems]
    scenario = compiled.scenario
    assert [n.id for n in scenario.nodes] == ids
    assert [e.id for e in scenario.endings] == ["kept_going", "ending_1"]
    assert scenario.nodes[2].choices[0].target == "node_3"
    assert scenario.nodes[3].choices[0].target == "kept_going"
    assert str(scenario.nodes[3].choices[1].requires) == "trust >= 2"
    assert scenario.variables[0].id == "trust" and scenario.variables[0].initial == 2
    assert axe == [], "\n".join(axe)

    # a learner plays it
    page.goto(visual_server.scenario(SCENARIO_ID, student="learner_visual"))
    page.click(".cs-scenario button[data-action='begin']")
    for number in range(3):
        page.wait_for_selector(f".cs-stage-body[data-node='{ids[number]}']")
        page.click(f".cs-scenario button.cs-choice:has-text('Go on from {number + 1}.')")
    page.wait_for_selector(".cs-stage-body[data-node='node_3']")
    page.click(".cs-scenario button.cs-choice:has-text('Name what happened earlier.')")
    page.wait_for_selector(".cs-stage-body[data-node='ending_1']")
    assert page_log.errors == []


def test_a_hand_edit_in_the_xml_view_comes_back_in_the_visual_editor(page, visual_server):
    open_editor(page, visual_server, student="staff_both_views")
    page.click(".cs-views [data-view='xml']")
    editor = page.locator(".cs-studio textarea.cs-olx")
    text = editor.input_value()
    edited = re.sub(r'(<node id="[^"]*" title=")([^"]*)"', r'\1Typed by hand"', text, count=1)
    assert edited != text
    editor.fill(edited)
    page.wait_for_timeout(900)
    settled(page)
    page.click(".cs-views [data-view='visual']")
    page.wait_for_selector(".cs-outline-item:has-text('Typed by hand')")
    open_place(page, page.locator(".cs-outline-item:has-text('Typed by hand') .cs-outline-name")
               .inner_text().split(":")[0])
    assert page.locator(".cs-form [data-key='title']").input_value() == "Typed by hand"


def test_the_keyboard_alone_builds_edits_and_undoes(page, visual_server):
    open_editor(page, visual_server, student="staff_keyboard")
    axe = []
    # reach the template picker and use the example
    page.focus(".cs-template")
    page.keyboard.press("ArrowDown")   # "a three-decision example"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    settled(page)
    page.wait_for_selector(".cs-outline-item:has-text('welcome')")
    # the map is a way around: a place, reached by Tab, opens its form on Enter
    page.focus(".cs-map-place[data-place='story']")
    page.keyboard.press("Enter")
    settled(page)
    page.wait_for_selector(".cs-form-heading:text('Node story')")
    assert page.evaluate("() => document.activeElement.classList.contains('cs-form-heading')")
    check_axe(page, "example, story form", axe)
    shoot(page, ".cs-map-scroll", "editor-map")
    # type a new title with the keyboard, then undo it
    page.keyboard.press("Tab")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.getAttribute('data-key')") == "title":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Told by keyboard")
    settled(page)
    page.wait_for_selector(".cs-outline-item:has-text('Told by keyboard')")
    page.focus("[data-edit='undo']")
    page.keyboard.press("Enter")
    settled(page)
    page.wait_for_selector(".cs-outline-item:has-text('What he came with')")
    # a problem is announced and a problem's button takes the author to its field
    page.focus(".cs-form [data-key='choice.0.points']")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    settled(page)
    page.wait_for_selector(".cs-form [data-key='choice.0.points'][aria-invalid='true']")
    assert "1 problem" in page.locator(".cs-summary").inner_text()
    assert page.locator(".cs-summary").get_attribute("role") == "status"
    check_axe(page, "a problem at its field", axe)
    shoot(page, ".cs-choice-form", "editor-problem-at-field")
    page.focus(".cs-problem-go")
    page.keyboard.press("Enter")
    settled(page)
    assert page.evaluate("() => document.activeElement.getAttribute('data-key')") == "choice.0.points"
    assert unlabelled(page) == []
    assert axe == [], "\n".join(axe)


def test_unsaved_work_survives_a_reload_and_is_thrown_away_only_when_asked(page, visual_server):
    open_editor(page, visual_server, student="staff_draft")
    click(page, ".cs-outline-item[data-kind='node']")
    type_into(page, "title", "Kept through a reload")
    page.reload()
    page.wait_for_selector(".cs-draft:not([hidden])")
    axe = []
    check_axe(page, "draft offered", axe)
    click(page, "[data-edit='restore']")
    page.wait_for_selector(".cs-outline-item:has-text('Kept through a reload')")
    # closing the editor at once (Cancel) keeps the change too
    click(page, ".cs-outline-item[data-kind='node']")
    type_into(page, "title", "Kept through a closed editor")
    page.click(".cs-actions [data-action='cancel']")
    page.goto(page.url)
    page.wait_for_selector(".cs-draft:not([hidden])")
    click(page, "[data-edit='restore']")
    page.wait_for_selector(".cs-outline-item:has-text('Kept through a closed editor')")
    page.reload()
    page.wait_for_selector(".cs-draft:not([hidden])")
    page.click("[data-edit='discard']")   # the dialog is accepted
    page.reload()
    page.wait_for_selector(".cs-visual .cs-outline-item")
    assert page.locator(".cs-draft").is_hidden()
    assert axe == [], "\n".join(axe)


CROSSING = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    const inside = '.cs-studio select, .cs-studio input, .cs-studio textarea, .cs-staff table';
    return Array.from(document.querySelectorAll(inside))
      .filter(e => e.offsetParent !== null)
      .filter(e => e.getBoundingClientRect().right > box.right + 1)
      .map(e => e.tagName + '.' + (e.className || e.id));
}"""


def test_at_360_pixels_nothing_crosses_the_blocks_border(page, visual_server):
    page.set_viewport_size({"width": 360, "height": 800})
    open_editor(page, visual_server, student="staff_narrow")
    click(page, ".cs-outline-item[data-kind='node']")
    assert page.evaluate(CROSSING, ".cs-studio") == []
    page.goto(visual_server.scenario(SCENARIO_ID, "author_view", student="staff_narrow"))
    page.wait_for_selector(".cs-author .cs-preview-from")
    assert page.evaluate(CROSSING, ".cs-studio") == []


def test_at_360_pixels_the_staff_dashboards_choice_tables_stay_inside_the_block(
        page, workbench_server):
    """The course's first scenario: its choice tables were 440 to 500 px wide at 360 px."""
    page.set_viewport_size({"width": 360, "height": 800})
    for number in range(12):   # the course's units in order: framing pages, then scenarios
        page.goto(workbench_server.scenario(f"cultural_safety_scenario.{number}",
                                            student="staff_narrow"))
        if page.locator(".cs-staff summary").count():
            break
    page.locator(".cs-staff summary").click()
    page.wait_for_selector(".cs-staff table")
    assert page.locator(".cs-staff table").count() >= 3
    assert page.evaluate(CROSSING, "[data-block-type='cultural_safety_scenario']") == []
