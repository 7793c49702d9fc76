"""Hostile XML: refused with a message naming the reason, never expanded, fetched or run.

Declarations are refused before the XML parser sees the text (the parser is patched to fail the
test if it is reached); size, depth and attribute limits are reported as one problem each,
whatever the size of the attack.
"""
import re

import pytest
from lxml import etree

from cultural_safety_xblock.scenario import olx
from cultural_safety_xblock.scenario.compiled import compile_source
from tests.support.builders import choice, ending, node, scenario_text
from tests.support.runtime import Learner

VALID = scenario_text(node("a", choice("x", "end")), ending("end"))
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE scenario [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'
                    for i in range(1, 10))
          + ']>\n' + VALID.replace("Scene a", "&lol9;"))
EXTERNAL = ('<!DOCTYPE scenario [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            + VALID.replace("Scene a", "&secret;"))
PARAMETER = ('<!DOCTYPE scenario [<!ENTITY % remote SYSTEM "http://example.invalid/x.dtd"> %remote;]>'
             + VALID)
EXTERNAL_DTD = '<!DOCTYPE scenario SYSTEM "http://example.invalid/scenario.dtd">' + VALID


@pytest.fixture
def parser_never_reached(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the XML parser was given a document that should have been refused")

    monkeypatch.setattr(olx.etree, "fromstring", refuse)


@pytest.mark.parametrize("text, kind", [
    (LAUGHS, "DOCTYPE"), (EXTERNAL, "DOCTYPE"), (PARAMETER, "DOCTYPE"), (EXTERNAL_DTD, "DOCTYPE"),
    ("<!doctype scenario>" + VALID, "DOCTYPE"),
    ("<!-- a comment first -->\n\n  <!DOCTYPE scenario>" + VALID, "DOCTYPE"),
    (VALID.replace("<node", '<!ENTITY x "y"><node'), "ENTITY"),
])
def test_declarations_are_refused_before_parsing(text, kind, parser_never_reached):
    parsed = olx.read(text)
    assert parsed.scenario is None
    (refused,) = parsed.problems
    assert refused.code == "dtd-refused"
    assert f"<!{kind}> declaration is not allowed" in str(refused)
    assert refused.line == text[: text.upper().index(f"<!{kind}")].count("\n") + 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_declaration_hidden_in_another_encoding_is_refused_before_parsing(
        encoding, parser_never_reached):
    data = LAUGHS.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    (refused,) = olx.read(data.encode(encoding)).problems
    assert refused.code == "not-utf8" and "UTF-8" in str(refused)


def test_ebcdic_is_refused_before_parsing(parser_never_reached):
    data = '<?xml version="1.0" encoding="IBM037"?><scenario/>'.encode("cp037")
    (refused,) = olx.read(data).problems
    assert refused.code == "not-utf8"


@pytest.mark.parametrize("text, leak", [(LAUGHS, "lollol"), (EXTERNAL, "root:")])
def test_the_parser_itself_expands_nothing_should_a_declaration_get_through(text, leak):
    try:
        root = etree.fromstring(text.encode(), olx.safe_parser())
    except etree.XMLSyntaxError as error:  # libxml2's own amplification guard
        assert "amplification" in str(error)
        return
    assert leak not in etree.tostring(root, encoding="unicode")


def test_an_undeclared_entity_is_a_syntax_problem_not_a_lookup():
    (found,) = olx.read(VALID.replace("Scene a", "&secret;")).problems
    assert found.code == "xml-syntax" and "secret" in str(found)


@pytest.mark.parametrize("levels, code", [(30, "too-deep"), (300, "too-deep"), (60_000, "too-deep")])
def test_deep_nesting_is_one_problem_however_deep(levels, code):
    text = VALID.replace("<p>Scene a</p>", "<span>" * levels + "x" + "</span>" * levels)
    found = compile_source(text).problems
    assert [p.code for p in found].count(code) == 1
    assert "nested more than 24 deep" in str(next(p for p in found if p.code == code))


def test_a_huge_attribute_is_reported_by_name_and_not_echoed():
    text = VALID.replace('title="a"', f'title="{"A" * 900_000}"')
    found = [p for p in compile_source(text).problems if p.code == "too-long"]
    assert len(found) == 1 and "attribute title is longer than 2000" in str(found[0])
    assert "AAAA" not in str(found[0])


def test_a_document_over_the_size_limit_is_refused_unread(parser_never_reached):
    (refused,) = olx.read(VALID.replace("Scene a", "x" * olx.MAX_BYTES)).problems
    assert refused.code == "too-large" and f"limit of {olx.MAX_BYTES}" in str(refused)


@pytest.mark.parametrize("element", [
    "<scenario {}>", "<scenario><node id='a' {}>", "<scenario><node id='a'><html><p {}>"])
def test_thousands_of_attributes_are_one_problem(element):
    attributes = " ".join(f'a{i}="x"' for i in range(30_000))
    opened = element.format(attributes)
    closing = "".join(f"</{tag}>" for tag in reversed(
        [part.split()[0].strip("<>") for part in opened.split("<")[1:]]))
    found = compile_source(opened + closing).problems
    many = [p for p in found if re.search(r"3000\d attributes", str(p))]
    assert len(many) == 1 and len(found) < 20


def test_a_flood_of_problems_is_cut_to_a_readable_list_with_a_count():
    text = VALID.replace("<debrief>", "<bogus/>" * 50_000 + "<debrief>")
    found = compile_source(text).problems
    assert len(found) <= olx.MAX_PROBLEMS + 5
    (rest,) = [p for p in found if "more problems are not listed" in str(p)]
    assert f"{50_000 - olx.MAX_PROBLEMS} more problems" in str(rest)


def test_xinclude_and_processing_instructions_do_nothing():
    text = VALID.replace("<debrief>", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                      'href="/etc/passwd" parse="text"/><debrief>')
    text = '<?xml-stylesheet type="text/xsl" href="http://example.invalid/x.xsl"?>' + text
    found = compile_source(text)
    assert [p.code for p in found.problems] == ["unknown-element"]
    assert "root:" not in olx.write(found.scenario)


def test_studio_refuses_an_attack_and_stores_nothing():
    author = Learner(VALID, user="staff")
    author.block.runtime.user_is_staff = True
    status, answer = author.post("studio_check", {"scenario_xml": LAUGHS})
    assert status == 200 and [p["code"] for p in answer["problems"]] == ["dtd-refused"]
    assert answer["problems"][0]["line"] == 2
    status, answer = author.post("studio_save", {
        "display_name": "x", "weight": 1, "max_attempts": 0, "grading": "best_attempt",
        "practice": False, "allow_back": True, "allow_restart": True,
        "reflections_in_reports": False, "scenario_xml": EXTERNAL})
    assert status == 422 and author.load().scenario_xml == VALID


def test_a_stored_attack_shows_learners_the_neutral_message():
    learner = Learner(EXTERNAL)
    page = learner.block.student_view().content
    assert "not available yet" in page and "root:" not in page
