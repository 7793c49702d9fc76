"""WCAG 2.1 AA in a real browser: axe-core on every learner state, the staff dashboard and Studio,
then what axe cannot judge alone: focus after each action, the live region, accessible names,
a visible focus ring, meaning carried by text as well as colour, reduced motion, 200% zoom and
text spacing.

axe runs on our block's own markup (the workbench's page around it has no title or lang: that is
the host page's job, which the LMS does).
"""
import re

import pytest

from tests.support import axe_violations, format_violations
from tests.support.axe import WCAG_TAGS
from tests.support.learner_page import BLOCK, BODY, LearnerPage, scenario_units
from tests.support.runtime import Learner

pytestmark = pytest.mark.browser

# Controls, and landmarks/images whose name is how they are found (a <details> group or a table
# may go unnamed under WCAG; the learner's choices group is checked by name on its own).
ROLES_NEEDING_NAMES = ("button", "textbox", "link", "checkbox", "radio", "combobox", "region",
                       "spinbutton", "slider", "img", "switch", "tab", "menuitem", "option")


@pytest.fixture(scope="module", autouse=True)
def axe_results(artifacts_dir):
    """Write what axe checked, and found, to artifacts/axe-results.txt."""
    AxeLog.record.clear()
    yield
    lines = [f"axe-core, tags {', '.join(WCAG_TAGS)}: {len(AxeLog.record)} checks", *AxeLog.record]
    (artifacts_dir / "axe-results.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def units(workbench_server):
    found = scenario_units(workbench_server)
    assert found, "the workbench lists no unit with a playable scenario"
    return found


def open_learner(page, workbench_server, units, student, unit=0):
    return LearnerPage(page, workbench_server, units[unit][0], student).open()


def violations(page, context=BLOCK):
    return axe_violations(page, context=context)


class AxeLog:
    """Collects axe's findings per (place, state) so one failure lists them all."""

    record = []  # every check of this module, written to artifacts/axe-results.txt

    def __init__(self, page):
        self.page = page
        self.found = []
        self.checked = 0

    def check(self, label, context=BLOCK):
        self.checked += 1
        found = violations(self.page, context)
        self.found += [(label, violation) for violation in found]
        rules = ", ".join(sorted({violation["id"] for violation in found}))
        AxeLog.record.append(f"{len(found)} violations  {context}  {label}  {rules}".rstrip())

    def report(self):
        return "\n".join(f"[{label}] {format_violations([v])}" for label, v in self.found)


# ---- axe-core: zero WCAG 2.0/2.1 A and AA violations ------------------------------------------


def test_axe_finds_nothing_in_any_learner_state(page, workbench_server, units):
    learner = open_learner(page, workbench_server, units, "a_states")
    axe = AxeLog(page)
    axe.check("intro")
    learner.begin()
    axe.check("node")
    learner.choose()
    axe.check("consequence")
    learner.control("pause").click()
    axe.check("paused")
    learner.control("resume").click()
    page.route("**/handler/**", lambda route: route.abort())
    learner.choice_buttons().first.click()
    page.locator(f"{BLOCK} .cs-error").wait_for(state="visible")
    axe.check("error shown")
    page.unroute("**/handler/**")
    learner.play_to_ending()
    axe.check("ending and debrief")
    form = page.locator(f"{BODY} form.cs-reflection").first
    form.locator("textarea").fill("A reflection.")
    form.locator("button[type='submit']").click()
    page.wait_for_function("(el) => el.textContent !== ''", arg=form.locator(".cs-saved").element_handle())
    axe.check("reflection saved")
    assert axe.found == [], axe.report()


def test_axe_finds_nothing_in_any_scenario_of_the_course(page, workbench_server, units):
    axe = AxeLog(page)
    for number, (_, title) in enumerate(units):
        learner = open_learner(page, workbench_server, units, "a_course", unit=number)
        axe.check(f"{title}: intro")
        learner.play_to_ending(on_stage=lambda here, title=title: axe.check(
            f"{title}: {here.status()} {here.place()}"))
    assert axe.checked > 3 * len(units)
    assert axe.found == [], axe.report()


def test_axe_finds_nothing_in_french_or_on_a_phone(browser, workbench_server, units):
    for options in ({"locale": "fr-FR", "viewport": {"width": 1280, "height": 900}},
                    {"locale": "en-US", "viewport": {"width": 360, "height": 740},
                     "device_scale_factor": 2, "is_mobile": True, "has_touch": True}):
        context = browser.new_context(**options)
        try:
            page = context.new_page()
            learner = open_learner(page, workbench_server, units, f"a_{options['locale']}")
            axe = AxeLog(page)
            axe.check("intro")
            learner.play_to_ending(on_stage=lambda here, axe=axe: axe.check(here.status()))
            assert axe.found == [], f"{options}\n{axe.report()}"
        finally:
            context.close()


def test_axe_finds_nothing_in_the_staff_dashboard(browser, page, workbench_server, units):
    for student in ("a_cohort_1", "a_cohort_2"):  # some results, so the tables and picture fill
        open_learner(page, workbench_server, units, student).play_to_ending()
    staff = LearnerPage(page, workbench_server, units[0][0], "staff_a11y")
    page.goto(f"{workbench_server}/scenario/{units[0][0]}/staff_view/?student=staff_a11y")
    dashboard = page.locator(".cs-staff")
    dashboard.wait_for()
    assert dashboard.locator("table").count() >= 1
    axe = AxeLog(page)
    axe.check("staff view", context=".cs-staff")
    assert unnamed_controls(dashboard) == []
    staff.open()  # the folded dashboard under the learner view, opened
    page.locator(".cs-staff summary").click()
    axe.check("learner view with the dashboard open", context="[data-block-type='cultural_safety_scenario']")
    assert axe.found == [], axe.report()


def test_axe_finds_nothing_in_studio_as_it_loads_lists_problems_and_previews(
        page, workbench_server, units):
    base = f"{workbench_server}/scenario/{units[0][0]}"
    axe = AxeLog(page)
    page.goto(f"{base}/studio_view/?student=staff_studio")
    page.locator(".cs-studio [data-view='xml']").click()  # the visual editor: its own tests
    page.locator(".cs-studio .cs-olx").wait_for()
    axe.check("studio: loaded", context=".cs-studio")
    assert unnamed_controls(page.locator(".cs-studio")) == []

    editor = page.locator(".cs-studio .cs-olx")
    text = editor.input_value()
    editor.fill(text.replace('target="', 'target="nowhere_', 1))  # never saved: checked only
    page.locator(".cs-studio .cs-problem-go").first.wait_for()
    axe.check("studio: problems listed", context=".cs-studio")
    page.locator(".cs-studio .cs-problem-go").first.press("Enter")
    assert page.evaluate("() => document.activeElement.classList.contains('cs-olx')")

    editor.fill(text)
    page.locator(".cs-studio .cs-no-problems").wait_for()
    page.locator(".cs-studio button[data-action='preview']").click()
    preview = page.locator(".cs-studio .cs-preview")
    preview.locator(".cs-stage-body, .cs-choice").first.wait_for()
    axe.check("studio: preview shown", context=".cs-studio")

    page.goto(f"{base}/author_view/?student=staff_studio")
    page.locator(".cs-author").wait_for()
    axe.check("author view", context=".cs-author")
    assert axe.found == [], axe.report()


def fragment_page(page, fragment, lang="en"):
    """Put a rendered fragment in a minimal, well-formed host page (as the LMS would host it)."""
    css = "".join(resource.data for resource in fragment.resources if resource.kind == "text"
                  and resource.mimetype == "text/css")
    page.set_content(f"<!doctype html><html lang='{lang}'><head><title>Unit</title>"
                     f"<style>{css}</style></head><body><main>{fragment.body_html()}</main>"
                     "</body></html>")


@pytest.mark.parametrize("staff", [False, True], ids=["learner", "staff"])
def test_axe_finds_nothing_in_the_not_available_view(page, staff):
    broken = Learner("<scenario><node id='a' title='A'><html><p>Hi</p></html></node></scenario>")
    broken.block.runtime.user_is_staff = staff
    fragment_page(page, broken.block.student_view())
    assert page.locator(".cs-unavailable").is_visible()
    assert page.locator(".cs-problems").count() == (1 if staff else 0)
    found = axe_violations(page)  # the whole page: it is ours
    assert found == [], format_violations(found)


# ---- focus, live region, names ----------------------------------------------------------------


def assert_focus_on_new_content(learner, expected_text=None):
    now = learner.focused()
    assert now["inBlock"] and now["tag"] in ("h3", "h4") and now["onScreen"], now
    if expected_text is not None:
        assert now["text"] == expected_text


def test_focus_moves_to_the_new_content_after_every_action(browser, workbench_server, units):
    # a phone-sized screen, so the new content is often below the fold unless focus takes it there
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="en-US")
    try:
        learner = open_learner(context.new_page(), workbench_server, units, "a_focus")
        learner.begin()
        assert_focus_on_new_content(learner, learner.page.locator(f"{BODY} .cs-node h3").inner_text())
        learner.choose()
        assert_focus_on_new_content(learner, "What happened")
        learner.click(learner.control("back"))
        assert_focus_on_new_content(learner)
        learner.taken.clear()
        learner.play_to_ending()
        assert_focus_on_new_content(learner, "What happened")
        learner.page.once("dialog", lambda dialog: dialog.accept())
        learner.click(learner.control("restart"))
        assert_focus_on_new_content(learner)
    finally:
        context.close()


def test_the_consequence_is_announced_through_a_live_region_present_from_the_start(
        page, workbench_server, units):
    learner = open_learner(page, workbench_server, units, "a_live")
    region = page.locator(f"{BLOCK} .cs-announce")
    handle = region.element_handle()
    assert region.get_attribute("aria-live") == "polite" and region.inner_text() == ""
    learner.begin()
    assert region.inner_text() == ""  # nothing to announce yet: the scene is focused instead
    learner.choose()
    told = page.locator(f"{BODY} .cs-consequence .cs-html").inner_text()
    assert told and handle.evaluate("(el) => el.isConnected") and " ".join(
        handle.inner_text().split()) == " ".join(told.split())
    assert page.locator(f"{BLOCK} .cs-error").get_attribute("role") == "alert"


def unnamed_controls(locator):
    """Lines of the accessibility tree (Playwright's ARIA snapshot) for a role without a name."""
    snapshot = locator.aria_snapshot()
    roles = "|".join(ROLES_NEEDING_NAMES)
    pattern = re.compile(rf"^\s*- ({roles})\b(?!\s+\")")
    return [line for line in snapshot.splitlines() if pattern.match(line)]


def test_every_control_and_region_has_an_accessible_name(page, workbench_server, units):
    learner = open_learner(page, workbench_server, units, "a_names")
    block = page.locator(BLOCK)
    found = {"intro": unnamed_controls(block)}
    learner.begin()
    found["node"] = unnamed_controls(block)
    snapshot = block.aria_snapshot()
    assert re.search(r'- group "What do you do\?"', snapshot), snapshot
    assert re.search(r'- button "Pause"', snapshot)
    learner.play_to_ending()
    found["ending"] = unnamed_controls(block)
    assert re.search(r'- textbox "[^"]+"', block.aria_snapshot())
    assert found == {"intro": [], "node": [], "ending": []}


def test_the_keyboard_focus_is_always_visible_at_3_to_1(page, workbench_server, units):
    learner = open_learner(page, workbench_server, units, "a_ring")
    learner.play_to_ending()
    page.locator(f"{BLOCK} .cs-title").click()  # start from inside the block
    rings = []
    for _ in range(40):
        page.keyboard.press("Tab")
        ring = page.evaluate("(block) => {" + CONTRAST_JS + """
            const el = document.activeElement;
            if (!el.closest(block)) return null;
            const style = getComputedStyle(el);
            const seen = ratio(rgb(style.outlineColor).slice(0, 3), behind(el)) >= 3;
            return {name: el.tagName + ' ' + (el.textContent || el.name || '').trim().slice(0, 30),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                             && seen,
                    shadow: style.boxShadow !== 'none'};
        }""", BLOCK)
        if ring is None:
            break
        rings.append(ring)
    assert len(rings) >= 3
    assert [r["name"] for r in rings if not (r["outline"] or r["shadow"])] == []


def test_ratings_and_outcomes_are_told_in_words_not_only_colour(page, workbench_server, units):
    learner = open_learner(page, workbench_server, units, "a_colour")
    taken = learner.play_to_ending()
    labels = page.locator(f"{BODY} .cs-path .cs-rating")
    words = {labels.nth(i).inner_text().strip() for i in range(labels.count())}
    assert labels.count() == len(taken) and words <= {"Best practice", "Acceptable", "Harmful"}
    outcome = page.locator(f"{BODY} .cs-outcome").inner_text()
    assert re.fullmatch(r"Outcome for the client: (Safe|Mixed|Unsafe)", outcome.strip())
    meters = page.locator(f"{BODY} .cs-profile td")
    for i in range(meters.count()):
        assert re.search(r"\d+ of \d+", meters.nth(i).inner_text()), "a meter without its figures"


CONTRAST_JS = """
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    };
    const behind = (el) => {  // the first opaque background around an element
        for (let at = el.parentElement; at; at = at.parentElement) {
            const colour = rgb(getComputedStyle(at).backgroundColor);
            if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
"""
NON_TEXT_CONTRAST = "(block) => {" + CONTRAST_JS + """
    const weak = [];
    for (const el of document.querySelectorAll(block + ' button, ' + block + ' textarea')) {
        if (!el.offsetParent) continue;
        const style = getComputedStyle(el);
        const own = rgb(style.backgroundColor);
        const fill = own.length === 3 || own[3] > 0 ? own.slice(0, 3) : null;
        const outside = behind(el);
        // the control is told apart by its border, or by a fill that differs from what surrounds it
        const border = ratio(rgb(style.borderTopColor).slice(0, 3), outside);
        const filled = fill ? ratio(fill, outside) : 1;
        if (Math.max(border, filled) < 3) {
            weak.push(el.tagName + ' ' + el.textContent.trim().slice(0, 30) + ': '
                      + Math.max(border, filled).toFixed(2));
        }
    }
    return weak;
}"""


def test_controls_stand_out_from_their_background_at_3_to_1(page, workbench_server, units):
    # WCAG 1.4.11 (non-text contrast), which axe does not measure.
    learner = open_learner(page, workbench_server, units, "a_edges")
    found = {"intro": page.evaluate(NON_TEXT_CONTRAST, BLOCK)}
    learner.begin()
    found["node"] = page.evaluate(NON_TEXT_CONTRAST, BLOCK)
    learner.play_to_ending()
    found["ending"] = page.evaluate(NON_TEXT_CONTRAST, BLOCK)
    assert found == {"intro": [], "node": [], "ending": []}


# ---- motion, zoom, spacing ----------------------------------------------------------------------


def transition_seconds(page):
    return page.evaluate("""(block) => {
        const button = document.querySelector(block + ' .cs-button');
        return getComputedStyle(button).transitionDuration.split(',')
            .reduce((sum, d) => sum + parseFloat(d), 0);
    }""", BLOCK)


def test_motion_follows_prefers_reduced_motion(browser, workbench_server, units):
    seen = {}
    for preference in ("no-preference", "reduce"):
        context = browser.new_context(reduced_motion=preference, locale="en-US")
        try:
            page = context.new_page()
            learner = open_learner(page, workbench_server, units, f"a_motion_{preference}")
            learner.begin()
            learner.choose()
            seen[preference] = {
                "transition": transition_seconds(page),
                "smooth": page.evaluate("() => getComputedStyle(document.documentElement)"
                                        ".scrollBehavior === 'smooth'"),
                "animations": page.evaluate("() => document.getAnimations().length"),
            }
        finally:
            context.close()
    assert seen["no-preference"]["transition"] > 0  # there is motion to turn off...
    assert seen["reduce"] == {"transition": 0, "smooth": False, "animations": 0}  # ...and it is off


OVERFLOW = """(block) => {
    const right = document.documentElement.clientWidth;
    const clipped = [];
    for (const el of [document.querySelector(block), ...document.querySelectorAll(block + ' *')]) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        const style = getComputedStyle(el);
        const cuts = ['hidden', 'clip'].includes(style.overflowX)
            || ['hidden', 'clip'].includes(style.overflowY);
        if (box.right > right + 1) clipped.push('off screen: ' + el.tagName + '.' + el.className);
        else if (cuts && !el.classList.contains('cs-visually-hidden')
                 && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
            clipped.push('cut: ' + el.tagName + '.' + el.className);
    }
    return clipped;
}"""


@pytest.mark.parametrize("zoom", (2, 4))
def test_at_200_and_400_percent_zoom_nothing_is_cut_or_needs_sideways_scrolling(
        browser, workbench_server, units, zoom):
    # Zooming a 1280x900 window by 200% (400%) lays the page out in 640 (320) CSS pixels.
    context = browser.new_context(viewport={"width": 1280 // zoom, "height": 900 // zoom},
                                  device_scale_factor=zoom, locale="en-US")
    try:
        page = context.new_page()
        learner = open_learner(page, workbench_server, units, f"a_zoom{zoom}")
        page.add_style_tag(content=".workbench .debug { display: none; }")  # the sdk's, not ours
        problems = {"intro": page.evaluate(OVERFLOW, BLOCK)}
        learner.play_to_ending(on_stage=lambda here: problems.setdefault(
            f"{here.status()} {here.place()}", page.evaluate(OVERFLOW, BLOCK)))
        assert {state: found for state, found in problems.items() if found} == {}
        for action in ("restart",):
            button = learner.control(action)
            button.scroll_into_view_if_needed()
            assert button.is_visible()
    finally:
        context.close()


def test_text_spacing_can_be_widened_without_losing_content(page, workbench_server, units):
    # WCAG 1.4.12: line height 1.5, paragraph spacing 2em, letter 0.12em, word 0.16em.
    learner = open_learner(page, workbench_server, units, "a_spacing")
    page.add_style_tag(content="""
        .cs-scenario * { line-height: 1.5 !important; letter-spacing: .12em !important;
                         word-spacing: .16em !important; }
        .cs-scenario p { margin-bottom: 2em !important; }""")
    problems = {"intro": page.evaluate(OVERFLOW, BLOCK)}
    learner.play_to_ending(on_stage=lambda here: problems.setdefault(
        f"{here.status()} {here.place()}", page.evaluate(OVERFLOW, BLOCK)))
    assert {state: found for state, found in problems.items() if found} == {}
