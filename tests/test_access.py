"""What each person may reach is decided on the server.

- Every handler that is not one of the learner's own actions (found by introspecting the block,
  so a handler added later is covered too) refuses a learner with 403, a message and no data,
  and changes nothing, whatever method, body or suffix is sent.
- A learner reaches only their own state: no handler, body or suffix lets them read or change
  another learner's progress, reflections or grade.
- Nothing that would tell the answer reaches the browser before the choice is made: the page,
  every handler answer and ``student_view_data`` hold no rating, points, target or consequence
  of a choice not taken - checked in every situation of every course scenario.
"""
import json
from collections import deque

import pytest
from lxml import etree
from lxml import html as lxml_html
from webob import Request
from xblock.fields import UserScope

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from cultural_safety_xblock.course_units import SCENARIO_TAG, units
from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.mobile import HANDLERS as LEARNER_HANDLERS
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.engine import Rules, State
from tests.support.builders import BRANCHING
from tests.support.paths_through import following
from tests.support.runtime import Learner

HANDLERS = sorted(name for name in dir(CulturalSafetyScenarioBlock)
                  if getattr(getattr(CulturalSafetyScenarioBlock, name), "_is_xblock_handler",
                             False))
STAFF_ONLY = [name for name in HANDLERS if name not in LEARNER_HANDLERS]
SECRET = "Only Bea knows this: 7c1f"
SAVE = {"display_name": "Taken over", "weight": 9.0, "max_attempts": 1, "grading": "last_attempt",
        "practice": True, "allow_back": False, "allow_restart": False,
        "reflections_in_reports": True, "scenario_xml": BRANCHING}
BODIES = [None, {}, SAVE, {"scenario_xml": BRANCHING}, {"scenario_xml": "", "node": "", "path": []},
          {"version": 0, "node": ""}, {"user": "bea", "student": "bea", "user_id": "bea"}]
SUFFIXES = ["", "bea", "../bea", "?student=bea", "csv"]


def request(block, handler, body=None, method="POST", suffix=""):
    raw = b"" if body is None else json.dumps(body).encode()
    response = getattr(block, handler)(Request.blank("/", method=method, body=raw), suffix)
    block.save()
    return response


def every_field(store, user="al"):
    """Every field of the block as stored (all scopes), as a fresh request would read them."""
    block = Learner(store=store, user=user).block
    return {(name, str(field.scope)): getattr(block, name) for name, field in block.fields.items()
            if name not in ("parent", "children", "seen_content")}


def own_fields(store, user):
    block = Learner(store=store, user=user).block
    return {name: getattr(block, name) for name, field in block.fields.items()
            if getattr(field.scope, "user", None) == UserScope.ONE}


@pytest.fixture
def classroom():
    """Bea has played to an ending and written a reflection; Al is another learner."""
    bea = Learner(DEMO_SCENARIO, user="bea")
    scenario = bea.block.compiled.scenario
    bea.play(*[choice for _node, choice in walk_best(scenario)])
    assert bea.post("save_reflection", {"id": "expert", "text": SECRET})[0] == 200
    return bea, Learner(store=bea.store, user="al")


def walk_best(scenario):
    from tests.support.paths_through import walk

    return walk(scenario).path


# -- staff-only handlers --------------------------------------------------------------------------

def test_the_block_has_staff_handlers_to_guard():
    assert {"staff_results", "staff_results_csv"} <= set(STAFF_ONLY)
    assert set(LEARNER_HANDLERS) <= set(HANDLERS)


@pytest.mark.parametrize("handler", STAFF_ONLY)
def test_a_learner_is_refused_every_staff_handler_with_403_and_no_data(classroom, handler):
    bea, al = classroom
    before = every_field(al.store)
    for body in BODIES:
        for method in ("GET", "POST"):
            for suffix in SUFFIXES:
                response = request(al.load(), handler, body, method, suffix)
                text = response.body.decode("utf-8")
                assert response.status_code == 403, (handler, method, body, suffix, text[:200])
                answer = json.loads(text)
                assert answer["message"].strip() and set(answer) <= {"code", "message"}
                for secret in (SECRET, "check_place", "shared_plan", "bea"):
                    assert secret not in text
    assert every_field(al.store) == before


@pytest.mark.parametrize("handler", STAFF_ONLY)
def test_a_staff_member_is_not_refused(classroom, handler):
    """The guard above is a rights check, not a broken handler: staff get through it."""
    _bea, al = classroom
    staff = Learner(store=al.store, user="staff_sam").load()
    staff.runtime.user_is_staff = True
    staff.runtime.handler_url = lambda block, name, *args, **kwargs: f"/handler/{name}"
    statuses = {request(staff, handler, body, method).status_code
                for body in BODIES for method in ("GET", "POST")}
    assert 403 not in statuses and statuses & {200, 400, 405, 409, 422}


def test_a_learner_opening_staff_views_sees_no_cohort_data(classroom):
    _bea, al = classroom
    block = al.load()
    block.runtime.handler_url = lambda block, name, *args, **kwargs: f"/handler/{name}"
    staff_view = block.staff_view().content
    assert "data-figure" not in staff_view and SECRET not in staff_view
    assert "cs-staff" not in block.student_view().content


# -- one learner, another learner's state ------------------------------------------------------------

def test_no_handler_lets_a_learner_read_or_change_another_learners_state(classroom):
    bea, al = classroom
    bea_before = own_fields(bea.store, "bea")
    bea_state = State.from_dict(bea_before["progress"])
    bodies = BODIES + [
        {"version": bea_state.version, "node": bea_state.place},
        {"version": bea_state.version, "node": bea_state.place, "choice": "check_place"},
        {"id": "expert", "text": "overwritten"}, {"id": "expert", "text": SECRET, "user": "bea"},
    ]
    answers = []
    for handler in HANDLERS:
        for body in bodies:
            for suffix in SUFFIXES:
                answers.append(request(al.load(), handler, body, "POST", suffix).body)
    block = al.load()
    answers += [block.student_view().content.encode(), json.dumps(block.student_view_data()).encode()]
    assert own_fields(bea.store, "bea") == bea_before
    assert not [answer for answer in answers if SECRET.encode() in answer]
    assert Learner(store=al.store, user="al").block.saved_reflections() == {"expert": "overwritten"}


def test_each_learner_sees_their_own_place_and_reflection():
    bea = Learner(DEMO_SCENARIO, user="bea")
    bea.play(*[choice for _node, choice in walk_best(bea.block.compiled.scenario)])
    bea.post("save_reflection", {"id": "expert", "text": SECRET})
    al = Learner(store=bea.store, user="al")
    al.begin()
    assert 'data-status="node"' in al.load().student_view().content
    assert SECRET in bea.load().student_view().content
    assert SECRET not in al.load().student_view().content


# -- answers never reach the browser early --------------------------------------------------------

COURSE = {element.get("url_name"): etree.tostring(element, encoding="unicode")
          for unit in units() for element in unit.children if element.tag == SCENARIO_TAG}
SCENARIOS = {**COURSE, "demo": DEMO_SCENARIO, "branching": BRANCHING}
MAX_SITUATIONS = 120


def situations(scenario):
    """States a learner can be in (breadth first, at most MAX_SITUATIONS), endings included."""
    rules = Rules()
    queue = deque([engine.start(scenario, State(), rules, 0).state])
    found, seen = [State()], set()
    while queue and len(found) < MAX_SITUATIONS:
        state = queue.popleft()
        if state.path in seen:
            continue
        seen.add(state.path)
        found.append(state)
        queue.extend(following(scenario, state, rules))
    return found


def plain(html):
    text = lxml_html.fromstring(f"<div>{html}</div>").text_content() if html.strip() else ""
    return " ".join(text.split())


def secrets(scenario, state):
    """What must not be in the learner's browser in this state: (kind, text) pairs."""
    chosen = set(state.path)
    shown_places = {node for node, _choice in state.path} | {state.place, scenario.start_id}
    visible = {plain(scenario.node(node).choice(choice).consequence) for node, choice in chosen}
    hidden = []
    # ids the page shows for what they name (a reflection called "policy" beside a node so called)
    shown_ids = {r.id for r in scenario.reflections} | {d.id for d in scenario.dimensions}
    nodes = [scenario.node(node) for node, _ in state.path] + [scenario.node(state.place)]
    for node in filter(None, nodes):
        for choice in node.choices:
            if (node.id, choice.id) in chosen:
                continue
            consequence = plain(choice.consequence)[:120]
            if consequence and not any(consequence in text for text in visible):
                hidden.append(("consequence", consequence))
            if choice.target not in shown_places and choice.target not in shown_ids:
                hidden.append(("target", choice.target))
    return hidden


def attribute_values(html):
    tree = lxml_html.fromstring(f"<div>{html}</div>")
    return {value for element in tree.iter() for value in element.attrib.values()}


def json_keys_and_strings(value, keys, strings):
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            json_keys_and_strings(item, keys, strings)
    elif isinstance(value, list):
        for item in value:
            json_keys_and_strings(item, keys, strings)
    elif isinstance(value, str):
        strings.add(value)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_rating_points_target_or_consequence_of_an_unchosen_choice_reaches_the_browser(name):
    learner = Learner(SCENARIOS[name])
    compiled = learner.block.compiled
    assert compiled.playable, compiled.problems
    scenario = compiled.scenario
    checked = 0
    for state in situations(scenario):
        block = learner.load()
        block.progress, block.seen_content = state.to_dict(), compiled.content_hash
        block.save()
        block = learner.load()
        page = block.student_view().content
        data = block.student_view_data()
        keys, strings = set(), set()
        json_keys_and_strings(data, keys, strings)
        assert not keys & {"rating", "points", "target", "score", "max_points"}, keys
        ending = engine.finished(scenario, state)
        attributes = attribute_values(page)
        if not ending:
            assert 'class="cs-rating' not in page and "data-rating" not in page
            assert "cs-score" not in page and "cs-debrief" not in page
        for kind, secret in secrets(scenario, state):
            if kind == "consequence":
                assert secret not in plain(page) and secret not in json.dumps(data), (state, kind)
            else:
                assert secret not in attributes and secret not in strings, (state, secret)
        checked += 1
    assert checked > 1


def test_the_answer_to_a_choice_and_a_refusal_show_only_the_choice_made():
    learner = Learner(DEMO_SCENARIO)
    learner.begin()
    stale = learner.seen()
    status, chosen = learner.choose("check_place")
    assert status == 200
    status, refused = learner.post("choose", dict(stale, choice="dive_in"))
    assert status == 409
    scenario = learner.block.compiled.scenario
    for answer in (chosen, refused):
        text = plain(answer["stage"])
        assert plain(scenario.node("opening").choice("check_place").consequence)[:60] in text
        for other in ("dive_in", "mention_privacy"):
            assert plain(scenario.node("opening").choice(other).consequence)[:60] not in text
        assert set(answer) <= {"stage", "version", "status", "code", "message"}


def test_student_view_data_collected_without_a_learner_shows_only_the_start():
    learner = Learner(DEMO_SCENARIO)
    learner.play("check_place")
    block = learner.load()
    block.scope_ids = block.scope_ids._replace(user_id=None)  # as the LMS collects it
    data = block.student_view_data()
    assert data["stage"]["status"] == "intro" and "consequence" not in data["stage"]
    assert "Nobody asked me that before" not in json.dumps(data)
