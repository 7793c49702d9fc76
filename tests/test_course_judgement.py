"""The course check (tests/support/judgement.py) on every scenario of the course: each meets
targets 1-3 and 5-7 of the course's second edition (and at most two harmful choices on a path
to a safe ending), and together they meet the course-wide ones (the best option's length,
openings). tests/course_revised.txt, which ``--revised`` reads, must name them all.
Figures: ``python -m tests.support.judgement course/vertical/NAME.xml``, or ``--revised`` for
all of them with the course-wide figures.
"""
import pytest

from cultural_safety_xblock.course_units import SCENARIO_TAG, course_dir, units
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.judgement import (
    course_findings,
    figures,
    judge,
    page_typography,
    revised_names,
)
from tests.support.paths import REPO_ROOT

REVISED = REPO_ROOT / "tests" / "course_revised.txt"
PAGES = sorted((course_dir() / "html").glob("*.html"))
SCENARIOS = {unit.name: child for unit in units(course_dir()) for child in unit.children
             if child.tag == SCENARIO_TAG}


# Every scenario of the course: the second edition is complete. The list stays for
# ``python -m tests.support.judgement --revised`` and must name them all.
NAMES = sorted(SCENARIOS)


def judged(name):
    compiled = compile_source(SCENARIOS[name])
    assert compiled.scenario is not None, compiled.problems
    return judge(compiled.scenario, name)


def test_the_list_names_each_scenario_of_the_course_once():
    listed = revised_names(REVISED)
    unknown = [name for name in listed if name not in SCENARIOS]
    assert unknown == [], f"{REVISED.name} names no such scenario: {unknown}"
    assert len(listed) == len(set(listed)), "a scenario is named twice"
    assert sorted(listed) == NAMES, f"{REVISED.name} must name every scenario of the course"


@pytest.mark.parametrize("name", NAMES)
def test_a_revised_scenario_meets_the_course_check(name):
    if name not in SCENARIOS:
        pytest.fail(f"{REVISED.name} names {name!r}, which is no scenario of the course")
    result = judged(name)
    assert not result.findings, "\n".join(
        [*figures(result), *(f"  {finding}" for finding in result.findings)])


def test_the_revised_scenarios_together_meet_the_course_wide_targets():
    results = [judged(name) for name in NAMES if name in SCENARIOS]
    found = course_findings(results)
    assert not found, "\n".join(str(finding) for finding in found)


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_page_of_the_course_keeps_the_typography(page):
    found = page_typography(page.read_text(encoding="utf-8"), page.name)
    assert not found, "\n".join(str(finding) for finding in found)
