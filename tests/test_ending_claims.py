"""An ending's ``requires``: what its text claims of the path, proved on every situation that
reaches it (read, written back, analysed by shape, reported with where, what and a fix)."""
import pytest

from cultural_safety_xblock.scenario import olx
from cultural_safety_xblock.scenario.analysis import analyse
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.map import layout
from tests.support.builders import choice, codes, ending, node, scenario_text

HARM = '<variable id="harm_promise" initial="0" min="0" max="1"/>'
PROMISED = [("harm_promise", "set", "1")]
REPAIRED = [("harm_promise", "set", "0")]


def promise_then(*later, safe_requires="harm_promise == 0"):
    """``a`` may make a false promise (harm_promise = 1); ``later`` decides what follows."""
    return scenario_text(
        node("a", choice("promise", "b", "harmful", 0, effects=PROMISED),
             choice("honest", "b", "best", 2)),
        *later,
        ending("safe", "safe", requires=safe_requires), ending("unsafe", "unsafe"),
        head=HARM)


def test_a_claim_broken_by_a_path_is_reported_with_the_choice_and_the_values():
    text = promise_then(node("b", choice("go", "safe"), choice("leave", "unsafe", "harmful", 0)))
    result = compile_text(text)
    assert codes(result) == ["broken-claim"]
    found = result.problems[0]
    where, what, fix = found.render()
    assert where == "ending 'safe'"
    assert found.line == result.scenario.ending("safe").line
    assert "choice 'go' in node 'b'" in what and "harm_promise = 1" in what
    assert 'requires="harm_promise == 0"' in what and "requires" in fix


def test_the_choice_line_is_the_line_of_the_choice_that_leads_there():
    text = promise_then(node("b", choice("go", "safe"), choice("leave", "unsafe", "harmful", 0)))
    text = text.replace("><", ">\n<")
    result = compile_text(text)
    go = result.scenario.node("b").choice("go")
    assert f"(line {go.line})" in result.problems[0].render()[1]


def test_a_claim_is_kept_when_the_route_is_closed_while_the_harm_stands():
    text = promise_then(node("b", choice("go", "safe", requires="harm_promise == 0"),
                             choice("leave", "unsafe", "harmful", 0)))
    assert compile_text(text).problems == ()


def test_a_claim_is_kept_when_a_later_choice_repairs_the_harm():
    text = promise_then(
        node("b", choice("correct", "c", "best", 2, effects=REPAIRED),
             choice("leave", "unsafe", "harmful", 0)),
        node("c", choice("go", "safe")))
    assert compile_text(text).problems == ()


def test_one_problem_per_choice_that_breaks_the_claim_and_only_those():
    text = promise_then(
        node("b", choice("go", "safe"), choice("on", "c", "acceptable", 1),
             choice("fix", "c", "best", 2, effects=REPAIRED)),
        node("c", choice("finish", "safe"), choice("leave", "unsafe", "harmful", 0)))
    broken = analyse(compile_text(text).scenario).broken_claims
    assert sorted((ending_id, node_id, choice_id) for ending_id, node_id, choice_id, _ in broken) \
        == [("safe", "b", "go"), ("safe", "c", "finish")]
    assert all(values == (("harm_promise", 1),) for *_, values in broken)


def test_only_the_failing_clauses_variables_are_named():
    text = promise_then(node("b", choice("go", "safe")),
                        safe_requires="harm_promise == 0 and trust >= 0").replace(
        HARM, HARM + '<variable id="trust" initial="3" min="0" max="5"/>')
    (_, _, _, values), = analyse(compile_text(text).scenario).broken_claims
    assert values == (("harm_promise", 1),)


def test_an_ending_requires_only_declared_variables():
    text = scenario_text(node("a", choice("go", "end")), ending("end", requires="ghost == 0"))
    result = compile_text(text)
    assert "unknown-variable" in codes(result)
    assert any(p.render()[0] == "ending 'end'" and "ghost" in p.render()[1]
               for p in result.problems)


@pytest.mark.parametrize("condition", ["harm_promise = 0", "harm_promise == zero", "== 1"])
def test_an_unreadable_claim_is_reported_at_the_ending(condition):
    text = promise_then(node("b", choice("go", "safe", requires="harm_promise == 0"),
                             choice("leave", "unsafe", "harmful", 0)), safe_requires=condition)
    result = compile_text(text)
    assert "bad-condition" in codes(result)
    assert any(p.code == "bad-condition" and p.render()[0] == "ending 'safe'"
               for p in result.problems)


def test_the_analysis_is_worked_out_again_when_only_a_claim_changes():
    open_route = node("b", choice("go", "safe"), choice("leave", "unsafe", "harmful", 0))
    claimed = compile_text(promise_then(open_route))
    unclaimed = compile_text(promise_then(open_route, safe_requires=""))
    assert claimed.analysis.broken_claims and not unclaimed.analysis.broken_claims
    assert unclaimed.problems == ()


def test_a_claim_is_written_back_and_read_the_same():
    text = promise_then(node("b", choice("go", "safe", requires="harm_promise == 0"),
                             choice("leave", "unsafe", "harmful", 0)),
                        safe_requires="harm_promise == 0 and harm_promise < 1")
    scenario = compile_text(text).scenario
    written = olx.write(scenario)
    assert 'requires="harm_promise == 0 and harm_promise &lt; 1"' in written
    again = olx.read(written).scenario
    assert again == scenario and str(again.ending("safe").requires) == \
        "harm_promise == 0 and harm_promise < 1"
    assert olx.write(again) == written
    assert "requires" not in written.split('<ending id="unsafe"')[1].split(">")[0]


def test_the_map_draws_a_scenario_with_claims_as_without():
    route = node("b", choice("go", "safe", requires="harm_promise == 0"),
                 choice("leave", "unsafe", "harmful", 0))
    claimed, unclaimed = (compile_text(promise_then(route, safe_requires=c))
                          for c in ("harm_promise == 0", ""))
    assert layout(claimed.scenario, claimed.analysis) == \
        layout(unclaimed.scenario, unclaimed.analysis)
