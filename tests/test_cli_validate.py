"""`cultural-safety validate`: one case per validation rule, exit codes, and the author's guide.

The rules are read from the source (every ``problem("code", ...)`` and ``report("code", ...)``
in safe_xml.py, reader.py and validate.py), so a new rule without a case here, or without its message in
docs/authoring.md, fails a test.
"""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cultural_safety_xblock import cli, studio
from cultural_safety_xblock.scenario import reader, safe_xml, validate
from tests.support.builders import choice, ending, node, scenario_text
from tests.support.paths import REPO_ROOT

SOURCES = [Path(module.__file__) for module in (safe_xml, reader, validate)]
GUIDE = REPO_ROOT / "docs" / "authoring.md"
END = ending("end")
PLAIN = node("a", choice("x", "end"))
TRUST = '<variable id="trust" initial="2" min="0" max="5"/>'


def rules(sources=SOURCES):
    """{code: {message, ...}} of every problem the reader and the validator can report."""
    found = {}
    for source in sources:
        for call in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            first = call.args[0]
            if name not in ("problem", "report") or not isinstance(first, ast.Constant):
                continue
            what = call.args[3 if name == "report" else 2]
            found.setdefault(first.value, set()).add(what.args[0].value)
    return found


def inline(text):
    """A scenario as written inline in a vertical."""
    return text.replace("<scenario ", "<cultural_safety_scenario ").replace(
        "</scenario>", "</cultural_safety_scenario>")


def deep(levels):
    return node("a", choice("x", "end")).replace(
        "<p>Scene a</p>", "<span>" * levels + "deep" + "</span>" * levels)


def lots_of_places(count):
    nodes = [node(f"n{i}", choice("x", f"n{i + 1}" if i + 1 < count else "end"))
             for i in range(count)]
    return scenario_text(*nodes, END)


# code -> (file content, expected exit status, words the message must contain)
CASES = {
    "too-large": (scenario_text(PLAIN, END).replace("Scene a", "x" * 1_000_001), 2, "over the limit"),
    "not-utf8": (b'<?xml version="1.0" encoding="ISO-8859-1"?>' + scenario_text(
        PLAIN, END).encode(), 2, "not UTF-8"),
    "dtd-refused": ('<!DOCTYPE scenario [<!ENTITY x "y">]>' + scenario_text(PLAIN, END), 2,
                    "<!DOCTYPE> declaration is not allowed"),
    "xml-syntax": (scenario_text(PLAIN, END).replace("</node>", ""), 2, "not well formed"),
    "too-deep": (scenario_text(deep(30), END), 1, "nested more than 24 deep"),
    "unknown-element": (scenario_text(PLAIN, END).replace("<debrief>", "<debreif/><debrief>"), 1,
                        "unknown element <debreif>"),
    "too-long": (scenario_text(PLAIN, END, attrs=f'topics="{"t" * 2001}"'), 1,
                 "longer than 2000 characters"),
    "unknown-attribute": (scenario_text(PLAIN, END).replace('title="a"', 'titel="a"'), 1,
                          "unknown attribute titel"),
    "bad-value": (scenario_text(PLAIN, END, attrs='grading="worst"'), 1, 'grading="worst"'),
    "stray-text": (scenario_text(PLAIN, END).replace("<html>", "loose words<html>", 1), 1,
                   "text outside any element"),
    "missing-attribute": (scenario_text(PLAIN, END).replace(' target="end"', ""), 1,
                          "<choice> has no target"),
    "bad-number": (scenario_text(PLAIN, END).replace('points="2"', 'points="two"'), 1,
                   'points="two" is not a whole number'),
    "text-markup": (scenario_text(PLAIN, END).replace("Option x", "<em>Option</em> x"), 1,
                    "<em> inside plain text"),
    "unsafe-html": (scenario_text(PLAIN, END).replace("<p>Scene a</p>", "<script>x()</script>"),
                    1, "<script> is not allowed"),
    "bad-condition": (scenario_text(node("a", choice("x", "end", requires="trust ~ 2")), END,
                                    head=TRUST), 1, 'condition "trust ~ 2" cannot be read'),
    "duplicate-element": (scenario_text(PLAIN, END).replace(
        "</scenario>", "<debrief><html><p>Again.</p></html></debrief></scenario>"), 1,
        "more than one <debrief>"),
    "too-many": (scenario_text(node("a", *[choice(f"c{i}", "end") for i in range(9)]), END), 1,
                 "9 choices, over the limit of 8"),
    "no-nodes": (scenario_text(END), 1, "there is no <node>"),
    "no-endings": (scenario_text(PLAIN), 1, "there is no <ending>"),
    "bad-id": (scenario_text(node("a b", choice("x", "end")), END), 1, "characters not allowed"),
    "duplicate-id": (scenario_text(PLAIN, node("a", choice("y", "end")), END), 1,
                     "the id 'a' is used twice"),
    "unknown-start": (scenario_text(PLAIN, END, attrs='start="zzz"'), 1,
                      'start="zzz" names no node'),
    "out-of-range": (scenario_text(node("a", choice("x", "end", points=11)), END), 1,
                     "points must be between 0 and 10"),
    "content-note-missing": (scenario_text(PLAIN, END, attrs='topics="racism"'), 1,
                             "there is no content note"),
    "no-choices": (scenario_text(node("a"), END), 1, "the node offers no choice"),
    "unknown-target": (scenario_text(node("a", choice("x", "ned")), END), 1,
                       'target="ned" names no node or ending'),
    "unknown-variable": (scenario_text(node("a", choice("x", "end", requires="ghost > 1")), END),
                         1, "variable 'ghost' is not declared"),
    "unknown-dimension": (scenario_text(node("a", choice("x", "end", scores=[("ghost", 1)])), END),
                          1, "dimension 'ghost' is not declared"),
    "empty-text": (scenario_text(node("a", choice("x", "end", text=" ")), END), 1,
                   "the option text is empty"),
    "unreachable-node": (scenario_text(PLAIN, node("lost", choice("y", "end")), END), 1,
                         "no path from the start reaches it"),
    "stuck": (scenario_text(node("a", choice("x", "end", requires="trust > 3")), END, head=TRUST),
              1, "no choice is offered"),
    "dead-end": (scenario_text(node("a", choice("x", "b")), node("b", choice("y", "a", points=0)),
                               END), 1, "no ending can be reached from here"),
    "impossible-condition": (scenario_text(node("a", choice("x", "end"), choice(
        "y", "end", requires="trust > 5")), END, head=TRUST), 1, 'requires="trust > 5" never holds'),
    "unreachable-ending": (scenario_text(PLAIN, END, ending("never")), 1,
                           "no path from the start reaches it"),
    "farming-loop": (scenario_text(node("a", choice("x", "b")), node(
        "b", choice("loop", "a", points=1), choice("out", "end")), END), 1,
        "points could be farmed"),
    "no-points": (scenario_text(node("a", choice("x", "end", points=0)), END), 1,
                  "no path earns any points"),
    "broken-claim": (scenario_text(node("a", choice("x", "end", effects=[("trust", "set", 0)])),
                                   ending("end", requires="trust >= 1"), head=TRUST), 1,
                     "choice 'x' in node 'a' (line 1) leads here with trust = 0"),
}


def run(tmp_path, content, name="scenario.xml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    status = cli.main(["validate", str(path)])
    return path, status


def test_every_rule_in_the_source_has_a_case_here():
    assert set(rules()) == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_is_reported_by_the_cli_with_its_file_line_and_fix(code, tmp_path, capsys):
    content, expected, words = CASES[code]
    path, status = run(tmp_path, content)
    printed = capsys.readouterr()
    assert status == expected, printed
    lines = [line for line in printed.out.splitlines() if words in line]
    assert lines, printed.out
    location, _, message = lines[0].partition(": ")
    assert location.startswith(f"{path}:") and location.rsplit(":", 1)[1].isdigit()
    assert message.endswith(")") and " (" in message  # the fix, in brackets


def test_a_clean_scenario_exits_0_and_says_so(tmp_path, capsys):
    _path, status = run(tmp_path, scenario_text(PLAIN, END))
    assert status == 0 and "1 scenario(s), no problems" in capsys.readouterr().out


def test_lines_are_those_of_the_file_even_inside_a_vertical(tmp_path, capsys):
    inner = inline(scenario_text(node("a", choice("x", "ned")), END)).replace("<choice", "\n\n<choice")
    vertical = f'<vertical display_name="Unit">\n<html>hello</html>\n{inner}\n</vertical>'
    path, status = run(tmp_path, vertical, name="vertical.xml")
    out = capsys.readouterr().out
    assert status == 1
    assert f"{path}:5: choice 'x' in node 'a': target=\"ned\"" in out


def test_a_course_folder_is_checked_file_by_file(tmp_path, capsys):
    (tmp_path / "vertical").mkdir()
    good = inline(scenario_text(PLAIN, END))
    bad = inline(scenario_text(node("a", choice("x", "ned")), END))
    (tmp_path / "vertical" / "good.xml").write_text(f"<vertical>{good}</vertical>")
    (tmp_path / "vertical" / "bad.xml").write_text(f"<vertical>{bad}</vertical>")
    (tmp_path / "course.xml").write_text('<course url_name="run"/>')
    assert cli.main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "bad.xml:1:" in out and "good.xml" not in out


def test_the_course_in_this_repository_validates_clean(capsys):
    assert cli.main(["validate", str(REPO_ROOT / "course")]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("setup, words", [
    (lambda tmp: tmp / "missing.xml", "no such file"),
    (lambda tmp: (tmp / "other.xml").write_text("<vertical/>") and tmp / "other.xml",
     "no <cultural_safety_scenario>"),
    (lambda tmp: tmp, "no <cultural_safety_scenario> found"),
])
def test_unusable_input_exits_2_with_a_message(setup, words, tmp_path, capsys):
    assert cli.main(["validate", str(setup(tmp_path))]) == 2
    assert words in capsys.readouterr().err


def test_problems_and_unusable_files_together_exit_2(tmp_path, capsys):
    (tmp_path / "a.xml").write_text(scenario_text(node("a", choice("x", "ned")), END))
    (tmp_path / "b.xml").write_text("<scenario>")
    assert cli.main(["validate", str(tmp_path / "a.xml"), str(tmp_path / "b.xml")]) == 2
    out = capsys.readouterr().out
    assert "a.xml:1:" in out and "b.xml:1: document: the XML is not well formed" in out


def test_the_console_command_exits_with_the_status(tmp_path):
    for content, expected in ((scenario_text(PLAIN, END), 0),
                              (scenario_text(node("a", choice("x", "ned")), END), 1),
                              ("<scenario>", 2)):
        path = tmp_path / "s.xml"
        path.write_text(content)
        done = subprocess.run([sys.executable, "-m", "cultural_safety_xblock", "validate", str(path)],
                              capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
        assert done.returncode == expected, done.stdout + done.stderr


def test_the_variables_limit_is_a_rule_too(tmp_path, capsys):
    wide = "".join(f'<variable id="v{i}" initial="0" min="0" max="99"/>' for i in range(4))
    climbs = [choice(f"up{i}", "a", points=0, effects=[(f"v{i}", "add", 1)]) for i in range(4)]
    text = scenario_text(node("a", *climbs, choice("y", "end")), END, head=wide)
    _path, status = run(tmp_path, text)
    assert status == 1
    assert re.search(r"variables allow more than \d+ situations", capsys.readouterr().out)


def test_the_authors_guide_lists_every_rule_with_its_message():
    guide = GUIDE.read_text(encoding="utf-8")
    everywhere = rules([*SOURCES, Path(studio.__file__)])  # Studio adds setting-in-olx
    assert "setting-in-olx" in everywhere
    missing = [(code, message) for code, messages in everywhere.items() for message in messages
               if f"`{code}`" not in guide or message not in guide]
    assert not missing, missing


def test_the_complete_example_in_the_guide_is_clean(tmp_path, capsys):
    guide = GUIDE.read_text(encoding="utf-8")
    example = guide.split("```xml\n", 1)[1].split("```", 1)[0]
    assert "<node" in example and "<reflection" in example
    _path, status = run(tmp_path, example)
    assert status == 0, capsys.readouterr().out


@pytest.mark.parametrize("text, words", [
    (lots_of_places(1_000), "1001 nodes and endings, over the limit of 1000"),
    (scenario_text(node("a", choice("x", "end", consequence="<p>" + "w" * 20_001 + "</p>")), END),
     "the consequence is over 20000 characters"),
])
def test_the_size_limits_are_rules_with_clear_messages(text, words, tmp_path, capsys):
    _path, status = run(tmp_path, text)
    assert status == 1
    assert words in capsys.readouterr().out


def test_a_scenario_just_inside_the_limits_is_clean(tmp_path, capsys):
    _path, status = run(tmp_path, lots_of_places(999))
    assert status == 0, capsys.readouterr().out[:500]
