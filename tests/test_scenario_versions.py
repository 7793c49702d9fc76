"""A learner's request finds the compiled scenario by its version, without reading the text."""
from xblock.runtime import DictKeyValueStore

from bench.shapes import scenario_xml
from cultural_safety_xblock.scenario import compiled as compiled_module
from cultural_safety_xblock.scenario.compiled import compile_version, content_hash
from tests.support.runtime import Learner


class CountingStore(DictKeyValueStore):
    """Counts reads of each field, as a platform's store would fetch them."""

    def __init__(self):
        super().__init__()
        self.reads = {}

    def get(self, key):
        self.reads[key.field_name] = self.reads.get(key.field_name, 0) + 1
        return super().get(key)


def test_writing_the_scenario_text_writes_its_version():
    text = scenario_xml(4)
    learner = Learner(text)
    assert learner.block.scenario_version == content_hash(text)
    learner.block.scenario_xml = scenario_xml(5)
    assert learner.block.scenario_version == content_hash(scenario_xml(5))


def test_a_learner_step_does_not_read_the_scenario_text_once_its_version_is_compiled():
    store = CountingStore()
    learner = Learner(scenario_xml(6), store=store)
    learner.begin()
    learner.load()
    learner.choose("c0")   # a fresh block, as in a new request
    store.reads.clear()
    learner.load()
    status, answer = learner.choose("c0")
    assert status == 200 and answer["status"] == "node"
    assert store.reads.get("scenario_xml", 0) == 0
    assert store.reads.get("scenario_version") == 1


def test_a_version_that_does_not_name_the_text_is_never_remembered_for_it():
    text, other = scenario_xml(3), scenario_xml(7)
    stale = content_hash(other)
    compiled_module._versions.forget(stale)
    found = compile_version(stale, lambda: text)
    assert found.content_hash == content_hash(text)
    assert len(found.scenario.nodes) == 3
    assert stale not in compiled_module._versions
    assert compile_version(stale, lambda: other).scenario.nodes[6].id == "n6"


def test_an_edited_scenario_reaches_the_next_request():
    learner = Learner(scenario_xml(5))
    learner.begin()
    learner.block.scenario_xml = scenario_xml(5).replace("Scene 0:", "Scene zero:")
    learner.block.save()
    learner.load()
    assert "Scene zero:" in learner.block.student_view().body_html()
