"""In a real browser (Debian's Chromium, workbench): taking a choice back is told in a polite
status and focus goes back to the decision, without the old consequence read again; the choices
on the page carry tokens, never the author's ids; the debrief's path reads as situation, choice,
what happened; axe-core finds nothing in these states."""
import re

import pytest

from cultural_safety_xblock.course_units import SCENARIO_TAG, units
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.axe import axe_violations
from tests.support.learner_page import BLOCK, BODY, LearnerPage, scenario_units
from tests.test_choice_tokens import give_away

pytestmark = pytest.mark.browser
TOKEN = re.compile(r"^[1-9][0-9]*-[0-9a-f]{8}$")
TAKEN_BACK = re.compile(r"^Your last choice was taken back\. You are at this decision again: (.+)$")


@pytest.fixture
def learner(page, workbench_server, request):
    found = scenario_units(workbench_server)
    assert found, "the workbench lists no unit with a playable scenario"
    return LearnerPage(page, workbench_server, found[0][0],
                       student=f"f_{request.node.name[5:40]}").open()


def status_text(learner):
    return learner.page.locator(f"{BLOCK} .cs-status").inner_text().strip()


def test_taking_a_choice_back_is_told_and_focus_returns_to_the_decision(learner, page_log):
    learner.begin()
    learner.choose()
    title_before = learner.page.locator(f"{BODY} .cs-node-title").inner_text().strip()
    learner.choose()
    assert status_text(learner) == ""
    learner.click(learner.control("back"))
    told = TAKEN_BACK.match(status_text(learner))
    assert told, status_text(learner)
    title = learner.page.locator(f"{BODY} .cs-node-title").inner_text().strip()
    assert told.group(1) == title == title_before     # the second decision, again
    focused = learner.focused()
    assert focused["tag"] == "h3" and "cs-node-title" in focused["className"], focused
    # the earlier choice's consequence is still shown, but not put in the live region again
    assert learner.page.locator(f"{BODY} .cs-consequence").count() == 1
    assert learner.page.locator(f"{BLOCK} .cs-announce").inner_text().strip() == ""
    assert learner.page.locator(f"{BLOCK} .cs-status").get_attribute("role") == "status"
    assert axe_violations(learner.page, context=BLOCK) == []
    learner.taken.clear()
    learner.choose()   # a new choice: its consequence is announced, the status is cleared
    assert status_text(learner) == ""
    assert learner.page.locator(f"{BLOCK} .cs-announce").inner_text().strip()
    assert page_log.errors == []


def test_taking_back_the_first_choice_tells_it_too(learner):
    learner.begin()
    learner.choose()
    learner.click(learner.control("back"))
    assert TAKEN_BACK.match(status_text(learner))
    assert learner.page.locator(f"{BODY} .cs-consequence").count() == 0
    assert "cs-node-title" in learner.focused()["className"]


def test_the_page_names_choices_by_token_and_holds_no_choice_id(learner):
    first = next(child for unit in units() for child in unit.children
                 if child.tag == SCENARIO_TAG)   # the unit the learner plays: the course's first
    ids = give_away(compile_source(first).scenario)
    learner.begin()
    for _ in range(3):
        values = learner.page.evaluate("""(block) => Array.from(
            document.querySelector(block).querySelectorAll('*')).flatMap(
            el => Array.from(el.attributes).map(a => a.value))""", BLOCK)
        tokens = [learner.choice_buttons().nth(i).get_attribute("data-choice")
                  for i in range(learner.choice_buttons().count())]
        assert tokens and all(TOKEN.match(t) for t in tokens), tokens
        assert not set(values) & ids, set(values) & ids
        learner.choose()
    assert learner.status() in ("node", "ending")


def test_the_debrief_path_reads_situation_then_choice_then_what_happened(learner):
    taken = learner.play_to_ending()
    steps = learner.page.locator(f"{BODY} .cs-path > li")
    assert steps.count() == len(taken)
    first = steps.first
    terms = [t.strip() for t in first.locator("dt").all_inner_texts()]
    assert terms == ["Situation", "You chose", "What happened"]
    assert first.locator("dd.cs-step-node").inner_text().strip()
    harmful = learner.page.locator(f"{BODY} .cs-harmful").inner_text().strip()
    assert re.fullmatch(r"None of your choices was harmful\.|1 of your choices was harmful\.|"
                        r"[2-9] of your choices were harmful\.", harmful), harmful
    assert axe_violations(learner.page, context=BLOCK) == []
