"""The learner's page and the app name choices by token, never by the author's id
(scenario/tokens.py): checked at every node of every course scenario; the choose handler takes
a token back, refuses one that names nothing with a clear 4xx and a page out of date with 409."""
import json
import re

import pytest
from lxml import etree
from lxml import html as lxml_html

from cultural_safety_xblock.course_units import SCENARIO_TAG, units
from cultural_safety_xblock.scenario import tokens
from cultural_safety_xblock.scenario.engine import State
from cultural_safety_xblock.scenario.model import OUTCOMES, RATINGS
from tests.support.builders import BRANCHING, choice, ending, node, scenario_text
from tests.support.judgement import situations
from tests.support.runtime import Learner
from tests.test_access import json_keys_and_strings

COURSE = {unit.name: child for unit in units() for child in unit.children
          if child.tag == SCENARIO_TAG}
TOKEN = re.compile(r"^[1-9][0-9]*-[0-9a-f]{8}$")


def xml_of(element):
    return etree.tostring(element, encoding="unicode")


def give_away(scenario):
    """Choice ids that must not be on a page: all of them, but for those that are also the id
    of a place, a reflection or a dimension, or a word of the page's own vocabulary."""
    others = {p.id for p in (*scenario.nodes, *scenario.endings)}
    others |= {r.id for r in scenario.reflections} | {d.id for d in scenario.dimensions}
    others |= set(RATINGS) | set(OUTCOMES) | {"node", "ending", "intro", "text"}
    others |= {"begin", "choose", "back", "restart", "pause", "resume"}   # data-action
    return {c.id for n in scenario.nodes for c in n.choices} - others


def node_states(scenario):
    """A state at each situation (node and variable values) a learner can reach."""
    reached = situations(scenario)
    return [State(situation[0], tuple(reached.path_to(situation)), 5, 1)
            for situation in reached.offered]


@pytest.mark.parametrize("name", sorted(COURSE))
def test_no_page_or_data_answer_at_any_node_of_the_course_holds_a_choice_id(name):
    learner = Learner(xml_of(COURSE[name]))
    block = learner.block
    scenario = block.compiled.scenario
    forbidden = give_away(scenario)
    checked = 0
    for state in node_states(scenario):
        block.progress, block.seen_content = state.to_dict(), block.compiled.content_hash
        block.save()
        page = learner.load().student_view().body_html()
        tree = lxml_html.fromstring(page)
        values = {value for element in tree.iter() for value in element.attrib.values()}
        assert not values & forbidden, (state, values & forbidden)
        shown = [b.get("data-choice") for b in tree.iter("button") if b.get("data-choice")]
        assert shown and all(TOKEN.match(t) for t in shown), shown
        assert shown == [t for t, _ in tokens.offered(scenario, state)]
        keys, strings = set(), set()
        json_keys_and_strings(learner.load().student_view_data(), keys, strings)
        assert not strings & forbidden, (state, strings & forbidden)
        checked += 1
    assert checked >= len(scenario.nodes)


def test_a_token_is_a_position_and_a_digest_of_the_words():
    learner = Learner(BRANCHING)
    learner.begin()
    scenario, state = learner.block.compiled.scenario, learner.block.learner_state()
    offered = tokens.offered(scenario, state)
    assert [t.split("-")[0] for t, _ in offered] == ["1", "2", "3"]
    assert [c.id for _, c in offered] == ["good", "bad", "ok"]
    assert tokens.token(1, offered[1][1]) != offered[1][0]       # the position is part of it


def test_choose_takes_a_token_and_the_events_keep_the_authors_id():
    learner = Learner(BRANCHING)
    learner.begin()
    status, _answer = learner.post("choose", dict(learner.seen(), choice=learner.token("bad")))
    assert status == 200 and learner.block.learner_state().path == (("a", "bad"),)
    assert learner.named("xblock.cultural_safety.chose")[0]["choice"] == "bad"


@pytest.mark.parametrize("sent", ["good", "4-00000000", "0-00000000", "1-xyz", "", "1",
                                  "99999-00000000"])
def test_a_choice_id_or_a_token_that_names_nothing_is_refused_400_and_changes_nothing(sent):
    learner = Learner(BRANCHING)
    learner.begin()
    before, events = dict(learner.block.progress), len(learner.events)
    status, answer = learner.post("choose", dict(learner.seen(), choice=sent))
    assert status == 400 and answer["code"] == "unknown-choice"
    assert answer["message"] == "There is no such choice here."
    assert 'data-node="a"' in answer["stage"]            # the page can show where they are
    assert dict(learner.load().progress) == before and len(learner.events) == events


def test_a_token_of_a_choice_whose_words_changed_under_the_page_is_refused_409():
    learner = Learner(BRANCHING)
    learner.begin()
    old = learner.token("good")
    block = learner.load()
    block.scenario_xml = BRANCHING.replace("Option good", "Option good, said otherwise")
    block.save()
    status, answer = learner.post("choose", dict(learner.seen(), choice=old))
    assert status == 409 and answer["code"] == "changed-choice"
    assert "choose again" in answer["message"]
    assert "Option good, said otherwise" in answer["stage"]
    assert learner.load().learner_state().path == ()


def test_reordered_choices_never_take_a_stale_token_to_another_choice():
    first = choice("first", "x", text="Go first")
    second = choice("second", "y", "harmful", 0, text="Go second")
    text = scenario_text(node("a", first, second), ending("x"), ending("y", "unsafe"))
    learner = Learner(text)
    learner.begin()
    token_of_first = learner.token("first")
    block = learner.load()
    block.scenario_xml = scenario_text(node("a", second, first), ending("x"),
                                       ending("y", "unsafe"))   # the author swaps them
    block.save()
    status, answer = learner.post("choose", dict(learner.seen(), choice=token_of_first))
    assert status == 409 and answer["code"] == "changed-choice"
    assert learner.load().learner_state().path == ()
    status, _answer = learner.choose("first")   # chosen again from the page as it is now
    assert status == 200 and learner.load().learner_state().path == (("a", "first"),)


def test_a_conditional_choice_gets_its_position_among_those_offered():
    learner = Learner(BRANCHING)
    learner.play("good")   # trust 3: the repair (requires trust < 2) is not offered
    assert len(tokens.offered(learner.block.compiled.scenario, learner.block.learner_state())) == 3
    learner = Learner(BRANCHING)
    learner.play("bad")    # trust 0: the repair is offered, fourth
    offered = tokens.offered(learner.block.compiled.scenario, learner.block.learner_state())
    assert [(t.split("-")[0], c.id) for t, c in offered][-1] == ("4", "repair")
    assert learner.choose("repair")[0] == 200


def test_a_stale_token_request_is_refused_as_stale_before_its_token_is_read():
    learner = Learner(BRANCHING)
    learner.begin()
    old = learner.seen()
    learner.choose("good")
    status, answer = learner.post("choose", dict(old, choice="nonsense"))
    assert status == 409 and answer["code"] == "stale"


def test_the_data_answer_names_choices_by_token_too():
    learner = Learner(BRANCHING)
    learner.begin()
    status, answer = learner.post("choose", dict(learner.seen(), choice=learner.token("good"),
                                                 view="data"))
    assert status == 200
    choices = answer["stage"]["node"]["choices"]
    assert [c["choice"] for c in choices] == [learner.token(c) for c in ("best", "fine", "harm")]
    assert not {"best", "fine", "harm", "repair"} & {
        value for c in choices for value in c.values()}
    assert '"good"' not in json.dumps(answer)
