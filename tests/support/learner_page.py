"""The learner view in a Playwright page: find the course's scenario units, read the stage, act.

Used by the browser and accessibility tests. Content-agnostic: it plays whatever the course
offers, reading the stage from the page (data-status, data-node, data-version on the stage).
"""
import re
import urllib.request

BLOCK = ".cs-scenario"
BODY = ".cs-stage .cs-stage-body"
MAX_STEPS = 40

_units = {}


def _get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def scenario_units(base_url):
    """[(scenario id, title)] of the workbench units holding a playable scenario block, in order."""
    if base_url not in _units:
        index = _get(base_url + "/")
        found = []
        for scenario_id, title in re.findall(
                r'href="/scenario/(cultural_safety_scenario\.\d+)/"[^>]*>([^<]*)<', index):
            page = _get(f"{base_url}/scenario/{scenario_id}/")
            if 'class="cs-scenario"' in page or "class='cs-scenario'" in page:
                found.append((scenario_id, title.strip()))
        _units[base_url] = found
    return _units[base_url]


class LearnerPage:
    """One learner on one scenario unit of the workbench, in a Playwright page."""

    def __init__(self, page, base_url, scenario_id, student):
        self.page = page
        self.url = f"{base_url}/scenario/{scenario_id}/?student={student}"
        self.taken = []  # (node id, choice id) in order, as this page chose them
        # The workbench has no favicon: answer for it, so the console's errors are the block's.
        page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))

    # -- reading -------------------------------------------------------------------------------

    def open(self):
        self.page.goto(self.url)
        self.page.wait_for_selector(BODY)
        return self

    def reload(self):
        self.page.reload()
        self.page.wait_for_selector(BODY)

    @property
    def block(self):
        return self.page.locator(BLOCK)

    @property
    def body(self):
        return self.page.locator(BODY)

    def status(self):
        return self.body.get_attribute("data-status")

    def place(self):
        return self.body.get_attribute("data-node") or ""

    def version(self):
        return int(self.body.get_attribute("data-version"))

    def choice_buttons(self):
        return self.page.locator(f"{BODY} .cs-choice")

    def control(self, action):
        return self.page.locator(f"{BLOCK} button[data-action='{action}']")

    def focused(self):
        """What has the keyboard focus: tag, classes, text, whether it is in the block, visible."""
        return self.page.evaluate("""(block) => {
            const el = document.activeElement, box = el.getBoundingClientRect();
            return {tag: el.tagName.toLowerCase(), className: String(el.className || ''),
                    text: (el.textContent || '').trim(), action: el.getAttribute('data-action'),
                    inBlock: !!el.closest(block),
                    onScreen: box.bottom > 0 && box.top < window.innerHeight && box.height > 0};
        }""", BLOCK)

    # -- acting --------------------------------------------------------------------------------

    def wait_for_new_stage(self, version):
        self.page.wait_for_function(
            """([body, block, version]) => {
                const stage = document.querySelector(body);
                return stage && Number(stage.getAttribute('data-version')) !== version
                    && !document.querySelector(block).hasAttribute('aria-busy');
            }""", arg=[BODY, BLOCK, version])

    def click(self, locator):
        before = self.version()
        locator.click()
        self.wait_for_new_stage(before)

    def begin(self):
        self.click(self.control("begin"))

    def next_choice(self):
        """The first offered choice not yet taken here (so a loop is left), else the first."""
        buttons = self.choice_buttons()
        place = self.place()
        ids = [buttons.nth(i).get_attribute("data-choice") for i in range(buttons.count())]
        fresh = [i for i, cid in enumerate(ids) if (place, cid) not in self.taken]
        index = fresh[0] if fresh else 0
        return buttons.nth(index), (place, ids[index])

    def choose(self):
        """Pick the next choice with the mouse; returns its (node id, choice token)."""
        button, step = self.next_choice()
        self.click(button)
        self.taken.append(step)
        return step

    def play_to_ending(self, on_stage=None):
        """Choose until an ending; ``on_stage(self)`` runs after every new stage."""
        if self.status() == "intro":
            self.begin()
            if on_stage:
                on_stage(self)
        for _ in range(MAX_STEPS):
            if self.status() == "ending":
                return self.taken
            self.choose()
            if on_stage:
                on_stage(self)
        raise AssertionError(f"no ending after {MAX_STEPS} choices: {self.taken}")

    # -- the keyboard ----------------------------------------------------------------------------

    def tab_to(self, selector, limit=60):
        """Press Tab until the focus is on an element matching ``selector``; returns the presses."""
        for presses in range(1, limit + 1):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return presses
        raise AssertionError(f"{selector} not reached with {limit} presses of Tab")

    def press(self, key):
        """Press a key on the focused control and wait for the new stage."""
        before = self.version()
        self.page.keyboard.press(key)
        self.wait_for_new_stage(before)
