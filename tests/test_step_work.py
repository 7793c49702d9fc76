"""The work of a learner's step does not grow with the scenario or with what the cohort did."""
from bench.harness import python_calls
from bench.shapes import scenario_xml
from cultural_safety_xblock import cohort
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.runtime import Learner


def every_choice_counted(text):
    """Shard values as after a cohort has made every choice of the scenario."""
    scenario = compile_text(text).scenario
    events = [("started", {"attempt": 1})] + [("chose", {"node": node.id, "choice": choice.id})
                                              for node in scenario.nodes for choice in node.choices]
    return {f"cohort_{index}": cohort.count({}, {}, events)[0] for index in range(cohort.SHARDS)}


def python_calls_in_a_step(nodes, counted):
    """How many Python function calls one step makes (a measure of work that no noise moves)."""
    text = scenario_xml(nodes)
    learner = Learner(text, **(every_choice_counted(text) if counted else {}))
    learner.begin()
    learner.choose("c0")
    learner.load()   # a fresh block, as for a new request
    answers = []
    calls = python_calls(lambda: answers.append(learner.choose("c0")))
    assert answers[0][0] == 200
    return calls


def test_a_step_does_no_more_work_in_a_large_scenario_whose_cohort_made_every_choice():
    small = python_calls_in_a_step(10, counted=False)
    assert python_calls_in_a_step(300, counted=True) <= small * 1.1


def test_counts_recorded_by_a_step_survive_a_reload():
    text = scenario_xml(5)
    learner = Learner(text, **every_choice_counted(text))
    learner.begin()
    learner.choose("c1")
    learner.load()
    totals = learner.block.cohort_totals()
    shards = cohort.SHARDS  # every shard counted every choice once; the step adds one
    assert totals.chosen("n0", "c1") == shards + 1 and totals.chosen("n0", "c0") == shards
