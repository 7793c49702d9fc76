"""The course's pages say what the scenarios do (the capstone's terms as an assessment, the number
of reflection questions each module's scenarios end with) in the course's typography."""
import re

import pytest

from cultural_safety_xblock.course_units import SCENARIO_TAG, course_dir, units
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.analysis import apply_effects, offered_choices
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.judgement import page_typography
from tests.support.runtime import Learner

COURSE = course_dir()
SCENARIOS = {unit.name: child for unit in units(COURSE) for child in unit.children
             if child.tag == SCENARIO_TAG}
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four"}


def page(name):
    return " ".join((COURSE / "html" / f"{name}.html").read_text(encoding="utf-8").split())


def imported(name):
    learner = Learner()
    return type(learner.block).parse_xml(SCENARIOS[name], learner.block.runtime,
                                         learner.block.scope_ids)


def test_the_capstone_is_an_assessment_with_no_take_back_and_two_attempts():
    block = imported("capstone_s1")
    assert (block.allow_back, block.max_attempts, block.practice) == (False, 2, False)
    assert block.grading == "best_attempt"
    scenario = block.compiled.scenario
    rules = engine.Rules(block.allow_back, block.allow_restart, block.max_attempts)
    state = engine.start(scenario, engine.State(), rules, 0).state
    choice = engine.offered(scenario, state)[0]
    state = engine.choose(scenario, state, rules, state.place, choice.id, state.version).state
    with pytest.raises(engine.Refusal) as refused:
        engine.back(scenario, state, rules, state.place, state.version)
    assert refused.value.code == "back-disabled"
    second = engine.restart(scenario, state, rules, state.place, state.version).state
    with pytest.raises(engine.Refusal) as refused:
        engine.restart(scenario, second, rules, second.place, second.version)
    assert refused.value.code == "no-attempts-left"


def test_the_capstone_framing_page_states_its_terms():
    text = page("capstone_framing_page")
    for term in ("60% of your grade", "No take-back", "Two attempts", "The better of your two"
                 " attempts counts"):
        assert term in text, term


def test_the_practice_scenarios_allow_take_back_as_the_welcome_page_says():
    welcome = page("m1_welcome_page")
    assert "take back your last choice" in welcome and "cannot be taken back" in welcome
    for name in SCENARIOS:
        if name.startswith("m"):
            block = imported(name)
            assert block.allow_back and not block.max_attempts, name


def _modules():
    return sorted({name.split("_")[0] for name in SCENARIOS if re.fullmatch(r"m\d+_s\d+", name)})


@pytest.mark.parametrize("module", _modules())
def test_a_module_debrief_gives_the_true_number_of_reflection_questions(module):
    counts = {name: len(compile_source(element).scenario.reflections)
              for name, element in sorted(SCENARIOS.items()) if name.startswith(module + "_s")}
    text = page(f"{module}_debrief_page")
    if len(set(counts.values())) == 1:
        count = next(iter(counts.values()))
        sentence = (f"Each scenario in this module ends with {NUMBERS[count]} optional private"
                    f" reflection question{'s' if count > 1 else ''}")
        assert sentence in text, f"{module}: say {sentence!r}"
    else:
        for name, count in counts.items():
            title = SCENARIOS[name].get("display_name")
            said = f"<em>{title}</em> ends with {NUMBERS[count]}"
            assert said in text, f"{module}: say {said!r}"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_third_harmful_choice_closes_the_safe_ending_as_the_welcome_page_says(name):
    assert "a third harmful choice closes the safe ending" in page("m1_welcome_page")
    scenario = compile_source(SCENARIOS[name]).scenario
    todo = [(scenario.start_id, scenario.initial_values(), ())]
    while todo:   # every path, conditions respected
        place, values, harmful = todo.pop()
        ending = scenario.ending(place)
        if ending is not None:
            assert ending.outcome != "safe" or len(harmful) <= 2, (name, ending.id, harmful)
            continue
        node = scenario.node(place)
        for choice in offered_choices(node, values):
            todo.append((choice.target, apply_effects(scenario, values, choice),
                         harmful + ((node.id, choice.id),) * (choice.rating == "harmful")))


PAGES = sorted([*(COURSE / "html").glob("*.html"), *(COURSE / "about").glob("*.html")])


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_a_page_quotes_in_q_and_uses_spaced_en_dashes(path):
    found = page_typography(path.read_text(encoding="utf-8"), path.name)
    assert found == [], "\n".join(map(str, found))


def test_the_typography_check_finds_literal_quotes_and_spaced_hyphens_in_a_page():
    found = page_typography('<p>She said "no" - twice.</p>', "a page")
    said = " ".join(f.what for f in found)
    assert "a literal quote character" in said and "a spaced hyphen" in said
