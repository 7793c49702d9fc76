"""Reading a text the author changed in one place reads only that place again, and gives exactly
what a first reading gives: the same scenario, the same lines, the same problems."""
import random

import pytest

from cultural_safety_xblock.scenario import olx, parts
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.builders import BRANCHING, choice, ending, node, scenario_text


@pytest.fixture(autouse=True)
def first_reading():
    parts.forget()
    yield
    parts.forget()


def lines(scenario):
    return [(n.id, n.line, [(c.id, c.line, [s.line for s in c.scores]) for c in n.choices])
            for n in scenario.nodes] + [(e.id, e.line) for e in scenario.endings]


def reads_as_first_time(text):
    """What ``text`` reads to with nothing remembered, then with everything remembered."""
    parts.forget()
    first = compile_source(text)
    again = compile_source(text)
    assert again.scenario == first.scenario and lines(again.scenario) == lines(first.scenario)
    assert again.problems == first.problems
    return first


def test_an_unchanged_node_is_not_read_again(monkeypatch):
    olx.read(BRANCHING)
    read = []
    real = olx.Reader._node
    monkeypatch.setattr(olx.Reader, "_node", lambda self, e: read.append(e.get("id")) or real(self, e))
    changed = olx.read(BRANCHING.replace("Scene b", "Scene b, later"))
    assert read == ["b"]
    assert changed.scenario.node("b").html == "<p>Scene b, later</p>"
    assert changed.scenario.node("a") is olx.read(BRANCHING).scenario.node("a")


def test_a_node_moved_down_by_new_lines_carries_its_new_lines():
    text = BRANCHING.replace("<node ", "\n<node ").replace("<choice ", "\n<choice ")
    before = compile_source(text)
    moved = reads_as_first_time(text.replace("<scenario >", "<scenario >\n\n\n"))
    assert [line + 3 for line in (n.line for n in before.scenario.nodes)] == \
        [n.line for n in moved.scenario.nodes]
    assert before.scenario.node("b").choices[1].line + 3 == moved.scenario.node("b").choices[1].line
    assert lines(compile_source(text).scenario) == lines(before.scenario)


def test_newlines_inside_a_tag_move_the_lines_after_them():
    one_line = scenario_text(node("a", choice("x", "end", scores=[("v", 1)]),
                                  choice("y", "end", scores=[("v", 1)])), ending("end"))
    remembered = lines(compile_source(one_line).scenario)
    spread = one_line.replace('<choice id="y"', '<choice\n\nid="y"').replace(
        '<score ', '<score\n')
    assert lines(compile_source(spread).scenario) == lines(reads_as_first_time(spread).scenario)
    assert lines(compile_source(spread).scenario) != remembered


def test_a_remembered_node_reports_its_problems_every_time_at_its_lines():
    text = scenario_text("\n" + node("a", choice("x", "end", rating="great"),
                                     '<choice id="z" target="end" rating="best" bogus="1">'
                                     "<text>Z</text><consequence><blink>Z</blink></consequence>"
                                     "</choice>"), ending("end"))
    first = reads_as_first_time(text)
    found = sorted((p.code, p.line) for p in first.problems)
    assert ("unknown-attribute", 2) in found and ("unsafe-html", 2) in found
    assert ("bad-value", 2) in found
    shifted = compile_source(text.replace("<scenario >", "<scenario >\n"))
    assert sorted((p.code, p.line) for p in shifted.problems) == [(c, line + 1) for c, line in found]


def test_the_problem_limit_counts_remembered_problems_as_it_counts_new_ones():
    bad = "".join(f'<node id="n{i}" color="red" size="{i}"><html><p>S</p></html>'
                  f'{choice("x", "end")}</node>' for i in range(150))
    text = scenario_text(bad, ending("end"))
    first = olx.read(text)
    again = olx.read(text)
    assert again.problems == first.problems and len(first.problems) == olx.MAX_PROBLEMS + 1
    assert first.problems[-1].code == "too-many" and dict(first.problems[-1].args) == {"count": 100}


def test_memory_is_bounded_by_the_size_of_what_is_remembered(monkeypatch):
    monkeypatch.setattr(parts, "MAX_REMEMBERED", 4_000)
    for number in range(40):
        compile_source(scenario_text(node(f"n{number}", choice("x", "end")), ending("end")))
    assert 0 < parts.remembered_size() <= 4_000
    again = compile_source(scenario_text(node("n0", choice("x", "end")), ending("end")))
    assert again.playable


def test_escaped_markup_in_html_text_stays_text():
    text = scenario_text(node("a", choice("x", "end", consequence="A &amp; B")),
                         ending("end")).replace(
        "<html><p>Scene a</p></html>", "<html>Say &lt;em&gt;this&lt;/em&gt; &amp; that</html>")
    scene = compile_source(text).scenario.node("a").html
    assert scene == "Say &lt;em&gt;this&lt;/em&gt; &amp; that"
    assert olx.read(olx.write(olx.read(text).scenario)).scenario.node("a").html == scene


def test_a_remembered_node_is_checked_against_the_scenario_around_it():
    compile_source(BRANCHING)
    without_dimension = BRANCHING.replace('<dimension id="voice" label="Client voice"/>', "")
    without_ending = BRANCHING.replace('<ending id="mixed" outcome="mixed" title="mixed">'
                                       '<html><p>End mixed</p></html></ending>', "")
    assert "unknown-dimension" in {p.code for p in compile_source(without_dimension).problems}
    assert [(p.code, dict(p.args)["choice"]) for p in compile_source(without_ending).problems
            if p.code == "unknown-target"] == [("unknown-target", "fine")]
    assert compile_source(BRANCHING).problems == ()


def test_the_analysis_is_shared_by_texts_of_one_shape_and_redone_for_another():
    first = compile_source(BRANCHING).analysis
    reworded = compile_source(BRANCHING.replace("Scene a", "Another scene"))
    assert reworded.analysis is first
    no_repair = compile_source(BRANCHING.replace('requires="trust &lt; 2"', 'requires="trust &gt; 5"'))
    assert no_repair.analysis is not first
    assert ("b", "repair") in first.offered and ("b", "repair") not in no_repair.analysis.offered
    more_points = compile_source(BRANCHING.replace('id="best" target="safe" rating="best" points="2"',
                                                   'id="best" target="safe" rating="best" points="5"'))
    assert more_points.analysis.max_points == first.max_points + 3


def test_newlines_anywhere_give_the_lines_of_a_first_reading():
    spaced = BRANCHING.replace("><", ">\n<")
    gaps = [at for at, char in enumerate(spaced) if char in " \n"]
    chooser = random.Random(5)
    for _ in range(150):
        text = spaced
        for at in sorted(chooser.sample(gaps, 4), reverse=True):
            text = text[:at] + chooser.choice(["\n", "\n\n", " \n ", "\r\n"]) + text[at + 1:]
        remembered = compile_source(text)
        parts.forget()
        first = compile_source(text)
        assert lines(remembered.scenario) == lines(first.scenario)
        assert [(p.code, p.line) for p in remembered.problems] == \
            [(p.code, p.line) for p in first.problems]
