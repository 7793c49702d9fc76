"""The block in XBlock's own TestRuntime, with a field store that outlives a page load."""
import json

from webob import Request
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from cultural_safety_xblock.scenario import tokens


class Learner:
    """One learner on one block; ``load()`` is a fresh page load over the same stored state."""

    def __init__(self, scenario_xml=None, user="student_1", store=None, **settings):
        self.store = store if store is not None else DictKeyValueStore()
        self.user = user
        self.events = []
        self.block = self.load()
        if scenario_xml is not None:
            self.block.scenario_xml = scenario_xml
        for name, value in settings.items():
            setattr(self.block, name, value)
        self.block.save()

    def load(self):
        runtime = TestRuntime(services={"field-data": KvsFieldData(self.store)})
        runtime.publish = lambda block, name, data: self.events.append((name, data))
        runtime.user_id = self.user
        ids = ScopeIds(self.user, "cultural_safety_scenario", "definition-1", "usage-1")
        self.block = runtime.construct_xblock_from_class(CulturalSafetyScenarioBlock, ids)
        return self.block

    def post(self, handler, body, raw=None, method="POST"):
        data = raw if raw is not None else json.dumps(body).encode()
        request = Request.blank("/", method=method, body=data)
        response = getattr(self.block, handler)(request)
        self.block.save()
        return response.status_code, json.loads(response.body)

    def seen(self):
        state = self.block.learner_state()
        return {"version": state.version, "node": state.place}

    def begin(self):
        return self.post("begin", self.seen())

    def token(self, choice_id):
        """The token the learner's page gives the offered choice ``choice_id`` now (the page
        names choices by token, never by id); the id itself when it is not offered, so that a
        test can send a choice that is not there."""
        state = self.block.learner_state()
        scenario = self.block.compiled.scenario
        return next((each for each, choice in tokens.offered(scenario, state)
                     if choice.id == choice_id), choice_id)

    def choose(self, choice):
        """Choose the offered choice with the id ``choice``, as its button would."""
        return self.post("choose", dict(self.seen(), choice=self.token(choice)))

    def play(self, *choices):
        if not self.block.learner_state().place:
            self.begin()
        return [self.choose(choice) for choice in choices]

    def named(self, name):
        return [data for event, data in self.events if event == name]
