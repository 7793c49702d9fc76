"""Two tabs, two requests at once, many learners at once: what the block guarantees.

How the LMS stores a learner's fields (tests/support/platform_store.py names the platform's
files): each request builds a fresh block and reads the learner's fields and the block's
user_state_summary rows when it starts; it writes what it changed when it saves. There is no
lock: a learner's row is read, merged and written back (the last writer wins), and a summary
field's first write is an INSERT that fails if another request inserted it first.

What the block guarantees:

- A stale page never counts: an action that names a version the stored state has passed is
  refused (409 "stale") with the current stage.
- A step's events, completion and grade go out only once its learner state is saved; if the
  save fails, nothing is published or counted and the learner is answered 409 "not-saved".
- Two requests that read the same state before either saved (a double click, two tabs, a
  script) and reach one process: the second is refused (409 "duplicate") before it changes
  anything, so one step is stored and published once. Across processes this cannot be told
  (step_claims.py): both are stored, the last wins, and their events carry the same ``version``.
- The cohort counters are written last and never fail a step: a failed write (the INSERT race)
  is retried where it can be, else dropped and logged. The figures can fall short, never over;
  the instructor report, built from each learner's own state, has the exact ones.
"""
import json
import logging
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from webob import Request as WebRequest

from cultural_safety_xblock import cohort
from cultural_safety_xblock.block import EVENT_PREFIX, CulturalSafetyScenarioBlock
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.engine import State
from cultural_safety_xblock.step_claims import CLAIMS, StepClaims
from tests.support.builders import BRANCHING
from tests.support.platform_store import Database, Player, Request, run_at_once
from tests.support.runtime import Learner

TRACKED = ("started", "chose", "ended", "went_back", "restarted")


def loaded(learner):
    """A request's block with every field read, as the LMS reads the row when a request starts."""
    block = learner.load()
    for name in block.fields:
        getattr(block, name)
    return block


BUTTON = re.compile(r'data-choice="([^"]*)">([^<]*)<')


def sent_for(block, choice_id):
    """What the page's button for the choice ``choice_id`` sends (builders' choices read
    "Option <id>"); the id itself when no such button is shown, to send a choice not offered."""
    stage = block._stage_html(block.learner_state())
    return next((sent for sent, text in BUTTON.findall(stage) if text == f"Option {choice_id}"),
                choice_id)


def act(block, handler, **body):
    """The handler's (status, answer) on an already loaded block, a choice named by its id sent
    as its button would; the block's changes are then saved."""
    if "choice" in body:
        body["choice"] = sent_for(block, body["choice"])
    response = getattr(block, handler)(WebRequest.blank("/", method="POST",
                                                        body=json.dumps(body).encode()))
    block.save()
    return response.status_code, json.loads(response.body)


def stored_state(learner):
    return State.from_dict(learner.load().progress)


def at(learner, *choices):
    learner.play(*choices)
    return learner.seen()


# -- one learner, two tabs, one process ------------------------------------------------------------

def test_two_tabs_sending_the_same_choice_at_once_store_and_publish_it_once():
    learner = Learner(BRANCHING)
    seen = at(learner)
    first, second = loaded(learner), loaded(learner)
    assert act(first, "choose", choice="good", **seen)[0] == 200
    status, answer = act(second, "choose", choice="good", **seen)  # it loaded the old state
    assert status == 409 and answer["code"] == "duplicate" and "stage" not in answer
    state = stored_state(learner)
    assert state.path == (("a", "good"),) and state.version == seen["version"] + 1
    assert learner.load().cohort_totals().chosen("a", "good") == 1
    chose = learner.named(EVENT_PREFIX + "chose")
    assert len(chose) == 1 and chose[0]["version"] == state.version


def test_two_tabs_sending_different_choices_at_once_keep_the_first_and_refuse_the_second():
    learner = Learner(BRANCHING)
    seen = at(learner)
    first, second = loaded(learner), loaded(learner)
    act(first, "choose", choice="good", **seen)
    assert act(second, "choose", choice="bad", **seen)[0] == 409
    state = stored_state(learner)
    assert state.path == (("a", "good"),) and state.version == seen["version"] + 1
    assert [e["choice"] for e in learner.named(EVENT_PREFIX + "chose")] == ["good"]


def test_a_tab_that_loads_after_the_other_saved_is_refused_as_stale():
    learner = Learner(BRANCHING)
    seen = at(learner)
    assert act(loaded(learner), "choose", choice="good", **seen)[0] == 200
    status, answer = act(loaded(learner), "choose", choice="bad", **seen)
    assert status == 409 and answer["code"] == "stale" and 'data-node="b"' in answer["stage"]
    assert stored_state(learner).path == (("a", "good"),)


def test_racing_the_last_decision_completes_grades_and_counts_the_attempt_once():
    learner = Learner(BRANCHING)
    seen = at(learner, "good")
    first, second = loaded(learner), loaded(learner)
    assert act(first, "choose", choice="best", **seen)[0] == 200    # 4 of 4 points
    assert act(second, "choose", choice="harm", **seen)[0] == 409   # 2 of 4: refused
    block = learner.load()
    assert block.completions == 1 and stored_state(learner).attempt == 1
    assert [g["value"] for g in learner.named("grade")] == [1.0]
    assert block.get_score().raw_earned == 1.0                     # what the gradebook has
    assert [c["completion"] for c in learner.named("completion")] == [1.0]
    assert block.cohort_totals().ending("safe") == 1 and block.cohort_totals().ending("unsafe") == 0


def test_a_restart_racing_a_choice_is_refused_and_uses_no_attempt():
    learner = Learner(BRANCHING, max_attempts=2)
    seen = at(learner, "good")
    first, second = loaded(learner), loaded(learner)
    assert act(first, "restart", **seen)[0] == 200
    assert act(second, "choose", choice="best", **seen)[0] == 409
    state = stored_state(learner)
    assert state.attempt == 2 and state.path == ()
    assert learner.load().completions == 0 and learner.named("grade") == []


def test_a_duplicate_seen_by_another_process_is_stored_last_writer_wins_and_events_share_a_version():
    """What one process cannot tell: the claim lives in the process that took it."""
    learner = Learner(BRANCHING)
    seen = at(learner)
    first, second = loaded(learner), loaded(learner)
    assert act(first, "choose", choice="good", **seen)[0] == 200
    CLAIMS.forget()                                    # the second request is another process's
    assert act(second, "choose", choice="bad", **seen)[0] == 200
    state = stored_state(learner)
    assert state.path == (("a", "bad"),) and state.version == seen["version"] + 1
    chose = learner.named(EVENT_PREFIX + "chose")
    assert [e["version"] for e in chose] == [state.version] * 2   # analytics keep one per version


def test_a_claim_is_held_for_a_while_then_freed():
    now = [0.0]
    claims = StepClaims(hold=10, limit=3, clock=lambda: now[0])
    assert claims.claim("a") and not claims.claim("a")
    now[0] = 10.5
    assert claims.claim("a")
    for key in "bcd":
        assert claims.claim(key)
    assert not claims.claim("d") and len(claims._claims) == 3
    assert claims.claim("a")                   # the oldest was forgotten first, beyond the limit
    claims.release("a")
    assert claims.claim("a")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["good", "bad", "ok", "best", "fine", "harm",
                                           "repair", "back", "restart"]),
                          st.booleans()), min_size=1, max_size=12))
def test_any_two_tab_race_stores_and_publishes_each_step_once(moves):
    """Each move is raced from two tabs (or sent once): at most one is accepted, the stored
    state stays valid, and the tracking log holds exactly one event a stored step."""
    CLAIMS.forget()
    learner = Learner(BRANCHING)
    learner.begin()
    scenario = learner.block.compiled.scenario
    for choice, raced in moves:
        seen = learner.seen()
        handler, body = (("restart", {}) if choice == "restart" else ("back", {})
                         if choice == "back" else ("choose", {"choice": choice}))
        tabs = [loaded(learner), loaded(learner)] if raced else [loaded(learner)]
        results = [act(tab, handler, **dict(seen, **body)) for tab in tabs]
        accepted = sum(status == 200 for status, _ in results)
        assert accepted <= 1 and all(status < 500 for status, _ in results)
        state = stored_state(learner)
        assert engine.repair(scenario, state) == (state, False)
        assert state.version == seen["version"] + accepted
    published = [data["version"] for name, data in learner.events
                 if name[len(EVENT_PREFIX):] in ("started", "chose", "went_back", "restarted")]
    assert sorted(published) == list(range(1, stored_state(learner).version + 1))
    assert len(learner.named("grade")) <= learner.load().completions


# -- the platform's storage, real threads ------------------------------------------------------------

def cohort_database(latency=0.01, seed=1, **settings):
    database = Database(latency=latency, seed=seed)
    database.author(CulturalSafetyScenarioBlock, scenario_xml=BRANCHING, **settings)
    return database


def staff_block(database):
    return Request(database, CulturalSafetyScenarioBlock, user="staff", staff=True).block


def learners_play_at_once(database, count, attempts=2):
    players = [Player(database, CulturalSafetyScenarioBlock, user=str(number), seed=number)
               for number in range(1, count + 1)]

    def play(player):
        return [status for _ in range(attempts) for status in player.play_attempt()]

    return players, run_at_once([lambda p=player: play(p) for player in players])


def truth_from_learners(database, players):
    """The exact figures, from each learner's own stored state and what was published."""
    chose, ended = Counter(), Counter()
    for _user, name, data in database.events:
        if name == EVENT_PREFIX + "chose":
            chose[(data["node"], data["choice"])] += 1
        elif name == EVENT_PREFIX + "ended":
            ended[data["ending"]] += 1
    states = [database.learner_state(player.user) for player in players]
    return {"started": sum(State.from_dict(s.get("progress") or {}).attempt > 0 for s in states),
            "completed": sum((s.get("completions") or 0) > 0 for s in states),
            "choices": chose, "endings": ended}


def assert_each_event_is_of_a_stored_step(database, players):
    for player in players:
        stored = database.learner_state(player.user)
        state = State.from_dict(stored["progress"])
        versions = [data["version"] for user, name, data in database.events
                    if user == player.user and name[len(EVENT_PREFIX):] in TRACKED
                    and name != EVENT_PREFIX + "ended"]
        assert versions == list(range(1, state.version + 1)), player.user
        grades = [data for user, name, data in database.events
                  if user == player.user and name == "grade"]
        assert len(grades) <= stored["completions"]
        if grades:
            assert grades[-1]["value"] == stored["score_earned"]


@pytest.mark.parametrize("count", [20, 60])
def test_many_learners_at_once_never_see_a_500_and_every_event_is_of_a_stored_step(count, caplog):
    database = cohort_database()
    with caplog.at_level(logging.WARNING, logger="cultural_safety_xblock.reports"):
        players, statuses = learners_play_at_once(database, count)
    assert Counter(status for run in statuses for status in run) == Counter(
        {200: sum(len(run) for run in statuses)})
    assert_each_event_is_of_a_stored_step(database, players)
    truth = truth_from_learners(database, players)
    assert truth["started"] == truth["completed"] == count     # every learner finished, twice
    counted = staff_block(database).cohort_totals()
    # as promised: never over, short only by counts dropped or overwritten (and logged when dropped)
    assert counted.started <= truth["started"] and counted.completed <= truth["completed"]
    for key, number in truth["choices"].items():
        assert counted.chosen(*key) <= number
    assert sum(n for _key, n in counted.choices) <= sum(truth["choices"].values())
    for key, number in truth["endings"].items():
        assert counted.ending(key) <= number
    assert sum(counted.grades) <= count
    dropped = [r for r in caplog.records if "not all stored" in r.getMessage()]
    assert all(r.levelno == logging.WARNING for r in dropped)


def test_the_instructor_report_has_the_exact_figures_the_counters_may_miss():
    database = cohort_database()
    players, _statuses = learners_play_at_once(database, 20)
    block = staff_block(database)
    states = [type("UserState", (), {"username": p.user, "state": database.learner_state(p.user)})
              for p in players]
    rows = dict(block.generate_report_data(iter(states)))
    assert len(rows) == 20 and all(row["Status"] == "completed" for row in rows.values())
    truth = truth_from_learners(database, players)
    ended = Counter(row["Ending"] for row in rows.values())
    last = Counter()
    for user in rows:   # each learner's latest ending, from the log: the report's "Ending"
        last[[d["ending"] for u, n, d in database.events
              if u == user and n == EVENT_PREFIX + "ended"][-1]] += 1
    assert ended == last and sum(truth["endings"].values()) == 40


def test_the_same_choice_sent_twice_at_the_same_instant_is_stored_and_published_once():
    database = cohort_database(latency=0.005)
    twins = []
    for trial in range(30):
        user = f"twin{trial}"
        player = Player(database, CulturalSafetyScenarioBlock, user=user)
        assert player.act("begin")[0] == 200
        if trial % 2:
            assert player.act("choose", choice=player.button("Option good"))[0] == 200
        choice = player.offered()[0]
        twin = Player(database, CulturalSafetyScenarioBlock, user=user)
        twin.version, twin.node = player.version, player.node
        twins.append(run_at_once([lambda p=p, c=choice: p.act("choose", choice=c)
                                  for p in (player, twin)]))
    statuses = Counter(status for pair in twins for status, _answer in pair)
    assert statuses == Counter({200: 30, 409: 30})
    for trial in range(30):
        user = f"twin{trial}"
        assert len(database.named(EVENT_PREFIX + "chose", user)) == 1 + trial % 2
        state = State.from_dict(database.learner_state(user)["progress"])
        assert len(state.path) == 1 + trial % 2
        assert len(database.named("grade", user)) == trial % 2   # an ending: graded once


def test_first_counter_writes_racing_each_other_answer_200_and_the_missed_count_comes_later(caplog):
    """Both requests read the block before any counter row existed; the second's INSERT fails."""
    database = cohort_database(latency=0)
    users = [u for u in map(str, range(1, 100)) if cohort.shard_of(u) == cohort.shard_of("1")][:2]
    first, second = (Request(database, CulturalSafetyScenarioBlock, user=user) for user in users)
    with caplog.at_level(logging.WARNING, logger="cultural_safety_xblock.reports"):
        assert first.handle("begin", {"version": 0, "node": ""})[0] == 200
        assert second.handle("begin", {"version": 0, "node": ""})[0] == 200
    assert all(State.from_dict(database.learner_state(u)["progress"]).version == 1 for u in users)
    assert len(database.named(EVENT_PREFIX + "started")) == 2
    assert staff_block(database).cohort_totals().started == 1         # one count missed ...
    assert any("counted with the learner's next step" in r.getMessage()   # ... logged, and
               for r in caplog.records)
    assert database.learner_state(users[1])["report_marks"]["unsent"] == [["started", {}]]
    player = Player(database, CulturalSafetyScenarioBlock, user=users[1])   # kept for later
    player.version, player.node = 1, "a"
    player.act("choose", choice=player_button(player, "Option good"))
    assert staff_block(database).cohort_totals().started == 1         # not yet: marks unread
    player.act("choose", choice=player_button(player, "Option best"))   # the ending reads them
    totals = staff_block(database).cohort_totals()
    assert (totals.started, totals.completed, totals.ending("safe")) == (2, 1, 1)
    assert totals.chosen("a", "good") == totals.chosen("b", "best") == 1   # nothing twice
    assert "unsent" not in database.learner_state(users[1])["report_marks"]


def player_button(player, text):
    """The button showing ``text`` on the stage the player's learner is at now."""
    block = Request(player.database, CulturalSafetyScenarioBlock, user=player.user).block
    return sent_for(block, text.split(" ", 1)[1])


def test_a_learner_state_that_cannot_be_saved_publishes_nothing_and_answers_409():
    database = cohort_database(latency=0)
    player = Player(database, CulturalSafetyScenarioBlock, user="7")
    player.act("begin")
    player.act("choose", choice=player.button("Option good"))
    events_before = list(database.events)
    database.fail_learner_save.add("7")
    best = player.button("Option best")
    status, answer = player.act("choose", choice=best)                # would end the attempt
    assert status == 409 and answer["code"] == "not-saved" and "stage" not in answer
    assert database.events == events_before                           # no ended, grade, completion
    assert staff_block(database).cohort_totals().ending("safe") == 0
    database.fail_learner_save.clear()
    assert player.act("choose", choice=best)[0] == 200                # trying again works
    assert [d["ending"] for d in database.named(EVENT_PREFIX + "ended")] == ["safe"]
    assert len(database.named("grade")) == 1


# -- many learners at once, in turn: how far off the counters can be ---------------------------------

USERS = [f"learner{number}" for number in range(12)]


def totals_from_learners(learners):
    """The exact figures, recounted from each learner's own state and events."""
    events = [(name, data) for learner in learners for name, data in learner.events]
    states = [State.from_dict(learner.load().progress or {}) for learner in learners]
    chose, ended = {}, {}
    for name, data in events:
        if name == EVENT_PREFIX + "chose":
            key = (data["node"], data["choice"])
            chose[key] = chose.get(key, 0) + 1
        elif name == EVENT_PREFIX + "ended":
            ended[data["ending"]] = ended.get(data["ending"], 0) + 1
    return {"started": sum(state.attempt > 0 for state in states),
            "attempts": sum(state.attempt for state in states),
            "completed": sum(learner.load().completions > 0 for learner in learners),
            "choices": chose, "endings": ended}


def next_move(learner, pick):
    scenario = learner.block.compiled.scenario
    state = State.from_dict(learner.load().progress or {})
    if not state.place:
        return "begin", {}
    if engine.finished(scenario, state):
        return "restart", {}
    offered = engine.offered(scenario, state)
    return "choose", {"choice": offered[pick % len(offered)].id}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(st.sampled_from(USERS), st.integers(0, 3)), min_size=1,
                         max_size=6, unique_by=lambda move: move[0]), min_size=1, max_size=10))
def test_concurrent_learners_lose_at_most_one_count_per_overlapping_write_and_never_add(rounds):
    """Each round: several learners' requests all load, then all save in turn."""
    CLAIMS.forget()
    learners = {user: Learner(BRANCHING, user=user) for user in USERS[:1]}
    store = learners[USERS[0]].store
    for user in USERS[1:]:
        learners[user] = Learner(store=store, user=user)
    lost = 0
    for moves in rounds:
        requests = []
        for user, pick in moves:
            learner = learners[user]
            handler, body = next_move(learner, pick)
            requests.append((learner, handler, dict(learner.seen(), **body)))
        blocks = [loaded(learner) for learner, _, _ in requests]   # all read before any write
        writers = {}
        for block, (learner, handler, body) in zip(blocks, requests, strict=True):
            assert act(block, handler, **body)[0] == 200
            shard = cohort.shard_of(learner.user)
            writers[shard] = writers.get(shard, 0) + 1
        lost += sum(count - 1 for count in writers.values())
    event("overlapping writes" if lost else "no overlapping write")
    truth = totals_from_learners(list(learners.values()))
    counted = learners[USERS[0]].load().cohort_totals()
    for name in ("started", "attempts", "completed"):
        assert 0 <= truth[name] - getattr(counted, name) <= lost, name
    for table, counted_table in (("choices", dict(counted.choices)),
                                 ("endings", dict(counted.endings))):
        short = {key: truth[table].get(key, 0) - counted_table.get(key, 0)
                 for key in set(truth[table]) | set(counted_table)}
        assert min(short.values(), default=0) >= 0, (table, short)   # never counted too often
        assert sum(short.values()) <= lost, (table, short)
    assert sum(counted.grades) <= truth["completed"]
    if lost == 0:  # no overlapping writes: the aggregates are exact
        assert (counted.started, counted.attempts, counted.completed) == (
            truth["started"], truth["attempts"], truth["completed"])
        assert dict(counted.choices) == truth["choices"] and dict(counted.endings) == truth["endings"]


def test_the_users_above_share_shards_so_overlaps_happen():
    shards = [cohort.shard_of(user) for user in USERS]
    assert len(set(shards)) < len(shards)


# -- the workbench's real HTTP server ------------------------------------------------------------------

class HttpLearner:
    """A learner posting to the workbench's handler URLs with its CSRF cookie and header, as
    the learner view's script does."""

    def __init__(self, base, usage, student, token):
        self.base, self.usage, self.student, self.token = base, usage, student, token
        self.version, self.node, self.stage = 0, "", ""

    def post(self, handler, **extra):
        import urllib.error
        import urllib.request

        body = json.dumps({"version": self.version, "node": self.node, **extra}).encode()
        request = urllib.request.Request(
            f"{self.base}/handler/{self.usage}/{handler}/?student={self.student}", data=body,
            method="POST", headers={"Content-Type": "application/json", "X-CSRFToken": self.token,
                                    "Cookie": f"csrftoken={self.token}", "Referer": self.base + "/"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, answer = response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            status = error.code
            answer = json.loads(text) if text.startswith("{") else " ".join(
                re.findall(r"<title>(.*?)</title>", text, re.S)).strip()[:300]
        if status == 200:
            self.version, self.stage = answer["version"], answer["stage"]
            found = re.search(r'data-node="([^"]*)"', self.stage)
            self.node = found.group(1) if found else ""
        return status, answer

    def first_choice(self):
        return re.findall(r'data-choice="([^"]*)"', self.stage)[0]


def a_scenario_on_the_workbench(base):
    """(usage id, CSRF token) of the first scenario block the workbench serves."""
    import urllib.request

    index = urllib.request.urlopen(base + "/").read().decode("utf-8")
    for scenario in re.findall(r'/scenario/([^/"]+)/', index):
        with urllib.request.urlopen(f"{base}/scenario/{scenario}/?student=conc-http") as response:
            page = response.read().decode("utf-8")
            cookies = " ".join(response.headers.get_all("Set-Cookie") or [])
        for tag in re.findall(r"<[^>]*data-block-type='cultural_safety_scenario'[^>]*>", page):
            usage = re.search(r"data-usage='([^']+)'", tag)
            if usage:
                return usage.group(1), re.search(r"csrftoken=([^;]+)", cookies).group(1)
    raise AssertionError("no scenario block on the workbench")


@pytest.mark.integration
def test_over_http_two_tabs_sending_one_choice_at_once_are_answered_200_and_409(workbench_server):
    """The workbench's server runs in one process: the duplicate is told, and refused."""
    usage, token = a_scenario_on_the_workbench(workbench_server)
    for trial in range(5):
        first = HttpLearner(workbench_server, usage, f"conc-http-{trial}", token)
        assert first.post("begin")[0] == 200
        twin = HttpLearner(workbench_server, usage, first.student, token)
        twin.version, twin.node, twin.stage = first.version, first.node, first.stage
        choice = first.first_choice()
        answers = run_at_once([lambda tab=tab, sent=choice: tab.post("choose", choice=sent)
                               for tab in (first, twin)])
        assert sorted(status for status, _answer in answers) == [200, 409], answers
        refused = next(answer for status, answer in answers if status == 409)
        # the twin read the state before the first saved (a duplicate), or after (stale)
        assert refused["code"] in ("duplicate", "stale")
        assert ("stage" in refused) == (refused["code"] == "stale")
