"""Each validation rule, and that problems carry where, what, a fix and a line."""
import pytest

from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.builders import BRANCHING, choice, codes, compiled, ending, node, scenario_text

END = ending("end")


def test_the_demo_and_the_reference_scenario_are_clean():
    assert compile_text(DEMO_SCENARIO).problems == ()
    assert compile_text(BRANCHING).problems == ()


@pytest.mark.parametrize("parts, kwargs, expected", [
    ((node("a", choice("x", "nowhere")), END), {}, "unknown-target"),
    ((node("a", choice("x", "end")), node("a", choice("y", "end")), END), {}, "duplicate-id"),
    ((node("a", choice("x", "end"), choice("x", "end")), END), {}, "duplicate-id"),
    ((node("a", choice("x", "end")), node("lost", choice("y", "end")), END), {}, "unreachable-node"),
    ((node("a", choice("x", "end")), END, ending("never")), {}, "unreachable-ending"),
    ((node("a", choice("x", "b")), node("b", choice("y", "a", points=0)), END), {}, "dead-end"),
    ((node("a", choice("x", "end"), choice("y", "end", requires="t > 5")), END),
     {"head": '<variable id="t" initial="0" min="0" max="9"/>'}, "impossible-condition"),
    ((node("a", choice("x", "end", requires="t > 0")), END),
     {"head": '<variable id="t" initial="0" min="0" max="9"/>'}, "stuck"),
    ((node("a", choice("x", "b")), node("b", choice("loop", "a", points=1), choice("out", "end")), END),
     {}, "farming-loop"),
    ((node("a", choice("x", "end", points=11)), END), {}, "out-of-range"),
    ((node("a", choice("x", "end")), END),
     {"head": '<variable id="t" initial="7" min="0" max="5"/>'}, "out-of-range"),
    ((node("a", choice("x", "end", requires="ghost > 1")), END), {}, "unknown-variable"),
    ((node("a", choice("x", "end", scores=[("ghost", 1)])), END), {}, "unknown-dimension"),
    ((node("a", choice("x", "end", rating="great")), END), {}, "bad-value"),
    ((node("a", choice("x", "end", text=" ")), END), {}, "empty-text"),
    ((node("a", choice("x", "end")), END), {"attrs": 'start="zzz"'}, "unknown-start"),
    ((node("a", choice("x", "end")), END), {"attrs": 'topics="racism"'}, "content-note-missing"),
    ((node("a", choice("x", "end")), END), {"attrs": 'outcomes="9"'}, "bad-value"),
    ((node("a"), END), {}, "no-choices"),
    ((node("a", choice("x", "end", points=0)), END), {}, "no-points"),
    ((node("a", choice("x", "end")),), {}, "no-endings"),
    ((node("bad id!", choice("x", "end")), END), {}, "bad-id"),
])
def test_each_rule_reports_its_problem(parts, kwargs, expected):
    assert expected in codes(compiled(*parts, **kwargs))


def test_a_loop_without_points_is_allowed():
    result = compiled(node("a", choice("x", "b", points=0)),
                      node("b", choice("again", "a", points=0, rating="harmful"), choice("out", "end")),
                      END)
    assert result.problems == ()


def test_every_problem_is_reported_at_once():
    result = compiled(node("a", choice("x", "nowhere"), choice("y", "end", points=99)),
                      node("lost", choice("z", "end")), END)
    assert {"unknown-target", "out-of-range", "unreachable-node"} <= set(codes(result))


def test_a_problem_names_its_line_its_place_and_a_fix():
    text = scenario_text(node("a", choice("x", "end")), END).replace("<node", "\n\n<node")
    text = text.replace('target="end"', 'target="ned"')
    (problem,) = [p for p in compile_text(text).problems if p.code == "unknown-target"]
    assert problem.line == 3
    where, what, fix = problem.render()
    assert "'a'" in where and "ned" in what and fix


def test_unsafe_html_is_reported_with_what_is_removed():
    text = scenario_text(node("a", choice("x", "end")), END).replace(
        "<p>Scene a</p>", '<p onclick="steal()">Scene a</p><script>x()</script>')
    messages = [str(p) for p in compile_text(text).problems if p.code == "unsafe-html"]
    assert any("onclick" in m for m in messages) and any("<script>" in m for m in messages)


def test_a_javascript_link_is_reported():
    text = scenario_text(node("a", choice("x", "end")), END).replace(
        "<p>Scene a</p>", '<p><a href="javascript:alert(1)">x</a></p>')
    assert "unsafe-html" in codes(compile_text(text))


@pytest.mark.parametrize("bad, code", [
    ('<scenario><node id="a">', "xml-syntax"),
    ('<!DOCTYPE x [<!ENTITY a "b">]><scenario/>', "dtd-refused"),
    ("<other/>", "unknown-element"),
])
def test_unusable_text_gives_one_clear_problem_and_no_scenario(bad, code):
    result = compile_text(bad)
    assert result.scenario is None and [p.code for p in result.problems] == [code]


def test_misspelled_elements_and_attributes_are_reported():
    text = scenario_text(node("a", choice("x", "end")), END).replace(
        "<debrief>", '<debreif/><debrief>').replace('title="a"', 'titel="a"')
    assert {"unknown-element", "unknown-attribute"} <= set(codes(compile_text(text)))
