"""The visual editor in headless Chromium on the workbench (issue 14), at 30, 200 and 500 places.

    python bench/editor_browser.py

- open: from the navigation's start (``performance.now()``'s origin) to the first frame where
  the list of places is drawn (the editor's first answer taken), in a new browser context;
- check after a keystroke: one character typed in the title of a node in the middle (a real key
  press, timed from its keydown event in the page), until the list shows the new title with the
  check's problems and summary in place:
  the request, the server's move and check, and drawing the answer. The map follows when typing
  pauses, as in the editor, and is not in this figure.

Targets at 500 places: open under 1 s, check after a keystroke under 100 ms. Medians of 7 runs
each; the machine is shared, so the load average is printed beside them.
"""
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.authoring import indented  # noqa: E402
from tests.support import chromium  # noqa: E402
from tests.support.workbench_server import WorkbenchServer  # noqa: E402

SIZES = (30, 200, 500)
RUNS = 7
TARGETS = {"open": 1000.0, "keystroke": 100.0}

OPENED = """() => document.querySelectorAll('.cs-outline-item').length > 3
    && document.querySelector('.cs-studio').getAttribute('data-busy') === 'false'
    ? performance.now() : false"""
# polled every frame after the key press: the time the new title is in the list
SHOWN = """(title) => {
    const names = document.querySelectorAll('.cs-outline-name');
    for (const name of names) { if (name.textContent.endsWith(title)) return performance.now(); }
    return false;
}"""


def course(folder, places):
    scenario = indented(places).replace("<cultural_safety_scenario>",
                                        '<cultural_safety_scenario url_name="bench">', 1)
    files = {
        "course.xml": '<course url_name="run" org="bench" course="editor"/>',
        "course/run.xml": '<course display_name="Bench"><chapter url_name="c1"/></course>',
        "chapter/c1.xml": '<chapter display_name="One"><sequential url_name="s1"/></chapter>',
        "sequential/s1.xml": '<sequential display_name="One"><vertical url_name="v1"/></sequential>',
        "vertical/v1.xml": f'<vertical display_name="Bench unit">{scenario}</vertical>',
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def run(browser, url, places):
    opened, typed = [], []
    page_url = url.scenario("cultural_safety_scenario.0", "studio_view", student="staff_bench")
    middle = f"n{(places - 3) // 2}"
    for number in range(RUNS + 1):   # the first run warms the server up
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(page_url)
        opened.append(page.wait_for_function(OPENED, polling="raf", timeout=30_000).json_value())
        page.click(f".cs-outline-item:has(.cs-outline-name:text-is('{middle}: Node {middle[1:]}'))")
        page.wait_for_selector(".cs-form [data-key='title']")
        page.wait_for_function("() => document.querySelector('.cs-studio').getAttribute("
                               "'data-busy') === 'false'")
        page.wait_for_timeout(700)   # the map drawn after opening the form, out of the way
        page.focus(".cs-form [data-key='title']")
        page.keyboard.press("End")
        page.evaluate("""() => document.addEventListener('keydown',
            (event) => { window.__pressed = event.timeStamp; }, {capture: true, once: true})""")
        page.keyboard.press(str(number % 10))
        shown = page.wait_for_function(SHOWN, arg=f"Node {middle[1:]}{number % 10}",
                                       polling="raf", timeout=30_000).json_value()
        typed.append(shown - page.evaluate("() => window.__pressed"))
        context.close()
    return statistics.median(opened[1:]), statistics.median(typed[1:])


def main():
    from playwright.sync_api import sync_playwright
    rows = ["| places | open (ms) | check after a keystroke (ms) |", "|---:|---:|---:|"]
    worst = {}
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        for places in SIZES:
            with tempfile.TemporaryDirectory() as folder:
                folder = Path(folder)
                with WorkbenchServer(folder / "wb", course=course(folder / "course", places)) as url:
                    opened, typed = run(browser, url, places)
            rows.append(f"| {places} | {opened:.0f} | {typed:.0f} |")
            worst = {"open": opened, "keystroke": typed}
        browser.close()
    rows.append("")
    rows.append(f"medians of {RUNS} runs; load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} CPUs")
    for name, target in TARGETS.items():
        verdict = "met" if worst[name] < target else "MISSED"
        rows.append(f"{name} at {SIZES[-1]} places: {worst[name]:.0f} ms (target < "
                    f"{target:.0f} ms): {verdict}")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
