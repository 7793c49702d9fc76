"""The test infrastructure itself works: workbench (subprocess and in-process), chromium, axe-core.

These use the xblock-sdk's own sample blocks (the "thumbs" voting block), so they hold whatever
state our own block is in.
"""
import re
import subprocess
import urllib.request

import pytest

from tests.support import axe_version, axe_violations, format_violations
from tests.support.chromium import CHROMIUM_PATH
from tests.support.workbench_server import WorkbenchServer

THUMBS = "thumbs.0"  # sample_xblocks' "three thumbs at once": <vertical_demo> of three <thumbs/>


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def workbench_with_samples(tmp_path_factory):
    with WorkbenchServer(tmp_path_factory.mktemp("workbench-samples"), samples=True) as url:
        yield url


def test_workbench_index_lists_scenarios(workbench_with_samples):
    status, html = fetch(workbench_with_samples + "/")
    assert status == 200
    listed = set(re.findall(r'href="/scenario/([^/"]+)/"', html))
    assert THUMBS in listed, listed
    # its state went to the server's own working directory, not the repository
    assert (workbench_with_samples.server.var_dir / "workbench.db").is_file()


def test_workbench_server_hides_samples_but_serves_them(workbench_server):
    status, index = fetch(workbench_server + "/")
    assert status == 200
    assert f"/scenario/{THUMBS}/" not in index
    status, html = fetch(workbench_server.scenario(THUMBS))
    assert status == 200
    assert html.count("data-block-type='thumbs'") == 3


@pytest.mark.browser
def test_chromium_drives_a_block_through_its_handler(page, page_log, workbench_server, test_artifacts):
    page.goto(workbench_server.scenario(THUMBS, student="infra_learner"))
    first = page.locator(".upvote").first
    first.click()
    # the JS runtime POSTed to /handler/.../vote/ and the block answered with the new count
    page.wait_for_function("() => document.querySelector('.upvote .count').textContent === '1'")
    page.screenshot(path=str(test_artifacts / "thumbs.png"))
    assert page_log.errors == []

    version = page.context.browser.version
    installed = subprocess.run([CHROMIUM_PATH, "--version"], capture_output=True, text=True).stdout
    assert version.split(".")[0] in installed, (version, installed)


@pytest.mark.browser
def test_axe_core_runs_and_finds_a_known_violation(page):
    page.set_content(
        "<!doctype html><html lang='en'><head><title>axe check</title></head>"
        "<body><main><h1>Check</h1><img src='data:,'><button></button></main></body></html>"
    )
    assert re.fullmatch(r"4\.\d+\.\d+", axe_version(page))
    violations = axe_violations(page)
    assert isinstance(violations, list)
    ids = {violation["id"] for violation in violations}
    assert {"image-alt", "button-name"} <= ids, format_violations(violations)

    page.set_content(
        "<!doctype html><html lang='en'><head><title>ok</title></head>"
        "<body><main><h1>Fine</h1><img src='data:,' alt='a dot'><button>Go</button></main></body></html>"
    )
    assert axe_violations(page) == []


@pytest.mark.integration
def test_django_client_calls_a_handler_in_process(django_client, workbench_django):
    response = django_client.get(f"/scenario/{THUMBS}/")
    assert response.status_code == 200

    thumbs = workbench_django.usage_ids(THUMBS, block_type="thumbs")
    assert len(thumbs) == 3
    url = workbench_django.handler_url(thumbs[0], "vote", student="alice")
    assert url == f"/handler/{thumbs[0]}/vote/?student=alice"

    status, body = workbench_django.call_json_handler(django_client, thumbs[0], "vote", {"voteType": "up"})
    assert (status, body) == (200, {"up": 1, "down": 0})
    status, body = workbench_django.call_json_handler(
        django_client, thumbs[0], "vote", {"voteType": "down"}, student="bob"
    )
    assert body == {"up": 1, "down": 1}
    assert workbench_django.get_block(thumbs[0], student="bob").voted is True
    assert workbench_django.get_block(thumbs[0], student="carol").voted is False


@pytest.mark.integration
def test_django_client_starts_from_clean_state(django_client, workbench_django):
    thumbs = workbench_django.usage_ids(THUMBS, block_type="thumbs")
    status, body = workbench_django.call_json_handler(django_client, thumbs[0], "vote", {"voteType": "up"})
    assert (status, body) == (200, {"up": 1, "down": 0})
