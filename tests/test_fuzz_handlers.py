"""Random and hostile sequences of handler calls never break a learner's state or grade.

Hypothesis drives one learner's block in-process (tests/support/runtime.py) the way browsers,
old tabs, scripts and attackers would: well-formed and malformed bodies, wrong types, unknown
ids, huge and odd unicode text, replays of old page versions, actions out of order, reloads,
and the author's settings flipped between actions. After every call:

- nothing raises (the LMS would answer 500) and every answer is JSON;
- a refused call gets a 4xx with a message and leaves the stored state as it was;
- the stored state is valid for the scenario: ``engine.repair`` has nothing to fix;
- the grade stays within 0..1, attempts and completions never go down;
- a grade is published only with an ending, and never lowered under best attempt.

Every request is served by a freshly loaded block over the same field store, as in the LMS.
"""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from webob import Request
from xblock.fields import UserScope

from cultural_safety_xblock.block import EVENT_PREFIX, CulturalSafetyScenarioBlock
from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.mobile import HANDLERS as LEARNER_HANDLERS
from cultural_safety_xblock.scenario import engine, scoring, tokens
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.engine import State
from tests.support.builders import BRANCHING, choice, ending, node, scenario_text
from tests.support.runtime import Learner

# A loop that gives no points (allowed), a condition and a reflection, beside the two others.
# Every scenario here must be playable: the first test says so.
LOOPING = scenario_text(
    node("a", choice("wait", "a", "acceptable", 0, effects=[("calm", "add", 1)]),
         choice("go", "b", "best", 2), choice("rush", "b", "harmful", 0)),
    node("b", choice("finish", "done", "best", 2),
         choice("steady", "done", "acceptable", 1, requires="calm >= 2")),
    ending("done"),
    head='<variable id="calm" initial="0" min="0" max="3"/>'
         '<reflection id="why" prompt="Why?"/>',
)
SCENARIOS = {"branching": BRANCHING, "demo": DEMO_SCENARIO, "looping": LOOPING}
FIELD_TYPES = {"version": int, "node": str, "choice": str, "id": str, "text": str}
OTHER_HANDLERS = sorted(
    name for name in dir(CulturalSafetyScenarioBlock)
    if getattr(getattr(CulturalSafetyScenarioBlock, name), "_is_xblock_handler", False)
    and name not in LEARNER_HANDLERS)

ODD_TEXT = st.sampled_from([
    "", " ", "x" * 5_001, "é" * 4_000, "\u202e\u200b\ufeff", "\x00", "\ud800", "a\udfffb",
    "𝕏" * 50, "<script>alert(1)</script>", "{0}{version}%s", "../../etc/passwd", "null",
])
ANY_TEXT = st.text(max_size=40) | ODD_TEXT
WRONG_TYPE = (st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True)
              | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2))
HOSTILE_BODIES = st.sampled_from([
    b"", b"null", b"true", b'"text"', b"[]", b"{", b'{"version": 1,}', b"\xff\xfe{\x00}",
    b"[" * 16_000, b'{"a":' * 5_000, b"x" * 20_000,
    b'{"version": 1e999, "node": "a", "choice": "good"}',
    b'{"version": NaN, "node": "a", "choice": "good"}',
    b'{"version": ' + b"9" * 5_000 + b', "node": "a", "choice": "good"}',
    b'{"version": 0, "node": "", "version": 0}',
    b'{"id": "why", "text": "\\ud800"}', b'{"id": "expert", "text": "\\udfff\\ud800"}',
])
METHODS = st.sampled_from(["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
EXAMPLES = {"runs": 0, "steps": 0, "requests": 0}


def call(block, handler, raw, method="POST"):
    """(status, decoded JSON answer) of one request to one handler."""
    request = Request.blank("/", method=method, body=raw)
    response = getattr(block, handler)(request)
    block.save()
    assert response.status_code < 500, (handler, raw[:200], response.body[:300])
    answer = json.loads(response.body)
    if response.status_code >= 400:
        assert isinstance(answer.get("message"), str) and answer["message"].strip(), answer
    return response.status_code, answer


def stored(store, user):
    """What a fresh request would load: every learner field as stored (but ``seen_content``,
    the bookkeeping of which scenario version the state was last fitted to)."""
    block = Learner(store=store, user=user).block
    return {name: getattr(block, name) for name, field in block.fields.items()
            if getattr(field.scope, "user", None) == UserScope.ONE and name != "seen_content"}


def test_the_fuzzed_scenarios_are_playable():
    assert {name: compile_text(text).problems for name, text in SCENARIOS.items()} == {
        name: () for name in SCENARIOS}


class Identifiers:
    """Ids a request may name: real ones of this scenario, and ones that are not."""

    def __init__(self, scenario):
        self.places = [n.id for n in scenario.nodes] + [e.id for e in scenario.endings]
        # ids (which the handler never takes) and tokens of every choice at every position
        self.choices = sorted({c.id for n in scenario.nodes for c in n.choices} | {
            tokens.token(position, c) for n in scenario.nodes for c in n.choices
            for position in range(1, len(n.choices) + 1)})
        self.reflections = [r.id for r in scenario.reflections]

    def strategy(self, name):
        real = {"node": self.places, "choice": self.choices, "id": self.reflections}
        known = st.sampled_from(real[name]) if real.get(name) else st.nothing()
        return known | ANY_TEXT


class HandlerSequences(RuleBasedStateMachine):
    """One learner, one block, any sequence of requests and settings changes."""

    @initialize(name=st.sampled_from(sorted(SCENARIOS)), max_attempts=st.integers(0, 3),
                allow_back=st.booleans(), allow_restart=st.booleans(),
                grading=st.sampled_from([scoring.BEST_ATTEMPT, scoring.LAST_ATTEMPT]),
                practice=st.booleans())
    def open_block(self, name, **settings):
        self.learner = Learner(SCENARIOS[name], **settings)
        self.scenario = compile_text(SCENARIOS[name]).scenario
        self.hash = compile_text(SCENARIOS[name]).content_hash
        self.ids = Identifiers(self.scenario)
        self.pages = [(0, "")]          # (version, node) pairs the learner's pages have shown
        self.floor = {"attempt": 0, "completions": 0, "version": 0}
        EXAMPLES["runs"] += 1

    # -- one request, as the block in a fresh page load answers it ---------------------------

    def request(self, handler, raw, method="POST"):
        before = stored(self.learner.store, self.learner.user)
        block = self.learner.load()
        settings_now = {name: getattr(block, name) for name in ("grading", "practice",
                                                               "allow_back", "allow_restart",
                                                               "max_attempts")}
        seen = len(self.learner.events)
        status, answer = call(block, handler, raw, method)
        EXAMPLES["requests"] += 1
        EXAMPLES["steps"] += 1
        events = self.learner.events[seen:]
        after = stored(self.learner.store, self.learner.user)
        if status != 200:
            assert after == before, (handler, status, answer)
        else:
            self.check_success(handler, answer, before, after, settings_now)
        self.check_grades(events, before, after, settings_now)
        state = State.from_dict(after["progress"] or {})
        if state.place:
            self.pages.append((state.version, state.place))
        return status, answer

    def check_success(self, handler, answer, before, after, settings_now):
        if handler == "save_reflection":
            assert after["progress"] == before["progress"]
            return
        old = State.from_dict(before["progress"] or {})
        new = State.from_dict(after["progress"])
        assert answer["version"] == new.version == old.version + 1
        assert f'data-version="{new.version}"' in answer["stage"]
        assert answer["status"] in ("node", "ending")
        if handler == "back":
            assert settings_now["allow_back"] and new.path == old.path[:-1]
        if handler == "restart":
            assert settings_now["allow_restart"]
            limit = settings_now["max_attempts"]
            assert not limit or old.attempt < limit
            assert new.attempt == old.attempt + 1 and new.path == ()

    def check_grades(self, events, before, after, settings_now):
        names = [name for name, _ in events]
        grades = [data for name, data in events if name == "grade"]
        endings = names.count(EVENT_PREFIX + "ended")
        assert len(grades) <= endings, "a grade was published without an ending"
        assert names.count("completion") == endings
        if settings_now["practice"]:
            assert not grades
        for grade in grades:
            assert 0.0 <= grade["value"] <= grade["max_value"] == 1.0
            path = State.from_dict(after["progress"]).path
            assert grade["value"] == scoring.result(self.scenario, path).fraction
            if settings_now["grading"] == scoring.BEST_ATTEMPT:
                assert before["score_earned"] is None or grade["value"] > before["score_earned"]
        if settings_now["grading"] == scoring.BEST_ATTEMPT and before["score_earned"] is not None:
            assert after["score_earned"] >= before["score_earned"]

    # -- rules: what browsers, stale tabs and scripts send -----------------------------------

    def body(self, data, handler, fresh):
        """A JSON body for ``handler``: mostly well typed, sometimes not, fields sometimes
        missing or extra."""
        state = State.from_dict(self.learner.load().progress or {})
        version, place = (state.version, state.place) if fresh else data.draw(
            st.sampled_from(self.pages), label="replayed page")
        body = {}
        for name in LEARNER_HANDLERS[handler]:
            how = data.draw(st.sampled_from(["right"] * 6 + ["wrong", "missing"]), label=name)
            if how == "missing":
                continue
            if how == "wrong":
                body[name] = data.draw(WRONG_TYPE if FIELD_TYPES[name] is str
                                       else WRONG_TYPE | ANY_TEXT, label=name)
            elif name == "version":
                body[name] = data.draw(st.just(version) | st.integers(-2, 2**70), label=name)
            elif name == "node" and data.draw(st.booleans(), label="true node"):
                body[name] = place
            elif name == "choice" and data.draw(st.booleans(), label="offered choice"):
                offered = [t for t, _ in tokens.offered(self.scenario, state)] or ["none"]
                body[name] = data.draw(st.sampled_from(offered), label=name)
            elif name == "text":
                body[name] = data.draw(ANY_TEXT, label=name)
            else:
                body[name] = data.draw(self.ids.strategy(name), label=name)
        if data.draw(st.integers(0, 9), label="extra field?") == 0:
            body[data.draw(ANY_TEXT, label="extra name")] = data.draw(WRONG_TYPE, label="extra")
        return json.dumps(body).encode()

    @rule(data=st.data(), handler=st.sampled_from(sorted(LEARNER_HANDLERS)),
          fresh=st.booleans())
    def send_an_action(self, data, handler, fresh):
        self.request(handler, self.body(data, handler, fresh))

    @rule(handler=st.sampled_from(sorted(LEARNER_HANDLERS)), raw=HOSTILE_BODIES | st.binary(
        max_size=64))
    def send_a_hostile_body(self, handler, raw):
        status, _ = self.request(handler, raw)
        assert 400 <= status < 500 or raw.startswith(b'{"version": 0, "node": ""')

    @rule(handler=st.sampled_from(sorted(LEARNER_HANDLERS)), method=METHODS)
    def send_another_method(self, handler, method):
        status, _ = self.request(handler, b'{"version": 0, "node": ""}', method)
        assert status == 405

    @precondition(lambda self: OTHER_HANDLERS)
    @rule(handler=st.sampled_from(OTHER_HANDLERS or ["none"]), raw=HOSTILE_BODIES)
    def knock_on_a_staff_handler(self, handler, raw):
        status, _ = self.request(handler, raw)
        assert status == 403

    @rule(data=st.data())
    def play_on(self, data):
        """A well-behaved step, so that sequences get deep into the scenario."""
        state = State.from_dict(self.learner.load().progress or {})
        if not state.place:
            self.request("begin", json.dumps({"version": state.version, "node": ""}).encode())
            return
        offered = [t for t, _ in tokens.offered(self.scenario, state)]
        if offered:
            pick = data.draw(st.sampled_from(offered), label="choice")
            body = {"version": state.version, "node": state.place, "choice": pick}
            self.request("choose", json.dumps(body).encode())
        else:
            self.request("restart", json.dumps({"version": state.version,
                                                "node": state.place}).encode())

    @rule(name=st.sampled_from(["max_attempts", "allow_back", "allow_restart", "grading",
                                "practice"]), data=st.data())
    def the_author_flips_a_setting(self, name, data):
        values = {"max_attempts": st.integers(0, 4), "grading": st.sampled_from(
            [scoring.BEST_ATTEMPT, scoring.LAST_ATTEMPT])}.get(name, st.booleans())
        block = self.learner.load()
        setattr(block, name, data.draw(values, label=name))
        block.save()
        EXAMPLES["steps"] += 1

    @rule()
    def reload_the_page(self):
        block = self.learner.load()
        page = block.student_view().content
        page.encode("utf-8")  # the LMS sends it as UTF-8: a lone surrogate would be a 500
        state = State.from_dict(block.progress or {})
        assert f'data-version="{state.version}"' in page
        mobile = block.student_view_data()
        json.dumps(mobile).encode("utf-8")
        assert mobile["stage"]["version"] == state.version
        EXAMPLES["steps"] += 1

    # -- what must hold after every step -----------------------------------------------------

    @invariant()
    def the_stored_state_is_valid_and_never_goes_back(self):
        fields = stored(self.learner.store, self.learner.user)
        progress = fields["progress"] or State().to_dict()
        state = State.from_dict(progress)
        kept = {key: value for key, value in progress.items() if key not in ("seen", "at", "step")}
        assert state.to_dict() == kept, "the stored state is malformed"
        assert progress.get("seen", self.hash) == self.hash, "fitted to another scenario text"
        assert engine.repair(self.scenario, state) == (state, False)
        assert bool(state.place) == (state.attempt > 0)
        assert 0.0 <= (fields["score_earned"] or 0.0) <= 1.0
        assert fields["score_possible"] in (None, 1.0)
        for name, value in (("attempt", state.attempt), ("version", state.version),
                            ("completions", fields["completions"])):
            assert value >= self.floor[name], f"{name} went down"
            self.floor[name] = value


HandlerSequences.TestCase.settings = settings(
    max_examples=250, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_sequences_of_requests_keep_state_valid_and_grades_safe = HandlerSequences.TestCase


# -- single requests, many of them: any body to any learner handler ------------------------------

@settings(max_examples=1_500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(handler=st.sampled_from(sorted(LEARNER_HANDLERS)),
       raw=HOSTILE_BODIES | st.binary(max_size=80) | st.dictionaries(
           st.sampled_from(sorted(FIELD_TYPES)) | ANY_TEXT,
           WRONG_TYPE | ANY_TEXT | st.integers(), max_size=4).map(
               lambda body: json.dumps(body).encode()),
       started=st.booleans())
def test_any_single_body_gets_a_json_answer_and_a_refusal_changes_nothing(handler, raw, started):
    learner = Learner(LOOPING)
    if started:
        learner.begin()
    before = stored(learner.store, learner.user)
    status, answer = call(learner.load(), handler, raw)
    EXAMPLES["requests"] += 1
    if status != 200:
        assert stored(learner.store, learner.user) == before
    else:  # only a body naming the right version and place can succeed
        sent = json.loads(raw)
        assert handler == "save_reflection" or sent["version"] == State.from_dict(
            before["progress"] or {}).version


# -- the bugs these tests found, pinned -----------------------------------------------------------

def test_a_deeply_nested_body_is_refused_not_a_server_error():
    learner = Learner(BRANCHING)
    status, answer = call(learner.block, "choose", b"[" * 16_000)
    assert status == 400 and "JSON" in answer["message"]


def test_a_reflection_with_a_lone_surrogate_is_refused_so_the_page_still_renders():
    learner = Learner(DEMO_SCENARIO)
    status, answer = call(learner.block, "save_reflection",
                          b'{"id": "expert", "text": "a\\ud800b"}')
    assert status == 400 and "'text'" in answer["message"]
    assert learner.load().reflections == {}
    learner.block.student_view().content.encode("utf-8")


def test_a_stale_replay_of_every_earlier_page_is_refused():
    learner = Learner(BRANCHING)
    pages = []
    learner.begin()
    pages.append(learner.seen())
    learner.choose("good")
    pages.append(learner.seen())
    learner.choose("best")
    before = stored(learner.store, learner.user)
    for page in pages + [{"version": 0, "node": ""}]:
        for handler, extra in (("choose", {"choice": "best"}), ("back", {}), ("restart", {}),
                               ("begin", {})):
            body = {k: v for k, v in dict(page, **extra).items()
                    if k in LEARNER_HANDLERS[handler]}
            status, answer = call(learner.load(), handler, json.dumps(body).encode())
            assert status == 409 and answer["code"] == "stale", (handler, page, answer)
    assert stored(learner.store, learner.user) == before
