"""Headless Chromium on the workbench: time from navigation to the first choice being clickable.

The time is read in the page (``performance.now()``, whose origin is the navigation's start) on
the first animation frame where the first choice is shown, enabled, and its block's script has
run (the workbench runtime marks a block's element once it has initialised it). Every run is a
new browser context, so nothing is cached between runs; the server is warmed up first.

Ours is timed twice: a learner coming back (the page carries the current choices) and a new
learner (the page shows "Begin", which the timing function clicks as soon as it can, then waits
for the first choice: one more round trip to the server). The peer shows its first node's
choices to a new learner straight away.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import median, p90

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

# Returns performance.now() once the choice is clickable, else false (polled every frame).
CLICKABLE = """(spec) => {
  const ready = (element) => {
    if (!element || element.disabled || element.offsetParent === null) return false;
    const block = element.closest(".xblock-v1");
    return Boolean(block) && block.xblock_children !== undefined;
  };
  if (spec.begin && !window.__benchBegun) {
    const begin = document.querySelector(spec.begin);
    if (ready(begin)) { window.__benchBegun = true; begin.click(); }
  }
  return ready(document.querySelector(spec.choice)) ? performance.now() : false;
}"""

OURS_CHOICE = "button.cs-choice"
OURS_BEGIN = 'button[data-action="begin"]'
PEER_CHOICE = '.choices-list input[type="radio"]'


def _server_class():
    sys.path.insert(0, str(ROOT))
    from tests.support.workbench_server import WorkbenchServer, WorkbenchURL

    class BenchWorkbench(WorkbenchServer):
        """The workbench with the benchmark's scenarios (bench/workbench_bench.py)."""

        def _spawn(self):
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT),
                   "CULTURAL_SAFETY_WORKBENCH_SAMPLES": "0"}
            env.pop("CULTURAL_SAFETY_VAR_DIR", None)
            env.pop("DJANGO_SETTINGS_MODULE", None)
            command = [self.python, "-m", "bench.workbench_bench", "--host", self.host,
                       "--port", str(self.port)]
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=log,
                                                stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL)
            self.url = WorkbenchURL(f"http://{self.host}:{self.port}", self)

    return BenchWorkbench


def time_to_choice(browser, url, choice, begin=None):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url, wait_until="commit")
        handle = page.wait_for_function(CLICKABLE, arg={"choice": choice, "begin": begin},
                                        polling="raf")
        return float(handle.json_value())
    finally:
        context.close()


def runs(browser, url_of, choice, begin=None, count=RUNS):
    time_to_choice(browser, url_of("warmup"), choice, begin)
    return [time_to_choice(browser, url_of(number), choice, begin) for number in range(count)]


def measure(sizes=(10, 30), runs_each=RUNS):
    """{(who, size): [ms, ...]} and the server's log tail if something failed."""
    from playwright.sync_api import sync_playwright

    from bench.workbench_bench import SIZES
    from tests.support import chromium

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-workbench-") as workdir:
        server = _server_class()(workdir)
        with server as base, sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            try:
                for size in sizes:
                    index = SIZES.index(size)
                    ours = f"{base}/scenario/cultural_safety_scenario.{index}/"
                    peer = f"{base}/scenario/branching_xblock.{index}/"
                    begun = "bench_returning"
                    time_to_choice(browser, f"{ours}?student={begun}", OURS_CHOICE, OURS_BEGIN)
                    results[("ours, returning learner", size)] = runs(
                        browser, lambda n, url=ours, begun=begun: f"{url}?student={begun}", OURS_CHOICE,
                        count=runs_each)
                    results[("ours, new learner", size)] = runs(
                        browser, lambda n, url=ours, size=size: f"{url}?student=new{size}_{n}",
                        OURS_CHOICE, OURS_BEGIN, count=runs_each)
                    results[("peer, new learner", size)] = runs(
                        browser, lambda n, url=peer, size=size: f"{url}?student=p{size}_{n}",
                        PEER_CHOICE, count=runs_each)
            finally:
                browser.close()
    return {key: (median(values), p90(values), len(values)) for key, values in results.items()}
