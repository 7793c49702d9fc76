"""Staff rights are checked on the server: a learner calling a staff handler gets 403 and never
sees another learner's data, whatever URL, method or page they try."""
import json

import pytest
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from tests.support import cohort_play

STAFF_HANDLERS = ("staff_results", "staff_results_csv")
OTHERS = ("alice", "bob", cohort_play.ALICE_REFLECTION, "a:bad", "harmful")


@pytest.fixture
def played(django_client, workbench_django):
    usage_id = cohort_play.play_through_workbench(django_client, workbench_django)
    yield django_client, usage_id
    cohort_play.remove_scenario()


def _refused_without_data(response):
    assert response.status_code == 403
    body = response.content.decode("utf-8")
    assert json.loads(body)["code"] == "staff-only"
    for secret in OTHERS:
        assert secret not in body


@pytest.mark.integration
@pytest.mark.parametrize("handler", STAFF_HANDLERS)
@pytest.mark.parametrize("learner", ["carol", "xstaff", "Staff", "none"])
def test_a_learner_calling_a_staff_handler_gets_403_and_no_data(played, workbench_django,
                                                                handler, learner):
    client, usage_id = played
    url = workbench_django.handler_url(usage_id, handler, student=learner)
    _refused_without_data(client.get(url))
    _refused_without_data(client.post(url, data="{}", content_type="application/json"))


@pytest.mark.integration
@pytest.mark.parametrize("handler", STAFF_HANDLERS)
def test_an_anonymous_caller_of_a_staff_handler_gets_403(played, workbench_django, handler):
    client, usage_id = played
    _refused_without_data(client.get(workbench_django.handler_url(usage_id, handler,
                                                                  thirdparty=True)))


@pytest.mark.integration
def test_staff_get_the_figures_a_learner_is_refused(played, workbench_django):
    client, usage_id = played
    allowed = client.get(workbench_django.handler_url(usage_id, "staff_results", student="staff"))
    assert allowed.status_code == 200 and json.loads(allowed.content)["learners"]["started"] == 4


@pytest.mark.integration
def test_a_learners_page_has_no_dashboard_and_no_one_elses_data(played):
    client, _usage_id = played
    page = client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/?student=carol").content.decode()
    assert "cs-staff" not in page and "data-figure" not in page
    assert cohort_play.ALICE_REFLECTION not in page and "staff_results" not in page
    staff_page = client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/?student=staff").content
    assert b"cs-staff" in staff_page and b"staff_results_csv" in staff_page


@pytest.mark.integration
def test_a_learner_opening_the_staff_view_sees_only_a_notice(played):
    client, _usage_id = played
    page = client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/staff_view/?student=carol")
    text = page.content.decode("utf-8")
    assert "Only course staff can see the cohort" in text
    assert "data-figure" not in text and "<svg" not in text and "a:bad" not in text


@pytest.mark.integration
def test_a_learners_own_answers_carry_no_cohort_figures(played, workbench_django):
    client, usage_id = played
    status, body = workbench_django.call_json_handler(
        client, usage_id, "begin", {"version": 0, "node": ""}, student="frank")
    assert status == 200 and "cs-staff" not in body["stage"] and "data-figure" not in body["stage"]


# -- the LMS's way of saying who is staff ------------------------------------------------------------

class LmsUsers(UserService):
    def __init__(self, is_staff):
        user = XBlockUser(is_current_user=True)
        user.opt_attrs["edx-platform.user_is_staff"] = is_staff
        super().__init__(user=user)

    def get_current_user(self):
        return self._user


def _lms_block(is_staff):
    runtime = TestRuntime(services={"field-data": KvsFieldData(DictKeyValueStore()),
                                    "user": LmsUsers(is_staff)})
    runtime.handler_url = lambda block, name, *args, **kwargs: f"/handler/{name}"
    ids = ScopeIds("42", "cultural_safety_scenario", "definition-1", "usage-1")
    return runtime.construct_xblock_from_class(CulturalSafetyScenarioBlock, ids)


def _get(block, handler):
    from webob import Request

    return getattr(block, handler)(Request.blank("/", method="GET"))


@pytest.mark.parametrize("handler", STAFF_HANDLERS)
def test_in_the_lms_only_a_user_marked_staff_gets_the_figures(handler):
    assert _get(_lms_block(True), handler).status_code == 200
    assert _get(_lms_block(False), handler).status_code == 403
    learner_page = _lms_block(False).student_view().content
    assert "cs-staff" not in learner_page
    assert "cs-staff" in _lms_block(True).student_view().content


# -- the dashboard in a real browser -----------------------------------------------------------------

def _first_scenario_with_dashboard(base):
    import re
    import urllib.request

    with urllib.request.urlopen(base + "/", timeout=30) as response:
        index = response.read().decode("utf-8")
    for scenario_id in re.findall(r'href="/scenario/(cultural_safety_scenario\.\d+)/"', index):
        url = f"{base}/scenario/{scenario_id}/?student=staff_axe"
        with urllib.request.urlopen(url, timeout=30) as response:
            if b'class="cs-staff"' in response.read():
                return url
    raise AssertionError("no scenario page shows the staff dashboard")


@pytest.mark.browser
def test_the_opened_dashboard_has_no_accessibility_violations(page, page_log, workbench_server):
    from tests.support import axe_violations, format_violations

    page.goto(_first_scenario_with_dashboard(workbench_server))
    page.locator("details.cs-staff > summary").click()
    assert page.locator("details.cs-staff svg[role=img]").is_visible()
    violations = axe_violations(page, context=".cs-staff", disable_rules=("region",))
    assert violations == [], format_violations(violations)
    assert page_log.errors == []
