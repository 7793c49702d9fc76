"""A small cohort playing one scenario through the workbench's real handler URLs (issue 5 tests).

``REPORTED`` is the scenario: a branch, a merge, a repair offered only when trust is low, three
endings, one dimension and one reflection; reflections are shown in reports. ``play_cohort``
makes five learners act as ``EXPECTED`` describes, over HTTP with the Django test Client.
"""
import json
import re
from dataclasses import dataclass

from cultural_safety_xblock.scenario import tokens
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support.builders import BRANCHING

SCENARIO_NAME = "cultural_safety_reports_test.0"
DESCRIPTION = "Reports test scenario"
BLOCK_TAG = "cultural_safety_scenario"

REPORTED = (BRANCHING
            .replace("<scenario ", f'<{BLOCK_TAG} display_name="Reported" '
                     'reflections_in_reports="true" ', 1)
            .replace("<debrief>", '<reflection id="cost" prompt="What did it cost?"/><debrief>')
            .replace("</scenario>", f"</{BLOCK_TAG}>"))


def add_scenario(xml=REPORTED, name=SCENARIO_NAME, description=DESCRIPTION):
    """Load ``xml`` as a workbench scenario (replacing an earlier one); its usage id."""
    from workbench.scenarios import SCENARIOS, add_xml_scenario, remove_scenario

    if name in SCENARIOS:
        remove_scenario(name)
    add_xml_scenario(name, description, xml)
    return SCENARIOS[name].usage_id


def remove_scenario(name=SCENARIO_NAME):
    from workbench.scenarios import SCENARIOS
    from workbench.scenarios import remove_scenario as remove

    if name in SCENARIOS:
        remove(name)


@dataclass
class Player:
    """One learner calling the block's handlers as the browser does. ``xml`` is the scenario
    played: a choice named by its id is sent as the token its button carries on the page."""

    post: object      # (handler, payload, student) -> (status, body)
    student: str
    version: int = 0
    node: str = ""
    xml: str = REPORTED
    stage: str = ""

    def act(self, handler, **payload):
        status, body = self.post(handler, {"version": self.version, "node": self.node, **payload},
                                 self.student)
        assert status == 200, (handler, payload, status, body)
        self.version = body["version"]
        self.node = _place(body["stage"])
        self.stage = body["stage"]
        return body

    def token(self, choice_id):
        """The token on the page now of the choice ``choice_id`` of the node shown."""
        choice = compile_text(self.xml).scenario.node(self.node).choice(choice_id)
        return token_on_page(self.stage, choice)

    def begin(self):
        return self.act("begin")

    def choose(self, *choices):
        for choice in choices:
            self.act("choose", choice=self.token(choice))

    def back(self):
        return self.act("back")

    def restart(self):
        return self.act("restart")

    def reflect(self, reflection, text):
        status, body = self.post("save_reflection", {"id": reflection, "text": text}, self.student)
        assert status == 200, body


_CHOICE = re.compile(r'data-choice="([^"]*)"')


def token_on_page(stage_html, choice):
    """The token a choice's button carries in ``stage_html`` (it ends with a digest of the
    choice's words: scenario/tokens.py)."""
    digest = tokens.token(0, choice).split("-")[1]
    return next(t for t in _CHOICE.findall(stage_html) if t.endswith("-" + digest))


def _place(stage_html):
    marker = 'data-node="'
    at = stage_html.find(marker)
    return stage_html[at + len(marker): stage_html.index('"', at + len(marker))] if at >= 0 else ""


# What each learner does, and what the reports must then say.
ALICE_REFLECTION = "=It cost her the chance to say no."   # starts with "=": CSV must not run it


def play_through_workbench(client, workbench_django):
    """Add the reports scenario to the workbench and play the cohort over its HTTP handlers;
    returns the scenario block's usage id."""
    usage_id = add_scenario()

    def post(handler, payload, student):
        return workbench_django.call_json_handler(client, usage_id, handler, payload,
                                                  student=student)

    play_cohort(post)
    return usage_id


def play_cohort(post):
    """alice: best path, reflects; bob: harmful ending, then a repaired one; carol: takes a
    choice back and stops at b; erin: begins only; dave never begins (he only looks)."""
    alice = Player(post, "alice")
    alice.begin()
    alice.choose("good", "best")
    alice.reflect("cost", ALICE_REFLECTION)
    bob = Player(post, "bob")
    bob.begin()
    bob.choose("bad", "harm")
    bob.restart()
    bob.choose("bad", "repair")
    carol = Player(post, "carol")
    carol.begin()
    carol.choose("ok")
    carol.back()
    carol.choose("good")
    Player(post, "erin").begin()


EXPECTED_LEARNERS = {"started": 4, "completed": 2, "in_progress": 2, "completion_rate": 0.5}
EXPECTED_ATTEMPTS = 5
EXPECTED_ENDINGS = {"safe": 2, "mixed": 0, "unsafe": 1}
EXPECTED_CHOICES = {("a", "good"): 2, ("a", "bad"): 2, ("a", "ok"): 1, ("b", "best"): 1,
                    ("b", "fine"): 0, ("b", "harm"): 1, ("b", "repair"): 1}
EXPECTED_BACK = {("a", "ok"): 1}
EXPECTED_GRADES = {2: 1, 9: 1}          # bob kept 1/4, alice 4/4

EXPECTED_ROWS = {
    "alice": {"Status": "completed", "Attempts": 1, "Completed attempts": 1, "Latest score": 1.0,
              "Latest points": 4, "Possible points": 4, "Best score": 1.0,
              "Grade published": 1.0, "Ending": "safe", "Outcome": "safe",
              "Current place": "safe", "Path": "a:good(best) > b:best(best)",
              "Harmful choices": 0, "Dimension: voice": 2,
              "Reflection: cost": ALICE_REFLECTION},
    "bob": {"Status": "completed", "Attempts": 2, "Completed attempts": 2, "Latest score": 0.25,
            "Latest points": 1, "Possible points": 4, "Best score": 0.25,
            "Grade published": 0.25, "Ending": "safe", "Outcome": "safe",
            "Current place": "safe", "Path": "a:bad(harmful) > b:repair(acceptable)",
            "Harmful choices": 1, "Dimension: voice": 0, "Reflection: cost": ""},
    "carol": {"Status": "in progress", "Attempts": 1, "Completed attempts": 0,
              "Latest score": "", "Best score": "", "Grade published": "", "Ending": "",
              "Current place": "b", "Path": "a:good(best)", "Harmful choices": 0,
              "Dimension: voice": ""},
    "erin": {"Status": "in progress", "Attempts": 1, "Current place": "a", "Path": ""},
}


def expected_subset(actual, expected):
    """The entries of ``actual`` that ``expected`` names, for a readable assert."""
    return {key: actual.get(key) for key in expected}


def decode(response):
    return json.loads(response.content.decode("utf-8"))
