"""Shared fixtures. Helpers behind them live in tests/support/.

workbench_server  (session)  base URL (str) of the workbench served in a subprocess
browser           (session)  Playwright Browser on Debian's /usr/bin/chromium
page              (function) a fresh Page in a fresh context; screenshot saved if the test fails
page_log          (function) console messages and page errors seen by `page`
workbench_django  (session)  Django configured in-process with the workbench settings
django_client     (function) django.test.Client on the workbench URLconf; state reset per test
artifacts_dir     (session)  <repo>/artifacts (gitignored)
test_artifacts    (function) <repo>/artifacts/<test id>/ for this test's files

Nothing heavy happens unless a test asks for it: pure unit tests pay for no Django, server or
browser.
"""
import os
from dataclasses import dataclass, field

import pytest

from tests.support import chromium
from tests.support.paths import ARTIFACTS_DIR, safe_name
from tests.support.workbench_server import WorkbenchServer

_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(_REPORTS, {})[report.when] = report


def _failed(request):
    reports = request.node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


# ---- in-process claims of learner steps (step_claims.py) --------------------------------------


@pytest.fixture(autouse=True)
def _fresh_step_claims():
    """Each test's learners start afresh: a claim held by an earlier test's learner of the same
    name and block would refuse the first step as a duplicate."""
    from cultural_safety_xblock.step_claims import CLAIMS

    CLAIMS.forget()
    yield


# ---- artifacts -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def test_artifacts(artifacts_dir, request):
    path = artifacts_dir / safe_name(request.node.nodeid)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---- the workbench in a subprocess -------------------------------------------------------------


@pytest.fixture(scope="session")
def workbench_server(tmp_path_factory):
    """Base URL, e.g. "http://127.0.0.1:41234" (no trailing slash), of a fresh workbench.

    Fresh working directory, so a fresh var/ (sqlite db, log). The sdk's sample blocks are
    hidden from the index, as in `make run`. Use ``workbench_server.scenario("id")`` for a
    scenario page and ``workbench_server.server.log_text()`` for its log.
    """
    server = WorkbenchServer(tmp_path_factory.mktemp("workbench"))
    with server as url:
        yield url


# ---- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    try:
        launched = chromium.launch(playwright_instance)
    except chromium.ChromiumMissing as error:
        pytest.fail(str(error))
    yield launched
    launched.close()


@dataclass
class PageLog:
    console: list = field(default_factory=list)  # (type, text), e.g. ("error", "...")
    errors: list = field(default_factory=list)  # uncaught exceptions in the page, as text

    def console_errors(self):
        return [text for kind, text in self.console if kind == "error"]


@pytest.fixture
def page_log():
    return PageLog()


@pytest.fixture
def page(browser, page_log, request, artifacts_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    new_page = context.new_page()
    new_page.set_default_timeout(10_000)
    new_page.on("console", lambda message: page_log.console.append((message.type, message.text)))
    new_page.on("pageerror", lambda error: page_log.errors.append(str(error)))
    yield new_page
    if _failed(request):
        failures = artifacts_dir / "failures"
        failures.mkdir(exist_ok=True)
        try:
            new_page.screenshot(path=str(failures / f"{safe_name(request.node.nodeid)}.png"), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"no failure screenshot: {error}")
    context.close()


# ---- the workbench in-process ----------------------------------------------------------------


@pytest.fixture(scope="session")
def workbench_django(tmp_path_factory):
    """Configure Django once for this process with the workbench settings (temp sqlite db)."""
    from tests.support import django_workbench

    django_workbench.setup(tmp_path_factory.mktemp("workbench-inprocess") / "var")
    return django_workbench


@pytest.fixture
def django_client(workbench_django):
    """A django.test.Client on the workbench URLconf; the test's database writes are rolled back.

    Every test starts with the scenarios as loaded and no learner state. Scenario pages:
    ``/scenario/<scenario_id>/?student=<id>``; handlers: see
    tests.support.django_workbench.handler_url / call_json_handler.
    """
    from django.test import Client

    with workbench_django.rolled_back():
        yield Client()


def pytest_report_header(config):
    present = "present" if os.path.exists(chromium.CHROMIUM_PATH) else "missing"
    return [f"chromium: {chromium.CHROMIUM_PATH} ({present})"]
