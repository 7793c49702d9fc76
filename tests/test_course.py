"""The course in course/: it imports into Studio, every scenario plays, the content has its shape."""
import re
import tarfile
from importlib.metadata import entry_points

import pytest
from lxml import etree

from cultural_safety_xblock.course_package import CourseProblems, build, check
from cultural_safety_xblock.course_units import SCENARIO_TAG, course_dir, units
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.compiled import compile_source
from cultural_safety_xblock.scenario.model import DISTRESSING_TOPICS
from tests.support.paths_through import walk
from tests.support.runtime import Learner

COURSE = course_dir()
SCENARIOS = [(unit.name, child) for unit in units(COURSE) for child in unit.children
             if child.tag == SCENARIO_TAG]
NAMES = [name for name, _ in SCENARIOS]
CITATION = re.compile(r"\(?\b(19|20)\d{2}[a-z]?\)?")


def compiled(element):
    return compile_source(element)


def test_the_course_passes_studios_own_import_validation():
    import olxcleaner

    allowed = sorted({ep.name for ep in entry_points(group="xblock.v1")} |
                     {"course", "chapter", "sequential", "vertical", "html"})
    _course, errors, _names = olxcleaner.validate(str(COURSE), steps=8, allowed_xblocks=allowed)
    messages = [f"{e.__class__.__name__}: {e.description}" for e in errors.errors
                if e.level.name in ("ERROR", "CRITICAL")]
    assert messages == []


def test_the_course_has_no_dangling_pointers_links_or_static_files():
    assert check(COURSE) == []


def test_there_are_six_modules_of_two_scenarios_and_a_capstone():
    assert len(SCENARIOS) >= 13
    modules = {name.split("_")[0] for name in NAMES}
    assert {"m1", "m2", "m3", "m4", "m5", "m6", "capstone"} <= modules
    for module in ("m1", "m2", "m3", "m4", "m5", "m6"):
        assert sum(name.startswith(module + "_") for name in NAMES) >= 2, module


def test_the_scenarios_together_serve_all_seven_learning_outcomes():
    served = {o for _, element in SCENARIOS for o in compiled(element).scenario.outcomes}
    assert served == set("1234567")


@pytest.mark.parametrize("name, element", SCENARIOS, ids=NAMES)
def test_each_scenario_validates_with_no_problems(name, element):
    assert [str(p) for p in compiled(element).problems] == []


@pytest.mark.parametrize("name, element", SCENARIOS, ids=NAMES)
def test_each_scenario_has_the_shape_the_content_brief_asks_for(name, element):
    scenario = compiled(element).scenario
    assert scenario.outcomes, "names the outcomes it serves"
    assert 10 <= len(scenario.nodes) + len(scenario.endings) <= 30
    assert len(scenario.endings) >= 3
    assert {e.outcome for e in scenario.endings} >= {"safe", "unsafe"}
    for node in scenario.nodes:
        ratings = sorted(c.rating for c in node.choices if not c.requires)
        assert len(node.choices) >= 3 and {"best", "acceptable", "harmful"} <= set(
            c.rating for c in node.choices), node.id
        assert ratings, f"node {node.id} always offers something"
    if set(scenario.topics) & DISTRESSING_TOPICS:
        assert scenario.content_note
    assert "<cite>" in scenario.debrief and CITATION.search(scenario.debrief)
    assert scenario.reflections


@pytest.mark.parametrize("name, element", SCENARIOS, ids=NAMES)
def test_the_best_path_reaches_a_safe_ending(name, element):
    scenario = compiled(element).scenario
    state = walk(scenario, "best")
    assert scenario.ending(state.place).outcome == "safe"
    assert 4 <= len(state.path) <= 7


@pytest.mark.parametrize("name, element", SCENARIOS, ids=NAMES)
def test_the_harmful_path_does_not_end_safe_and_takes_four_to_seven_decisions(name, element):
    scenario = compiled(element).scenario
    state = walk(scenario, "harmful")
    assert engine.finished(scenario, state)
    assert scenario.ending(state.place).outcome != "safe"
    assert 4 <= len(state.path) <= 7


@pytest.mark.parametrize("name, element", SCENARIOS, ids=NAMES)
def test_each_scenario_loads_through_the_xblock_runtime_and_renders(name, element):
    learner = Learner()
    block = type(learner.block).parse_xml(element, learner.block.runtime, learner.block.scope_ids)
    assert block.compiled.problems == ()
    assert block.display_name and block.display_name != "Branching scenario"
    page = block.student_view().content
    assert "cs-stage" in page and "not available" not in page


def test_the_package_is_one_folder_holding_the_whole_course(tmp_path):
    target = build(COURSE, tmp_path)
    with tarfile.open(target) as archive:
        names = archive.getnames()
    tops = {name.split("/")[0] for name in names}
    assert tops == {target.name.removesuffix(".tar.gz")}
    top = tops.pop()
    assert f"{top}/course.xml" in names and f"{top}/policies/2026/policy.json" in names
    verticals = list((COURSE / "vertical").glob("*.xml"))
    assert sum(n.startswith(f"{top}/vertical/") for n in names) == len(verticals)


def test_a_broken_course_is_refused_with_its_problems(tmp_path):
    import shutil

    broken = tmp_path / "course"
    shutil.copytree(COURSE, broken)
    vertical = broken / "vertical" / f"{NAMES[0]}.xml"
    vertical.write_text(vertical.read_text(encoding="utf-8").replace('target="', 'target="zz', 1))
    (broken / "html" / next(p.name for p in (broken / "html").glob("*.html"))).unlink()
    with pytest.raises(CourseProblems) as refused:
        build(broken, tmp_path / "dist")
    text = "\n".join(refused.value.problems)
    assert "names no node or ending" in text and "is missing" in text
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_every_html_page_is_well_formed_and_images_have_alt_text():
    for page in (COURSE / "html").glob("*.html"):
        root = etree.fromstring(f"<div>{page.read_text(encoding='utf-8')}</div>".encode())
        for image in root.iter("img"):
            assert image.get("alt"), f"{page.name}: an image without alt text"
