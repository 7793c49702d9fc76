"""A learner in a real browser (Debian's Chromium) on the workbench, playing a course scenario.

Mouse and keyboard-only play to an ending, reload and resume, back and restart, the debrief and a
saved reflection, pause, the French interface, and screenshots at phone, tablet and desktop widths
(artifacts/screens/). Content-agnostic: it plays the course's first scenario unit, whatever it says.
"""
import gzip

import pytest

from cultural_safety_xblock.demo import DEMO_SCENARIO
from tests.support.learner_page import BLOCK, BODY, LearnerPage, scenario_units
from tests.support.runtime import Learner

pytestmark = pytest.mark.browser

WIDTHS = (360, 768, 1280)


@pytest.fixture
def scenario_id(workbench_server):
    units = scenario_units(workbench_server)
    assert units, "the workbench lists no unit with a playable scenario"
    return units[0][0]


@pytest.fixture
def learner(page, workbench_server, scenario_id, request):
    return LearnerPage(page, workbench_server, scenario_id, student=f"b_{request.node.name[5:40]}").open()


def debrief_steps(learner):
    items = learner.page.locator(f"{BODY} .cs-path > li")
    return [items.nth(i).inner_text() for i in range(items.count())]


def test_a_learner_plays_a_scenario_to_an_ending_with_the_mouse(learner, page_log):
    assert learner.status() == "intro"
    learner.begin()
    start = learner.place()
    assert learner.status() == "node" and start
    taken = learner.play_to_ending()
    assert learner.status() == "ending"
    assert taken[0][0] == start
    assert learner.page.locator(f"{BODY} .cs-debrief").is_visible()
    steps = debrief_steps(learner)
    assert len(steps) == len(taken)
    ratings = learner.page.locator(f"{BODY} .cs-path .cs-rating")
    assert ratings.count() == len(taken) and all(ratings.nth(i).inner_text().strip()
                                                 for i in range(len(taken)))
    assert page_log.errors == [] and page_log.console_errors() == []


def test_a_learner_plays_to_an_ending_with_the_keyboard_only(learner, page_log):
    page = learner.page
    page.keyboard.press("Tab")  # into the page, as a keyboard user arriving
    learner.tab_to(f"{BLOCK} button[data-action='begin']")
    learner.press("Enter")
    keys = ["Enter", "Space"]
    for step in range(40):
        now = learner.focused()
        assert now["inBlock"] and now["tag"] in ("h3", "h4"), now  # focus went to the new content
        if learner.status() == "ending":
            break
        _, (place, choice) = learner.next_choice()
        presses = learner.tab_to(f"{BODY} .cs-choice[data-choice='{choice}']")
        assert presses <= 12, f"{presses} presses of Tab from the new content to a choice"
        learner.press(keys[step % 2])  # buttons answer both Enter and Space
        learner.taken.append((place, choice))
    assert learner.status() == "ending"
    learner.tab_to(f"{BODY} .cs-reflection textarea")
    page.keyboard.type("Handing it back means trusting her to know her life.")
    learner.tab_to(f"{BODY} .cs-reflection button[type='submit']")
    page.keyboard.press("Enter")
    saved = page.locator(f"{BODY} .cs-reflection .cs-saved").first
    saved.wait_for(state="visible")
    page.wait_for_function("(el) => el.textContent.trim() !== ''", arg=saved.element_handle())
    assert saved.inner_text() == "Saved."
    assert page_log.errors == []


def test_a_reload_mid_scenario_resumes_where_the_learner_was(learner):
    learner.begin()
    learner.choose()
    learner.choose()
    place, version = learner.place(), learner.version()
    told = learner.page.locator(f"{BODY} .cs-consequence").inner_text()
    learner.reload()
    assert (learner.status(), learner.place(), learner.version()) == ("node", place, version)
    assert learner.page.locator(f"{BODY} .cs-consequence").inner_text() == told
    learner.play_to_ending()
    assert learner.status() == "ending"


def test_back_takes_back_the_last_choice(learner):
    learner.begin()
    start = learner.place()
    learner.choose()
    second, version = learner.place(), learner.version()
    learner.click(learner.control("back"))
    assert learner.place() == start and learner.version() == version + 1
    assert learner.control("back").count() == 0  # nothing left to take back
    assert learner.page.locator(f"{BODY} .cs-choice").count() >= 2
    learner.taken.clear()
    learner.choose()
    assert learner.place() == second


def test_restart_asks_first_and_then_begins_a_new_attempt(learner):
    learner.play_to_ending()
    asked = []

    def answer(dialog, accept):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    learner.page.once("dialog", lambda dialog: answer(dialog, accept=False))
    version = learner.version()
    learner.control("restart").click()
    learner.page.wait_for_timeout(200)  # nothing must happen after "Cancel": give it the chance
    assert learner.version() == version and learner.status() == "ending"

    learner.page.once("dialog", lambda dialog: answer(dialog, accept=True))
    learner.click(learner.control("restart"))
    assert learner.status() == "node" and learner.place() == learner.taken[0][0]
    assert learner.page.locator(f"{BODY} .cs-consequence").count() == 0
    assert asked == [("confirm", "Start the scenario again from the beginning? "
                                 "Your current path will be left behind.")] * 2


def test_the_debrief_shows_the_path_and_a_saved_reflection_survives_a_reload(learner):
    taken = learner.play_to_ending()
    debrief = learner.page.locator(f"{BODY} .cs-debrief")
    assert debrief.locator("h3").first.inner_text() == "Debrief"
    assert len(debrief_steps(learner)) == len(taken)
    form = learner.page.locator(f"{BODY} form.cs-reflection").first
    words = "What would it cost her to say no to me? More than it costs me to ask."
    form.locator("textarea").fill(words)
    form.locator("button[type='submit']").click()
    status = form.locator(".cs-saved")
    learner.page.wait_for_function("(el) => el.textContent === 'Saved.'", arg=status.element_handle())
    learner.reload()
    assert learner.status() == "ending"
    assert learner.page.locator(f"{BODY} form.cs-reflection textarea").first.input_value() == words


def test_pause_hides_the_scene_and_resume_brings_it_back_with_the_focus(learner):
    learner.begin()
    place = learner.place()
    learner.control("pause").click()
    paused = learner.page.locator(f"{BLOCK} .cs-paused")
    assert paused.is_visible() and not learner.page.locator(f"{BLOCK} .cs-stage").is_visible()
    assert learner.focused()["text"] == paused.locator("h3").inner_text()
    learner.control("resume").click()
    assert learner.page.locator(f"{BLOCK} .cs-stage").is_visible() and not paused.is_visible()
    assert learner.focused()["inBlock"] and learner.focused()["tag"] == "h3"
    learner.reload()
    assert learner.place() == place


def test_a_french_browser_gets_the_interface_in_french(browser, workbench_server, scenario_id,
                                                       artifacts_dir):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        learner = LearnerPage(context.new_page(), workbench_server, scenario_id, "b_french").open()
        assert learner.control("begin").inner_text() == "Commencer le scénario"
        learner.begin()
        assert learner.page.locator(f"{BODY} .cs-ask").inner_text() == "Que faites-vous\u00a0?"
        assert learner.control("pause").inner_text() == "Faire une pause"
        learner.choose()
        assert learner.page.locator(f"{BODY} .cs-consequence h3").inner_text() == "Ce qui s'est passé"
        (artifacts_dir / "screens").mkdir(exist_ok=True)
        learner.page.locator(BLOCK).screenshot(
            path=str(artifacts_dir / "screens" / "learner-fr-1280-consequence.png"))

        # the script's own messages come translated from the page
        learner.page.route("**/handler/**", lambda route: route.abort())
        learner.choice_buttons().first.click()
        error = learner.page.locator(f"{BLOCK} .cs-error")
        error.wait_for(state="visible")
        assert error.inner_text() == ("Le serveur est injoignable. Vérifiez votre connexion "
                                      "et réessayez.")
        learner.page.unroute("**/handler/**")
        learner.page.route("**/handler/**", lambda route: route.fulfill(status=500, body="oops"))
        learner.choice_buttons().first.click()
        learner.page.wait_for_function(
            "(el) => el.textContent.startsWith('Cela')", arg=error.element_handle())
        assert error.inner_text() == "Cela n'a pas fonctionné. Veuillez réessayer."
        learner.page.unroute("**/handler/**")

        messages = []
        learner.page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
        learner.control("restart").click()
        learner.page.wait_for_timeout(200)
        assert messages == ["Recommencer le scénario depuis le début\u00a0? "
                            "Votre chemin actuel sera abandonné."]
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_learner_view_fits_the_screen_and_is_photographed(browser, workbench_server, scenario_id,
                                                              artifacts_dir, width):
    """Phone, tablet, desktop: nothing sticks out sideways; screenshots in artifacts/screens/."""
    screens = artifacts_dir / "screens"
    screens.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    try:
        learner = LearnerPage(context.new_page(), workbench_server, scenario_id, f"b_w{width}").open()
        # The workbench's debug panel (the raw OLX, the database link) is no part of the product.
        learner.page.add_style_tag(content=".workbench .debug { display: none; }")
        shots = []

        def photograph(label):
            overflow = learner.page.evaluate("""(block) => {
                const box = document.querySelector(block);
                const right = Math.min(window.innerWidth, document.documentElement.clientWidth);
                const out = [...box.querySelectorAll('*')].filter((el) => {
                    const r = el.getBoundingClientRect();
                    return r.width > 0 && r.right > right + 1;
                }).map((el) => el.tagName + '.' + el.className);
                return box.getBoundingClientRect().right > right + 1 ? ['block'].concat(out) : out;
            }""", BLOCK)
            assert overflow == [], f"{label} at {width}px sticks out: {overflow[:5]}"
            small = learner.page.evaluate("""(block) => [...document.querySelectorAll(
                block + ' button')].filter((b) => b.offsetParent && b.getBoundingClientRect().height < 44)
                .map((b) => b.textContent.trim())""", BLOCK)
            assert small == [], f"buttons under 44px tall at {width}px: {small}"
            path = screens / f"learner-{width}-{label}.png"
            learner.page.screenshot(path=str(path), full_page=True)
            shots.append(path)

        photograph("intro")
        learner.begin()
        photograph("node")
        learner.choose()
        photograph("consequence")
        learner.play_to_ending()
        photograph("debrief")
        assert all(path.stat().st_size > 1000 for path in shots)
    finally:
        context.close()


def test_a_learner_downloads_under_15_kb_of_script_and_style_gzipped():
    fragment = Learner(DEMO_SCENARIO).block.student_view()
    shipped = [resource for resource in fragment.resources
               if resource.mimetype in ("application/javascript", "text/css")]
    assert {resource.kind for resource in shipped} == {"text"}  # inline: no extra request
    size = sum(len(gzip.compress(resource.data.encode("utf-8"), 9)) for resource in shipped)
    assert 0 < size < 15 * 1024, f"{size} bytes gzipped"
