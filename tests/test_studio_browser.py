"""An author in a real browser (Debian's Chromium) on the workbench's Studio view of a scenario.

The workbench here serves a course of its own (one unit, one small scenario), so what the author
changes touches no other test. The author breaks the scenario, sees the problem with its line,
jumps to it, adds a place nothing leads to and sees the map list it, has a save refused without
losing a character, fixes everything, saves, and a learner sees the change at once.
"""
import pytest

from tests.support import axe_violations, format_violations
from tests.support.workbench_server import WorkbenchServer

pytestmark = pytest.mark.browser

SCENARIO_ID = "cultural_safety_scenario.0"
SCENARIO = """<cultural_safety_scenario url_name="authoring" display_name="Authoring in the browser">
  <node id="intake" title="First session">
    <html><p>Ana, 52, has come about her sleep.</p></html>
    <choice id="ask" target="plan" rating="best" points="2">
      <text>Ask what she has tried already.</text>
      <consequence><p>She lists three things, relieved to be asked.</p></consequence>
    </choice>
    <choice id="tell" target="plan" rating="harmful" points="0">
      <text>Tell her what works for most people.</text>
      <consequence><p>She nods and stops talking.</p></consequence>
    </choice>
  </node>
  <node id="plan" title="Making a plan">
    <html><p>There are ten minutes left.</p></html>
    <choice id="together" target="rested" rating="best" points="2">
      <text>Write the plan together.</text>
      <consequence><p>She writes it in her own words.</p></consequence>
    </choice>
    <choice id="handout" target="rested" rating="acceptable" points="1">
      <text>Give her a handout.</text>
      <consequence><p>She folds it into her bag.</p></consequence>
    </choice>
  </node>
  <ending id="rested" outcome="safe" title="A plan she owns">
    <html><p>Two weeks later she sleeps a little better.</p></html>
  </ending>
  <debrief>
    <html><p>Ask before advising.</p></html>
  </debrief>
</cultural_safety_scenario>"""
ISLAND = """  <node id="island" title="Nobody comes here">
    <html><p>Unreachable.</p></html>
    <choice id="leave" target="rested" rating="best" points="1">
      <text>Leave.</text>
      <consequence><p>Gone.</p></consequence>
    </choice>
  </node>
"""


def write_course(folder):
    """The smallest course the workbench reads: one chapter, sequential and unit."""
    files = {
        "course.xml": '<course url_name="run" org="test" course="authoring"/>',
        "course/run.xml": '<course display_name="Authoring"><chapter url_name="c1"/></course>',
        "chapter/c1.xml": '<chapter display_name="One"><sequential url_name="s1"/></chapter>',
        "sequential/s1.xml": '<sequential display_name="One"><vertical url_name="v1"/></sequential>',
        "vertical/v1.xml": f'<vertical display_name="Authoring unit">{SCENARIO}</vertical>',
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory):
    course = write_course(tmp_path_factory.mktemp("authoring-course"))
    server = WorkbenchServer(tmp_path_factory.mktemp("authoring-workbench"), course=course)
    with server as url:
        yield url


def open_studio(page, url, student="staff_author"):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.goto(url.scenario(SCENARIO_ID, "studio_view", student=student))
    page.click(".cs-studio [data-view='xml']")  # the visual editor opens first
    page.wait_for_selector(".cs-studio textarea.cs-olx")
    return page.locator(".cs-studio textarea.cs-olx")


def cursor_line(page):
    return page.evaluate("""() => {
        const editor = document.querySelector('.cs-studio textarea.cs-olx');
        return editor.value.slice(0, editor.selectionStart).split('\\n').length;
    }""")


def wait_for_summary(page, words):
    page.wait_for_function(
        "(words) => document.querySelector('.cs-studio .cs-summary').textContent.includes(words)",
        arg=words)


def test_an_author_fixes_a_broken_scenario_and_learners_see_the_change(page, page_log, studio_server):
    editor = open_studio(page, studio_server)
    original = editor.input_value()
    assert 'id="intake"' in original
    lines = original.split("\n")
    numbers = page.locator(".cs-gutter").inner_text().split()
    assert numbers[:3] == ["1", "2", "3"] and len(numbers) == len(lines)

    # 1. a typo in a target: listed with its line, and selecting it moves the cursor there
    broken = original.replace('target="rested" rating="best" points="2"',
                              'target="restde" rating="best" points="2"')
    line = next(n for n, text in enumerate(broken.split("\n"), 1) if 'target="restde"' in text)
    editor.fill(broken)
    problem = page.locator(".cs-problem[data-code='unknown-target']")
    problem.wait_for()
    assert "restde" in problem.inner_text()
    go = problem.locator("button.cs-problem-go")
    assert go.inner_text() == f"Line {line}"
    go.click()
    assert page.evaluate("() => document.activeElement.classList.contains('cs-olx')")
    assert cursor_line(page) == line
    assert "points=\"2\"" in page.evaluate("""() => {
        const e = document.activeElement; return e.value.slice(e.selectionStart, e.selectionEnd);
    }""")

    # 2. a place nothing leads to: the map lists it
    with_island = broken.replace("  <ending", ISLAND + "  <ending")
    editor.fill(with_island)
    page.wait_for_selector(".cs-map-unreachable button[data-place='island']")
    assert page.locator(".cs-map svg .cs-map-place[data-place='island']").get_attribute(
        "data-marks") == "unreachable"
    assert page.locator(".cs-problem[data-code='unreachable-node']").count() == 1

    # 3. saving is refused, and the text stays exactly as typed
    page.click(".cs-actions button[data-action='save']")
    page.wait_for_function(
        "() => document.querySelector('.cs-studio .cs-status').textContent.includes('Not saved')")
    assert page.locator(".cs-status").get_attribute("class").split().count("cs-error") == 1
    assert editor.input_value() == with_island

    # 4. fixed and edited: clean, saved
    fixed = original.replace('title="First session"', 'title="A changed first session"')
    editor.fill(fixed)
    wait_for_summary(page, "No problems found")
    page.click(".cs-actions button[data-action='save']")
    page.wait_for_function(
        "() => document.querySelector('.cs-studio .cs-status').textContent.includes('Saved')")
    assert editor.input_value() == fixed

    # 5. a learner sees the change at once
    page.goto(studio_server.scenario(SCENARIO_ID, student="learner_after_edit"))
    page.click(".cs-scenario button[data-action='begin']")
    page.wait_for_selector(".cs-stage-body[data-node='intake']")
    assert "A changed first session" in page.locator(".cs-stage").inner_text()

    # 6. and the author finds the saved text when coming back
    assert open_studio(page, studio_server).input_value() == fixed
    assert page_log.errors == []
    # the browser logs the refused save's answer (422); nothing else went wrong
    assert [e for e in page_log.console_errors() if "status of 422" not in e] == []


def test_an_author_previews_from_any_node_and_records_nothing(page, page_log, studio_server):
    open_studio(page, studio_server, student="staff_previewer")
    page.select_option(".cs-preview-from", "plan")
    page.click(".cs-preview-controls button[data-action='preview']")
    page.wait_for_selector(".cs-preview .cs-stage-body[data-node='plan']")
    assert "Making a plan" in page.locator(".cs-preview").inner_text()
    assert "record nothing" in page.locator(".cs-preview-note").inner_text()
    page.click(".cs-preview button[data-choice='together']")
    page.wait_for_selector(".cs-preview .cs-stage-body[data-node='rested']")
    assert "A plan she owns" in page.locator(".cs-preview").inner_text()
    # the author's own learner view has not moved: nothing was recorded
    page.goto(studio_server.scenario(SCENARIO_ID, student="staff_previewer"))
    assert page.locator(".cs-stage-body").get_attribute("data-status") == "intro"
    assert page_log.errors == []


def test_a_learner_opening_the_studio_view_cannot_save(page, studio_server):
    editor = open_studio(page, studio_server, student="learner_sneaky")
    editor.fill(editor.input_value().replace("Making a plan", "Hacked"))
    page.click(".cs-actions button[data-action='save']")
    page.wait_for_function(
        "() => document.querySelector('.cs-studio .cs-status').textContent.includes('staff')")
    page.goto(studio_server.scenario(SCENARIO_ID, student="learner_check"))
    page.click(".cs-scenario button[data-action='begin']")
    page.click(".cs-scenario button.cs-choice:has-text('Ask what she has tried already.')")
    page.wait_for_selector(".cs-stage-body[data-node='plan']")
    assert "Hacked" not in page.locator(".cs-stage").inner_text()


def test_the_studio_and_author_views_pass_axe(page, studio_server):
    for view in ("studio_view", "author_view"):
        page.goto(studio_server.scenario(SCENARIO_ID, view, student="staff_axe"))
        page.wait_for_selector(".cs-studio")
        violations = axe_violations(page, context=".cs-studio")
        assert violations == [], f"{view}:\n{format_violations(violations)}"
