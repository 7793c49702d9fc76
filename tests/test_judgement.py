"""The course check itself (tests/support/judgement.py): a small scenario that meets every target,
and for each target a change that breaks it and the finding that names it."""
import pytest

from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support import judgement
from tests.support.builders import choice, ending, node, scenario_text
from tests.support.judgement import course_findings, follow, judge, surface_rules, words

HARM = '<variable id="harm_x" initial="0" min="0" max="1"/>'
SET_HARM = [("harm_x", "set", "1")]


def option(cid, length, first=None):
    """Option text of ``length`` words opening with ``first`` (the id by default)."""
    return " ".join([first or cid] + ["word"] * (length - 1))


def pick(cid, target, rating, length, first=None, **kwargs):
    points = {"best": 2, "acceptable": 1, "harmful": 0}[rating]
    effects = kwargs.pop("effects", SET_HARM if rating == "harmful" else ())
    return choice(cid, target, rating, points, text=option(cid, length, first), effects=effects,
                  **kwargs)


# (node, next place, options in order as (id, rating, words)). The harmful option is first at
# n1, middle at n2, last at n3, longest at n2 and n4, shortest at n3 and n5: every surface rule
# picks a harm that closes the safe ending. The best is longest once, shortest twice.
LAYOUT = [
    ("n1", "n2", [("h1", "harmful", 7), ("b1", "best", 6), ("a1", "acceptable", 8)]),
    ("n2", "n3", [("a2", "acceptable", 6), ("h2", "harmful", 8), ("b2", "best", 7)]),
    ("n3", "n4", [("b3", "best", 8), ("a3", "acceptable", 7), ("h3", "harmful", 6)]),
    ("n4", "n5", [("a4", "acceptable", 7), ("b4", "best", 6), ("h4", "harmful", 8)]),
]


def good(layout=LAYOUT, last=None, safe_requires="harm_x == 0", head=HARM, firsts=None):
    firsts = firsts or {}
    nodes = [node(nid, *(pick(cid, target, rating, length, firsts.get(cid))
                         for cid, rating, length in options))
             for nid, target, options in layout]
    nodes.append(last or node(
        "n5",
        pick("b5", "safe", "best", 7, requires="harm_x == 0"),
        pick("late5", "mixed", "best", 7, requires="harm_x == 1", first="late"),
        pick("h5", "unsafe", "harmful", 6, effects=()),
        pick("a5", "mixed", "acceptable", 8)))
    return scenario_text(*nodes, ending("safe", "safe", requires=safe_requires),
                         ending("mixed", "mixed"), ending("unsafe", "unsafe"), head=head)


def judged(text):
    compiled = compile_text(text)
    assert compiled.scenario is not None, compiled.problems
    return judge(compiled.scenario, "test")


def rules_broken(result):
    return sorted({finding.rule for finding in result.findings})


def test_the_good_scenario_meets_every_target_and_is_valid():
    assert compile_text(good()).problems == ()
    result = judged(good())
    assert result.findings == [], [str(f) for f in result.findings]
    assert result.decisions == 6   # n5 offers two menus: harm repaired or not
    assert (result.best_longest, result.best_shortest, result.balanced) == (1, 2, 6)
    assert result.harms == ("harm_x",) and not result.winning_rules


def test_words_count_tokens_with_letters_or_digits_only():
    assert words("Say – nothing; wait “2” minutes.") == 5
    assert judgement.first_word("“Ask,” she says") == "ask"


# -- 1. length balance -------------------------------------------------------------------------

def test_a_decision_with_options_far_apart_in_length_is_named():
    layout = [LAYOUT[0][:2] + ([("h1", "harmful", 7), ("b1", "best", 6),
                                ("a1", "acceptable", 12)],), *LAYOUT[1:]]
    result = judged(good(layout))
    found = [f for f in result.findings if f.rule == 1 and f.where == "node 'n1'"]
    assert found and "7/6/12" in found[0].what and "50%" in found[0].what


def test_too_few_balanced_decisions_is_a_scenario_finding():
    # 0.7 at two decisions of six: none under 0.6, but only 4 of 6 (67%) at 0.75 or more
    layout = [LAYOUT[0][:2] + ([("h1", "harmful", 7), ("b1", "best", 7),
                                ("a1", "acceptable", 10)],),
              LAYOUT[1][:2] + ([("a2", "acceptable", 7), ("h2", "harmful", 10),
                                ("b2", "best", 8)],), *LAYOUT[2:]]
    result = judged(good(layout))
    assert [f.where for f in result.findings if f.rule == 1] == ["scenario"]
    assert result.balanced == 4


# -- 2. the best option's length ---------------------------------------------------------------

def test_a_best_option_longest_too_often_and_never_shortest_is_found():
    layout = [(nid, target, [(cid, rating, 8 if rating == "best" else length - 1
                              if length == 8 else length) for cid, rating, length in options])
              for nid, target, options in LAYOUT]
    result = judged(good(layout))
    assert result.best_longest >= 3 and result.best_shortest == 0
    whats = [f.what for f in result.findings if f.rule == 2]
    assert any("longest at" in w for w in whats) and any("never the shortest" in w for w in whats)


def test_a_tie_is_neither_longest_nor_shortest():
    layout = [LAYOUT[0][:2] + ([("h1", "harmful", 7), ("b1", "best", 7),
                                ("a1", "acceptable", 8)],), *LAYOUT[1:]]
    decision = judgement.decisions(compile_text(good(layout)).scenario)[0]
    assert not decision.best_is("shortest") and not decision.best_is("longest")


# -- 3. surface rules --------------------------------------------------------------------------

def test_the_best_option_always_first_lets_the_first_rule_win():
    layout = [(nid, target, sorted(options, key=lambda o: o[1] != "best"))
              for nid, target, options in LAYOUT]
    result = judged(good(layout))
    assert "first" in result.winning_rules and "first" in result.best_path_rules
    assert any(f.rule == 3 and "'first'" in f.what for f in result.findings)


def test_a_recurring_opening_word_that_marks_the_best_is_a_rule():
    # 'first' fails only at n1; when the best of n1 and of n3 open with "ask", preferring "ask"
    # and otherwise taking the first option avoids every harm
    result = judged(good(firsts={"b1": "ask", "b3": "ask"}))
    assert "first" not in result.winning_rules
    assert "prefer 'ask', else first" in result.winning_rules


def test_a_word_opening_options_at_one_node_only_is_no_rule():
    names = surface_rules(compile_text(good(firsts={"b1": "ask", "a1": "ask"})).scenario)
    assert not any("'ask'" in name for name in names)


def test_a_tie_for_longest_is_followed_both_ways():
    text = scenario_text(node("a", choice("x", "safe", text="one two"),
                              choice("y", "unsafe", "harmful", 0, text="three four")),
                         ending("safe"), ending("unsafe", "unsafe"))
    walked = follow(compile_text(text).scenario, judgement.BASE_RULES["longest"])
    assert sorted(end for end, _, _ in walked) == ["safe", "unsafe"]


# -- 4. openings, course-wide ------------------------------------------------------------------

def test_an_opening_that_is_mostly_best_across_the_course_is_found():
    marked = judged(good(firsts={"b1": "reassure", "b2": "reassure", "b3": "reassure",
                                 "h4": "reassure", "h1": "reassure"}))
    findings = course_findings([marked])
    assert [f.rule for f in findings] == [4] and "'reassure'" in findings[0].what
    mixed = judged(good(firsts={"b1": "reassure", "b2": "reassure", "h3": "reassure",
                                "h4": "reassure", "h1": "reassure"}))
    assert course_findings([mixed]) == []


def test_copies_of_one_option_under_different_conditions_open_once():
    def last(copy_first):
        return node("n5", pick("b5", "safe", "best", 7, requires="harm_x == 0"),
                    pick("late5", "mixed", "best", 7, requires="harm_x == 1", first=copy_first),
                    pick("h5", "unsafe", "harmful", 6, effects=()),
                    pick("a5", "mixed", "acceptable", 8))
    copied = judged(good(last=last("b5"))).openings
    assert copied.count(("b5", "best")) == 1 and ("late5", "best") not in copied
    reworded = judged(good(last=last("late5"))).openings
    assert reworded.count(("b5", "best")) == 1 and ("late5", "best") in reworded


def test_course_wide_shares_of_longest_and_shortest_best():
    layout = [(nid, target, [(cid, rating, 8 if rating == "best" else length - 1
                              if length == 8 else length) for cid, rating, length in options])
              for nid, target, options in LAYOUT]
    findings = course_findings([judged(good(layout)), judged(good(layout))])
    assert sorted(f.rule for f in findings) == [2, 2]
    assert course_findings([judged(good())]) == []


# -- 5. harm persists --------------------------------------------------------------------------

def test_a_scenario_without_a_harm_variable_is_found():
    text = good(head="").replace('requires="harm_x == 0"', "").replace(
        'requires="harm_x == 1"', "")
    text = text.replace('<effect variable="harm_x" set="1"/>', "")
    result = judged(text.replace('id="late5" target="mixed"', 'id="late5" target="safe"'))
    assert any(f.rule == 5 and "no harm_* variable" in f.what for f in result.findings)


def test_a_safe_ending_reached_with_the_harm_standing_is_found_with_its_path():
    last = node("n5", pick("b5", "safe", "best", 7), pick("h5", "unsafe", "harmful", 6, effects=()),
                pick("a5", "mixed", "acceptable", 8))
    result = judged(good(last=last, safe_requires=""))
    standing = [f for f in result.findings if f.rule == 5 and "unrepaired" in f.what]
    assert standing and "n1:h1" in " ".join(f.what for f in standing)
    assert any("does not require harm_x == 0" in f.what for f in result.findings)


def test_a_repair_reopens_the_safe_ending():
    text = good().replace(
        '<choice id="b4" target="n5" rating="best" points="2">',
        '<choice id="b4" target="n5" rating="best" points="2"><effect variable="harm_x" set="0"/>')
    result = judged(text)
    assert not any(f.rule == 5 for f in result.findings)
    assert "safe" in {end for end, path, _ in follow(compile_text(text).scenario, list)
                      if ("n1", "h1") in path}


@pytest.mark.parametrize("declaration, words_", [
    ('<variable id="harm_x" initial="0" min="0" max="2"/>', "max=2"),
    ('<variable id="harm_x" initial="0" min="0" max="1"/><variable id="harm_y" initial="0" '
     'min="0" max="1"/>', "no choice a learner can make sets it"),
])
def test_harm_variables_follow_the_convention(declaration, words_):
    text = good(head=declaration)
    result = judged(text)
    assert any(f.rule == 5 and words_ in f.what for f in result.findings)


def test_a_best_option_that_does_harm_is_found():
    text = good().replace('<choice id="b2" target="n3" rating="best" points="2">',
                          '<choice id="b2" target="n3" rating="best" points="2">'
                          '<effect variable="harm_x" set="1"/>')
    result = judged(text)
    assert any(f.rule == 5 and f.where == "choice 'b2' in node 'n2'" for f in result.findings)


# -- 6. claims ---------------------------------------------------------------------------------

def test_an_ending_claim_broken_on_a_path_is_found_with_that_path():
    text = good().replace('<ending id="mixed" outcome="mixed" title="mixed">',
                          '<ending id="mixed" outcome="mixed" title="mixed" requires="harm_x == 1">')
    assert "broken-claim" in {p.code for p in compile_text(text).problems}
    result = judged(text)
    claims = [f for f in result.findings if f.rule == 6]
    assert claims and all(f.where == "ending 'mixed'" for f in claims)
    assert "harm_x" in claims[0].what and ">" in claims[0].what


# -- 8. harm accumulates ----------------------------------------------------------------------

def without_harm(text, *ids):
    """``text`` with the harm_x effect taken out of the choices ``ids`` (harm that lasts not)."""
    for cid in ids:
        head = f'<choice id="{cid}" '
        start = text.index(head)
        end = text.index("</choice>", start)
        text = text[:start] + text[start:end].replace(
            '<effect variable="harm_x" set="1"/>', "") + text[end:]
    return text


def test_a_safe_ending_after_three_harmful_choices_is_found_with_its_path():
    text = without_harm(good(), "h1", "h2", "h3")
    result = judged(text)
    assert result.most_harmful_safe == 3
    found = [f for f in result.findings if f.rule == 8]
    assert [f.where for f in found] == ["ending 'safe'"]
    assert "after 3 harmful choices" in found[0].what
    assert all(step in found[0].what for step in ("n1:h1", "n2:h2", "n3:h3", "n5:b5"))
    assert "up to 3 harmful choices (target <= 2)" in result.paths


def test_two_harmful_choices_on_a_safe_path_pass_and_lowest_score_is_measured():
    result = judged(without_harm(good(), "h1", "h2"))
    assert result.most_harmful_safe == 2
    assert not any(f.rule == 8 for f in result.findings)
    # n1:h1 > n2:h2 > n3:a3 > n4:a4 > n5:b5 scores 0+0+1+1+2 of the best 10
    assert result.lowest_safe_share == 0.4
    assert judged(good()).most_harmful_safe == 0


def test_counting_harm_in_a_strain_variable_closes_the_safe_ending_at_three():
    text = without_harm(good(), "h1", "h2", "h3").replace(
        HARM, HARM + '<variable id="strain" initial="0" min="0" max="3"/>')
    for cid in ("h1", "h2", "h3"):
        head = f'<choice id="{cid}" '
        start = text.index(head)
        start = text.index(">", start) + 1
        text = text[:start] + '<effect variable="strain" add="1"/>' + text[start:]
    text = text.replace('id="b5" target="safe" rating="best" points="2" requires="harm_x == 0"',
                        'id="b5" target="safe" rating="best" points="2"'
                        ' requires="harm_x == 0 and strain &lt;= 2"')
    result = judged(text)
    assert result.most_harmful_safe == 2
    assert not any(f.rule == 8 for f in result.findings)


def test_paths_not_walked_to_their_end_are_a_finding(monkeypatch):
    monkeypatch.setattr(judgement, "MAX_PATHS", 5)
    found = [f for f in judged(good()).findings if f.rule == 8]
    assert found and "not walked to their end (over 5 paths" in found[0].what
    monkeypatch.setattr(judgement, "MAX_PATHS", 20_000)
    monkeypatch.setattr(judgement, "MAX_STEPS", 3)
    found = [f for f in judged(good()).findings if f.rule == 8]
    assert found and "longer than 3 steps" in found[0].what


# -- 7. typography -----------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, words_", [
    ("Option", 'Say "no" to', "straight double quote"),
    ("Option", "Say it’s", "curly single quote"),
    ("Option", "Say 'no' to", "single quote used as a quotation mark"),
    ("Option", "Wait - then", "spaced hyphen"),
    ("Option", "Wait — then", "em dash"),
    ("Option", "Wait– then", "en dash not spaced"),
    ("Option", "Say “no to", "unbalanced"),
    ("<p>Scene n1</p>", '<p>She says "no".</p>', "literal quote character"),
    ("<p>Scene n1</p>", "<p>She says <q>“no”</q>.</p>", "literal quote character"),
    ("<p>Scene n1</p>", "<p>Then – later—now</p>", "em dash"),
])
def test_typography_rules_catch_each_bad_mark(old, new, words_):
    text = scenario_text(node("n1", choice("x", "end")), ending("end")).replace(old, new, 1)
    found = judgement.typography(compile_text(text).scenario)
    assert any(words_ in f.what for f in found), [str(f) for f in found]


def test_good_typography_passes():
    said = choice("x", "end", text="Say “not yet” – and wait; it's fine",
                  consequence="She says <q>no</q> – and it's 2010–2015 again.")
    text = scenario_text(node("n1", said), ending("end"))
    assert judgement.typography(compile_text(text).scenario) == []


def test_a_content_note_that_offers_the_pause_itself_is_found():
    text = scenario_text(node("n1", choice("x", "end")), ending("end"),
                         head="<content_note>It mentions racism. You can pause at any point."
                              "</content_note>")
    found = judgement.typography(compile_text(text).scenario)
    assert [f.where for f in found] == ["content note"]


# -- the command -------------------------------------------------------------------------------

def test_the_command_prints_figures_and_exits_by_findings(tmp_path, capsys):
    clean, broken = tmp_path / "clean.xml", tmp_path / "broken.xml"
    clean.write_text(good())
    broken.write_text(good(head="").replace("harm_x == 0", "").replace("harm_x == 1", "")
                      .replace('<effect variable="harm_x" set="1"/>', ""))
    assert judgement.main([str(clean)]) == 0
    out = capsys.readouterr().out
    assert "clean: 6 decisions" in out and "best is longest at 1/6" in out
    assert "surface rules reaching a safe ending: 0" in out
    assert judgement.main(["-v", str(broken)]) == 1
    assert "[5] scenario: no harm_* variable" in capsys.readouterr().out
    assert judgement.main([str(tmp_path / "missing.xml")]) == 2


def test_the_command_judges_the_revised_list_with_the_course_figures(capsys):
    status = judgement.main(["--revised"])
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert all(f"{name}: " in out for name in judgement.revised_names())
    assert f"course: {len(judgement.revised_names())} scenarios" in out
