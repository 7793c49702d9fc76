"""Serialise then parse gives the same scenario: generated scenarios, the course's, and export then
import through the XBlock runtime (add_xml_to_node, then parse_xml), here and in the workbench."""
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cultural_safety_xblock.scenario import olx
from cultural_safety_xblock.scenario.model import (
    OPERATORS,
    RATINGS,
    Choice,
    Comparison,
    Condition,
    Dimension,
    DimensionScore,
    Effect,
    Ending,
    Node,
    Reflection,
    Scenario,
    Variable,
)
from tests.support.builders import BRANCHING
from tests.support.paths import REPO_ROOT

SCENARIO_TAG = "cultural_safety_scenario"
COURSE = REPO_ROOT / "course"

# -- generated scenarios -------------------------------------------------------------------------

# Characters XML 1.0 can carry (no controls, no surrogates); "\r" is normalised by every parser.
CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,11}", fullmatch=True)
words = st.text(CHARACTERS, min_size=1, max_size=30).map(lambda t: " ".join(t.split())).filter(bool)
numbers = st.integers(min_value=-20, max_value=20)


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def html(draw):
    """An XHTML fragment as lxml writes it: paragraphs and lists of escaped text, some emphasis."""
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        text = escape(draw(words))
        kind = draw(st.sampled_from(["p", "em", "ul", "quote"]))
        if kind == "em":
            blocks.append(f"<p>{text} <em>{escape(draw(words))}</em></p>")
        elif kind == "ul":
            blocks.append(f"<ul><li>{text}</li><li>{escape(draw(words))}</li></ul>")
        elif kind == "quote":
            blocks.append(f"<blockquote><p>{text}</p></blockquote>")
        else:
            blocks.append(f"<p>{text}</p>")
    return "".join(blocks)


@st.composite
def scenarios(draw):
    variables = draw(st.lists(st.builds(Variable, identifiers, numbers, numbers, numbers),
                              max_size=3, unique_by=lambda v: v.id))
    dimensions = draw(st.lists(st.builds(Dimension, identifiers, words), max_size=3,
                               unique_by=lambda d: d.id))
    node_ids = draw(st.lists(identifiers, min_size=1, max_size=6, unique=True))
    ending_ids = draw(st.lists(identifiers.filter(lambda i: i not in node_ids), min_size=1,
                               max_size=3, unique=True))
    names = [v.id for v in variables] or ["trust"]
    places = node_ids + ending_ids

    def condition():
        return Condition(tuple(draw(st.lists(st.builds(
            Comparison, st.sampled_from(names), st.sampled_from(OPERATORS), numbers),
            max_size=2))))

    def choice(cid):
        return Choice(
            id=cid, target=draw(st.sampled_from(places)), rating=draw(st.sampled_from(RATINGS)),
            points=draw(st.integers(0, 10)), text=draw(words),
            consequence=draw(st.one_of(st.just(""), html())),
            effects=tuple(draw(st.lists(st.builds(
                Effect, st.sampled_from(names), numbers, st.one_of(st.none(), numbers)),
                max_size=2))),
            scores=tuple(DimensionScore(d.id, draw(st.integers(0, 10)))
                         for d in dimensions if draw(st.booleans())),
            requires=condition())

    nodes = tuple(Node(nid, draw(st.one_of(st.just(""), words)), draw(html()), tuple(
        choice(cid) for cid in draw(st.lists(identifiers, min_size=1, max_size=4, unique=True))))
        for nid in node_ids)
    endings = tuple(Ending(eid, draw(st.sampled_from(("safe", "mixed", "unsafe"))),
                           draw(words), draw(html()), requires=condition())
                    for eid in ending_ids)
    return Scenario(
        nodes=nodes, endings=endings, start=draw(st.one_of(st.just(""), st.sampled_from(node_ids))),
        content_note=draw(st.one_of(st.just(""), words)), dimensions=tuple(dimensions),
        variables=tuple(variables), debrief=draw(st.one_of(st.just(""), html())),
        reflections=tuple(draw(st.lists(st.builds(Reflection, identifiers, words), max_size=2,
                                        unique_by=lambda r: r.id))),
        outcomes=tuple(draw(st.lists(st.sampled_from("1234567"), max_size=3, unique=True))),
        topics=tuple(draw(st.lists(identifiers, max_size=3, unique=True))))


block_settings = st.fixed_dictionaries({}, optional={
    "display_name": words, "weight": st.integers(0, 100).map(float),
    "max_attempts": st.integers(0, 20), "grading": st.sampled_from(["best_attempt", "last_attempt"]),
    "practice": st.booleans(), "allow_back": st.booleans(), "allow_restart": st.booleans(),
    "reflections_in_reports": st.booleans(),
    "content_language": st.sampled_from(["en", "fr-CA", "pt-BR", "zh-Hans", "ar", "mi"])})

EXAMPLES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(scenarios(), block_settings)
def test_a_generated_scenario_survives_write_then_read_unchanged(scenario, chosen):
    text = olx.write(scenario, chosen)
    parsed = olx.read(text)
    assert parsed.scenario == scenario, text
    assert parsed.settings == chosen
    assert olx.write(parsed.scenario, parsed.settings) == text  # and writing is a fixed point


# -- the course's scenarios ----------------------------------------------------------------------


def course_scenarios():
    found = []
    for path in sorted((COURSE / "vertical").glob("*.xml")):
        root, problems = olx.parse_xml_text(path.read_bytes())
        assert root is not None, (path, problems)
        found += [(f"{path.stem}:{n}", element) for n, element in enumerate(root.iter(SCENARIO_TAG))]
    return found


COURSE_SCENARIOS = course_scenarios()


def test_the_course_has_scenarios_to_check():
    assert len(COURSE_SCENARIOS) >= 2


@pytest.mark.parametrize("name, element", COURSE_SCENARIOS, ids=[n for n, _ in COURSE_SCENARIOS])
def test_every_course_scenario_survives_write_then_read_unchanged(name, element):
    parsed = olx.read(element)
    assert parsed.scenario is not None and not parsed.problems, parsed.problems[:3]
    again = olx.read(olx.write(parsed.scenario, parsed.settings, tag=SCENARIO_TAG))
    assert again.scenario == parsed.scenario
    assert again.settings == parsed.settings


# -- through the XBlock runtime ------------------------------------------------------------------


def runtime():
    return TestRuntime(services={"field-data": KvsFieldData(DictKeyValueStore())})


def export(block):
    out = io.BytesIO()
    block.runtime.export_to_xml(block, out)
    return out.getvalue()


def imported(xml, into=None):
    into = into or runtime()
    return into.get_block(into.parse_xml_string(xml))


def fields(block):
    return {name: getattr(block, name) for name in (*olx.SETTINGS, "scenario_xml")}


@pytest.mark.parametrize("name, element", COURSE_SCENARIOS, ids=[n for n, _ in COURSE_SCENARIOS])
def test_a_course_scenario_exported_and_imported_through_the_runtime_is_the_same(name, element):
    first = imported(etree.tostring(element))
    assert first.compiled.playable, first.compiled.problems[:3]
    second = imported(export(first))
    assert fields(second) == fields(first)
    assert second.compiled.scenario == olx.read(element).scenario
    assert export(second) == export(first)


@EXAMPLES
@given(scenarios(), block_settings)
def test_a_generated_scenario_exported_and_imported_through_the_runtime_is_the_same(scenario, chosen):
    xml = olx.write(scenario, chosen, tag=SCENARIO_TAG)
    first = imported(xml)
    second = imported(export(first))
    assert second.compiled.scenario == scenario
    assert {name: getattr(second, name) for name in chosen} == chosen
    assert fields(second) == fields(first)


def test_an_unreadable_scenario_is_exported_as_written_and_not_lost():
    broken = BRANCHING.replace("<scenario ", f'<{SCENARIO_TAG} weight="3" ').replace(
        "</scenario>", f"</{SCENARIO_TAG}>").replace('target="safe"', 'target="nowhere"', 1)
    first = imported(broken)
    assert not first.compiled.playable and first.weight == 3.0
    second = imported(export(first))
    assert 'target="nowhere"' in second.scenario_xml and second.weight == 3.0
    assert [p.code for p in second.compiled.problems] == [p.code for p in first.compiled.problems]


def test_an_edit_saved_in_studio_is_exported_in_the_readable_form(tmp_path):
    block = imported(BRANCHING.replace("<scenario ", f"<{SCENARIO_TAG} ").replace(
        "</scenario>", f"</{SCENARIO_TAG}>"))
    block.scenario_xml = "\n\n" + BRANCHING.replace('title="a"', 'title="Edited in Studio"')
    xml = export(block)
    assert b'title="Edited in Studio"' in xml and b"&lt;node" not in xml  # elements, not text
    assert imported(xml).compiled.scenario == block.compiled.scenario


@pytest.mark.integration
def test_export_then_import_in_the_workbench_gives_the_same_block(workbench_django):
    from workbench.runtime import WorkbenchRuntime

    runtime_ = WorkbenchRuntime("staff_roundtrip")
    xml = (COURSE / "vertical" / f"{COURSE_SCENARIOS[0][0].split(':')[0]}.xml").read_bytes()
    root = etree.fromstring(xml)
    element = next(root.iter(SCENARIO_TAG))
    first = runtime_.get_block(runtime_.parse_xml_string(etree.tostring(element)))
    second = runtime_.get_block(runtime_.parse_xml_string(export(first)))
    assert fields(second) == fields(first)
    assert second.compiled.scenario == olx.read(element).scenario
