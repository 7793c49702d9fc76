"""The block served by the xblock-sdk workbench: course units listed, handlers over HTTP."""
import pytest

from cultural_safety_xblock.course_units import units
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.cohort_play import token_on_page
from tests.support.paths_through import walk

pytestmark = pytest.mark.integration


@pytest.fixture
def published(monkeypatch, workbench_django):
    from workbench.runtime import WorkbenchRuntime

    events = []
    monkeypatch.setattr(WorkbenchRuntime, "publish",
                        lambda self, block, name, data: events.append((self.user_id, name, data)))
    return events


def first_scenario(workbench_django):
    """(scenario id, usage id of its block, block's scenario text) of the first course scenario."""
    for scenario_id in sorted(workbench_django.scenarios(), key=lambda s: int(s.rsplit(".", 1)[1])):
        if not scenario_id.startswith("cultural_safety_scenario."):
            continue
        found = workbench_django.usage_ids(scenario_id, "cultural_safety_scenario")
        if found:
            block = workbench_django.get_block(found[0])
            return scenario_id, found[0], block.scenario_xml
    raise AssertionError("no scenario unit in the workbench")


def test_the_index_lists_every_course_unit_in_course_order(django_client):
    page = django_client.get("/").content.decode()
    titles = [f"{unit.number} {unit.title}" for unit in units()]
    positions = [page.find(title.replace("'", "&#x27;")) for title in titles]
    assert titles and -1 not in positions, [t for t, p in zip(titles, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_two_learners_play_over_http_and_each_gets_their_own_grade(django_client, workbench_django,
                                                                  published):
    scenario_id, usage_id, text = first_scenario(workbench_django)
    scenario = compile_text(text).scenario
    for student, prefer in (("alice", "best"), ("bob", "harmful")):
        path = walk(scenario, prefer).path
        call = workbench_django.call_json_handler
        status, answer = call(django_client, usage_id, "begin", {"version": 0, "node": ""},
                              student=student)
        assert status == 200, answer
        version = answer["version"]
        for node_id, choice_id in path:
            token = token_on_page(answer["stage"], scenario.node(node_id).choice(choice_id))
            status, answer = call(django_client, usage_id, "choose",
                                  {"version": version, "node": node_id, "choice": token},
                                  student=student)
            assert status == 200, answer
            version = answer["version"]
        assert answer["status"] == "ending"
    grades = {user: data for user, name, data in published if name == "grade"}
    assert grades["alice"] == {"value": 1.0, "max_value": 1.0}
    assert grades["bob"]["value"] < 0.5
    page = django_client.get(f"/scenario/{scenario_id}/?student=alice").content.decode()
    assert "cs-debrief" in page
    fresh = django_client.get(f"/scenario/{scenario_id}/?student=carol").content.decode()
    assert 'data-status="intro"' in fresh


def test_a_learners_page_carries_no_answers_and_names_its_language(django_client, workbench_django):
    scenario_id, _usage_id, text = first_scenario(workbench_django)
    page = django_client.get(f"/scenario/{scenario_id}/?student=alice").content.decode()
    assert " rating=" not in page and " points=" not in page and "&lt;choice" not in page
    assert '<html lang="en' in page and "<title>" in page
