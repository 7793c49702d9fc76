"""A text that edits the last one read is read in part, and reads exactly as the whole text does:
the same scenario, lines, settings and problems, whatever the edit."""
import random
import sys
import threading

import pytest

from cultural_safety_xblock.scenario import edits, olx, parts
from cultural_safety_xblock.scenario import safe_xml as safe
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.builders import BRANCHING
from tests.test_fuzz_olx import ORIGINALS, SNIPPETS

EDITS = SNIPPETS + ["word", " ", "\n", "<em>e</em>", "</p><p>", "<!--c-->", "<?pi x?>", "&amp;",
                   "<node id='q'/>", "</node>", "</choice>", "<p>", "x:y", "<x:y/>",
                   '<ending id="e2" outcome="safe"><html><p>x</p></html></ending>']


@pytest.fixture(autouse=True)
def nothing_read_before():
    edits.forget()
    parts.forget()
    yield
    edits.forget()


def lines(scenario):
    return scenario and [(n.line, [(c.line, [e.line for e in c.effects],
                                    [s.line for s in c.scores]) for c in n.choices])
                         for n in scenario.nodes] + [e.line for e in scenario.endings]


def assert_reads_as_whole(text):
    got, whole = edits.read(text), olx.read(text)
    assert got.scenario == whole.scenario and lines(got.scenario) == lines(whole.scenario)
    assert got.settings == whole.settings
    assert [(p.code, p.line, p.args) for p in got.problems] == \
        [(p.code, p.line, p.args) for p in whole.problems]


@pytest.fixture
def whole_reads(monkeypatch):
    """How many texts are parsed whole."""
    counted = []
    real = edits.parse_xml_text
    monkeypatch.setattr(edits, "parse_xml_text", lambda text: counted.append(1) or real(text))
    return counted


def edited(text, chooser):
    at = chooser.randint(0, len(text))
    return text[:at] + chooser.choice(EDITS + [""]) + text[at + chooser.choice([0, 0, 1, 3, 12]):]


def test_random_edits_of_the_course_read_as_the_whole_text(monkeypatch):
    chooser, in_part = random.Random(11), []
    real = edits._in_part
    monkeypatch.setattr(edits, "_in_part", lambda *args: in_part.append(1) or real(*args))
    for _ in range(400):
        edits.forget()
        original = chooser.choice(ORIGINALS)
        edits.read(original)
        text = edited(original, chooser)
        assert_reads_as_whole(text)
        assert_reads_as_whole(edited(text, chooser))  # an edit of an edit
    assert len(in_part) > 200  # the shortcut was tried often enough to be tested


def test_a_word_changed_in_a_node_parses_only_that_node(whole_reads):
    edits.read(BRANCHING)
    edits.read(BRANCHING.replace("Scene a", "Scene a, later"))  # the first edit finds the spans
    text = BRANCHING.replace("Scene b", "Scene b, later")
    assert_reads_as_whole(text)
    whole_reads.clear()
    got = edits.read(text.replace("Option best", "Option best, said slowly"))
    assert whole_reads == []
    assert got.scenario.node("b").choice("best").text == "Option best, said slowly"
    assert got.scenario.node("b").html == "<p>Scene b, later</p>"


def test_a_word_changed_in_the_debrief_reads_the_debrief_alone(whole_reads):
    edits.read(BRANCHING)
    edits.read(BRANCHING.replace("Debrief.", "Debrief, first."))
    whole_reads.clear()
    got = edits.read(BRANCHING.replace("Debrief.", "Debrief, second."))
    assert whole_reads == []
    assert got.scenario.debrief == "<p>Debrief, second.</p>"


@pytest.mark.parametrize("change, code", [
    (("<p>Scene b</p>", "<p>Scene b"), "xml-syntax"),
    (("<p>Scene b</p>", "<!DOCTYPE x><p>Scene b</p>"), "dtd-refused"),
    (("<p>Scene b</p>", "<p>Scene &nbsp; b</p>"), "xml-syntax"),
    (("<p>Scene b</p>", "<p><blink>Scene b</blink></p>"), "unsafe-html"),
    (("<p>Scene b</p>", "<p>Scene b</p>" + "<span>" * 30 + "</span>" * 30), "too-deep"),
    (("<p>Scene b</p></html>", "<p>Scene b</p></html><bogus/>"), "unknown-element"),
])
def test_an_edit_that_breaks_a_node_is_reported_as_a_whole_reading_reports_it(change, code):
    edits.read(BRANCHING)
    edits.read(BRANCHING.replace("Scene b", "Scene b, later"))
    text = BRANCHING.replace(*change)
    assert_reads_as_whole(text)
    assert code in {p.code for p in compile_source(text).problems}


def test_a_node_split_in_two_by_an_edit_gives_two_nodes():
    edits.read(BRANCHING)
    edits.read(BRANCHING.replace("Scene b", "Scene b, later"))
    text = BRANCHING.replace("<p>Scene b</p></html>",
                             '<p>Scene b</p></html></node><node id="c" title="c"><html><p>C</p></html>')
    assert_reads_as_whole(text)
    assert [n.id for n in edits.read(text).scenario.nodes] == ["a", "b", "c"]


def test_a_new_line_in_a_node_moves_the_lines_after_it():
    spaced = BRANCHING.replace("><", ">\n<")
    edits.read(spaced)
    edits.read(spaced.replace("Scene a", "Scene a, later"))
    text = spaced.replace("Scene a", "Scene\na")
    assert_reads_as_whole(text)
    assert edits.read(text).scenario.node("b").line == olx.read(spaced).scenario.node("b").line + 1


def test_a_prefix_declared_on_the_root_is_read_as_the_whole_text_reads_it():
    text = BRANCHING.replace("<scenario >", '<scenario xmlns:x="urn:x">')
    edits.read(text)
    edits.read(text.replace("Scene b", "Scene b, later"))
    assert_reads_as_whole(text.replace("<p>Scene b</p>", "<p>Scene <x:y>b</x:y></p>"))


def test_edits_of_several_scenarios_read_by_one_process_are_each_read_in_part(whole_reads):
    other = BRANCHING.replace("Scene", "Situation").replace("Debrief.", "Another debrief.")
    for text in (BRANCHING, other):
        edits.read(text)
        edits.read(text.replace("Option best", "Option best!"))
    whole_reads.clear()
    for text in (BRANCHING, other):
        assert_reads_as_whole(text.replace("Option best", "Option best!?"))
    assert whole_reads == []


def test_an_edit_too_large_is_refused_as_any_text():
    edits.read(BRANCHING)
    edits.read(BRANCHING.replace("Scene b", "Scene b, later"))
    text = BRANCHING.replace("Scene b", "Scene b " + "x" * safe.MAX_BYTES)
    assert [p.code for p in edits.read(text).problems] == ["too-large"]


def test_markup_that_looks_like_elements_does_not_mislead_the_reading_in_part(whole_reads):
    tricky = BRANCHING.replace(
        "<p>Scene a</p>", "<p>Scene a <![CDATA[</p></html></node><node id='x'>]]></p><!-- </node> -->"
    ).replace('title="b"', "title='b > a, \"quoted\"'")
    edits.read(tricky)
    edits.read(tricky.replace("Scene b", "Scene b, later"))
    whole_reads.clear()
    text = tricky
    for old, new in (("Scene b", "Scene b, again"), ("Scene a", "Scene A"), ("'b > a", "'b > c")):
        text = text.replace(old, new)  # each edit made on the text before it
        assert_reads_as_whole(text)
    assert whole_reads == []


def test_threads_reading_edits_of_several_scenarios_at_once_each_get_what_a_whole_reading_gives():
    failures = []

    def author(original, seed):
        chooser, text = random.Random(seed), original
        for _ in range(60):
            text = edited(text, chooser) if chooser.random() < 0.7 else original
            got, whole = edits.read(text), olx.read(text)
            if (got.scenario != whole.scenario or lines(got.scenario) != lines(whole.scenario)
                    or [(p.code, p.line) for p in got.problems]
                    != [(p.code, p.line) for p in whole.problems]):
                failures.append(text)

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)   # switch threads as often as possible
    try:
        threads = [threading.Thread(target=author, args=(ORIGINALS[number], number))
                   for number in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
    assert failures == []
