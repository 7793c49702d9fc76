"""In a real browser with a French interface, the English scenario is marked as English wherever
it shows, and axe-core checks those marks (its valid-lang rule) and finds no WCAG violation."""
import pytest

from tests.support import format_violations
from tests.support.axe import WCAG_TAGS, inject_axe
from tests.support.learner_page import BLOCK, LearnerPage, scenario_units

pytestmark = pytest.mark.browser


def axe_on_block(page, rules=None):
    """axe.run over the block: every WCAG 2.0/2.1 A and AA rule, or only ``rules``, with every
    node of every result (passes included)."""
    inject_axe(page)
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": list(WCAG_TAGS)}
    return page.evaluate("([context, only]) => window.axe.run(context, {runOnly: only})",
                         [BLOCK, only])


def marked_languages(page):
    return page.locator(f"{BLOCK} [lang]").evaluate_all("els => els.map(e => e.lang)")


def test_a_french_page_marks_the_english_scenario_and_axe_finds_nothing(browser, workbench_server):
    units = scenario_units(workbench_server)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        learner = LearnerPage(page, workbench_server, units[0][0], "lang_fr_reader").open()
        assert page.locator("html").get_attribute("lang").startswith("fr")
        assert page.locator(f"{BLOCK} [data-action='begin']").inner_text() == "Commencer le scénario"
        checked = []

        def check(here):
            languages = marked_languages(page)
            assert languages and set(languages) == {"en"}, languages
            # what a screen reader is told: the scene in English, the question in French
            spoken = page.evaluate("""(block) => {
                const lang = (el) => el ? (el.closest('[lang]') || {}).lang : null;
                const box = document.querySelector(block);
                return {scene: lang(box.querySelector('.cs-node .cs-html, .cs-ending .cs-html')),
                        ask: lang(box.querySelector('.cs-ask, .cs-debrief > h3'))};
            }""", BLOCK)
            assert spoken["scene"] == "en" and spoken["ask"].startswith("fr"), spoken
            marks = axe_on_block(page, ["valid-lang"])
            assert marks["violations"] == [], format_violations(marks["violations"])
            passed = [node for rule in marks["passes"] for node in rule["nodes"]]
            assert len(passed) >= len(languages), (len(passed), len(languages))
            found = axe_on_block(page)["violations"]
            assert found == [], f"{here.status()}\n{format_violations(found)}"
            checked.append(here.status())

        learner.play_to_ending(on_stage=check)
        assert checked[0] == "node" and checked[-1] == "ending" and len(checked) >= 3
    finally:
        context.close()
