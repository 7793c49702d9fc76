"""Handler answers a native app can use: ``"view": "data"`` gives the stage in the structure of
student_view_data's, refusals included; the web view's HTML answer is untouched by default."""
import json

import pytest
from webob import Request

from cultural_safety_xblock import i18n
from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.scenario import engine, scoring
from tests.support.builders import BRANCHING
from tests.support.paths_through import walk
from tests.support.runtime import Learner
from tests.test_access import SCENARIOS, json_keys_and_strings, secrets, situations

FORBIDDEN_KEYS = {"rating", "points", "target", "score", "max_points"}


def data_post(learner, handler, **body):
    return learner.post(handler, dict(body, view="data"))


def raw_post(learner, handler, body):
    response = getattr(learner.block, handler)(
        Request.blank("/", method="POST", body=json.dumps(body).encode()))
    learner.block.save()
    return response.status_code, response.body


@pytest.mark.parametrize("text", [DEMO_SCENARIO, BRANCHING], ids=["demo", "branching"])
def test_a_play_through_driven_only_by_data_answers_reaches_an_ending_and_is_graded(text):
    learner = Learner(text)
    scenario = learner.block.compiled.scenario
    planned = dict(walk(scenario).path)   # the best choice at each node, by id: what a person picks
    status, answer = data_post(learner, "begin", version=0, node="")
    assert status == 200
    steps = 0
    while answer["status"] != "ending":
        stage = answer["stage"]
        assert stage["status"] == "node" and stage["version"] == answer["version"]
        # the app shows the choices' words and sends back the token of the one picked
        wanted = scenario.node(stage["node_id"]).choice(planned[stage["node_id"]]).text
        picked = [c["choice"] for c in stage["node"]["choices"] if c["text"] == wanted]
        assert len(picked) == 1
        status, answer = data_post(learner, "choose", version=stage["version"],
                                   node=stage["node_id"], choice=picked[0])
        assert status == 200
        steps += 1
    stage = answer["stage"]
    assert stage["status"] == "ending" and stage["ending"]["id"] == stage["node_id"]
    assert stage["debrief_html"] and steps == len(planned)
    block = learner.load()
    expected = scoring.result(scenario, engine.State.from_dict(block.progress).path).fraction
    assert block.get_score().raw_earned == pytest.approx(expected) and expected > 0
    assert [data["completion"] for name, data in learner.events if name == "completion"] == [1.0]
    assert any(name == "grade" for name, _data in learner.events)


def test_a_saved_reflection_comes_back_in_the_data_stage_of_the_ending():
    learner = Learner(DEMO_SCENARIO)
    learner.play(*[choice for _node, choice in walk(learner.block.compiled.scenario).path])
    reflection = learner.block.compiled.scenario.reflections[0].id
    assert learner.post("save_reflection", {"id": reflection, "text": "Slower next time."})[0] == 200
    status, answer = data_post(learner, "choose", **learner.seen(), choice="any")
    assert status == 409 and answer["code"] == "finished"
    saved = {r["id"]: r["answer"] for r in answer["stage"]["reflections"]}
    assert saved[reflection] == "Slower next time."


def test_a_data_answer_is_student_view_datas_stage_for_the_same_learner():
    learner = Learner(DEMO_SCENARIO, max_attempts=2)
    answers = [data_post(learner, "begin", **learner.seen())[1]]
    answers.append(data_post(learner, "choose", **learner.seen(),
                             choice=learner.token("check_place"))[1])
    answers.append(data_post(learner, "back", **learner.seen())[1])
    for answer in answers:
        assert set(answer) == {"stage", "version", "status"}
    assert answers[-1]["stage"] == learner.load().student_view_data()["stage"]
    assert answers[1]["stage"]["consequence"]["choice_text"].startswith("Ask where she is")
    assert answers[-1]["stage"]["node_id"] == "opening" and answers[-1]["stage"]["attempts_left"] == 1


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_data_answer_carries_ratings_points_or_targets_of_unchosen_choices(name):
    learner = Learner(SCENARIOS[name])
    compiled = learner.block.compiled
    scenario = compiled.scenario
    checked = 0
    for state in situations(scenario):
        seen = {"version": state.version, "node": state.place}

        def placed(state=state):
            block = learner.load()
            block.progress, block.seen_content = state.to_dict(), compiled.content_hash
            block.save()
            learner.load()

        # the place seen from a stale page: a refusal carrying the current stage
        placed()
        answers = [(state, data_post(learner, "choose", version=state.version + 99,
                                     node=state.place, choice="x")[1])]
        if not state.place:
            placed()
            started = engine.start(scenario, state, engine.Rules(), state.version).state
            answers.append((started, data_post(learner, "begin", **seen)[1]))
        for offered in engine.offered(scenario, state) if state.place else ():
            placed()
            after = engine.choose(scenario, state, engine.Rules(), state.place, offered.id,
                                  state.version).state
            answers.append((after, data_post(learner, "choose", **seen,
                                             choice=learner.token(offered.id))[1]))
        for shown, answer in answers:
            assert isinstance(answer.get("stage"), dict), answer
            keys, strings = set(), set()
            json_keys_and_strings(answer, keys, strings)
            assert not keys & FORBIDDEN_KEYS, keys
            for kind, secret in secrets(scenario, shown):
                if kind == "consequence":
                    assert secret not in json.dumps(answer), (shown, kind)
                else:
                    assert secret not in strings, (shown, secret)
            checked += 1
    assert checked > 2


def test_an_unknown_view_is_refused_with_a_message_naming_the_two_and_changes_nothing():
    learner = Learner(DEMO_SCENARIO)
    learner.begin()
    before, events = dict(learner.block.progress), len(learner.events)
    for view in ("xml", "HTML", ""):
        status, answer = learner.post("choose", dict(learner.seen(), choice="check_place",
                                                     view=view))
        assert status == 400 and "stage" not in answer
        assert answer["message"] == f"The field 'view' must be \"html\" or \"data\", not \"{view}\"."
    status, answer = learner.post("begin", dict(learner.seen(), view=["data"]))
    assert status == 400 and "'view'" in answer["message"]
    assert dict(learner.load().progress) == before and len(learner.events) == events


def test_an_unknown_view_is_explained_in_the_learners_language():
    learner = Learner(DEMO_SCENARIO)
    learner.block.runtime._services["i18n"] = i18n.CatalogI18nService("fr")  # noqa: SLF001
    status, answer = learner.post("begin", {"version": 0, "node": "", "view": "xml"})
    assert status == 400 and answer["message"].startswith("Le champ « view »")


def test_the_html_answer_is_the_same_byte_for_byte_with_no_view_or_view_html():
    plain, explicit = Learner(DEMO_SCENARIO), Learner(DEMO_SCENARIO)
    steps = [("begin", None), ("choose", "dive_in"), ("back", None), ("choose", "check_place"),
             ("choose", "nowhere"), ("restart", None)]
    for handler, chosen in steps:
        extra = {} if chosen is None else {"choice": plain.token(chosen)}
        first = raw_post(plain, handler, dict(plain.seen(), **extra))
        second = raw_post(explicit, handler, dict(explicit.seen(), **extra, view="html"))
        assert first == second
        answer = json.loads(first[1])
        if first[0] == 200:
            assert list(answer) == ["stage", "version", "status"]
        block = plain.load()
        assert answer["stage"] == block._stage_html(block.learner_state())  # noqa: SLF001
    stale = raw_post(plain, "choose", {"version": 0, "node": "opening", "choice": "1-00000000"})
    assert stale[0] == 409 and json.loads(stale[1])["stage"].startswith('<div class="cs-stage-body"')
