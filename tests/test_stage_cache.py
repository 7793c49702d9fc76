"""A node's stage is rendered once and shared: each learner still gets their own version, each
block its own DOM ids and each reader their own language."""
import re

from xblock.fields import ScopeIds

from cultural_safety_xblock import i18n, rendering
from cultural_safety_xblock.demo import DEMO_SCENARIO
from tests.support.runtime import Learner


class Elsewhere(Learner):
    """A learner on another block (another usage id) with the same scenario."""

    def load(self):
        block = super().load()
        runtime = block.runtime
        ids = ScopeIds(self.user, "cultural_safety_scenario", "definition-2", "usage-2")
        self.block = runtime.construct_xblock_from_class(type(block), ids)
        return self.block


class French(Learner):
    def load(self):
        block = super().load()
        block.runtime._services["i18n"] = i18n.CatalogI18nService("fr")  # noqa: SLF001
        return block


def uncached_stage(block):
    """The stage as the template renders it, with no cache involved."""
    state = block.learner_state()
    view = rendering.stage(block.compiled, state, block.rules)
    return rendering.render("stage.html", view=view, _=block.gettext, uid=block._uid(),  # noqa: SLF001
                            text_lang=block.text_lang())


def test_learners_at_the_same_place_each_see_their_own_version():
    first = Learner(DEMO_SCENARIO, user="student_1")
    second = Learner(DEMO_SCENARIO, user="student_2", store=first.store)
    first.play("check_place")
    second.play()
    second.post("back", second.seen())  # nothing to take back: refused, the version stays
    second.choose("check_place")
    second.post("back", second.seen())
    second.choose("check_place")       # the same place and path as the first, a later version
    stages = [learner.load() and learner.post("choose", dict(learner.seen(), choice="x"))[1]
              for learner in (first, second)]
    versions = [int(re.search(r'data-version="(\d+)"', s["stage"]).group(1)) for s in stages]
    assert versions == [first.seen()["version"], second.seen()["version"]]
    assert versions[0] != versions[1]
    for learner, answer in zip((first, second), stages, strict=True):
        assert answer["stage"] == uncached_stage(learner.load())


def test_each_block_names_its_own_elements_in_a_shared_stage():
    here = Learner(DEMO_SCENARIO, user="student_1")
    there = Elsewhere(DEMO_SCENARIO, user="student_1")
    _status, answer_here = here.begin()
    _status, answer_there = there.begin()
    uid_here, uid_there = here.block._uid(), there.block._uid()  # noqa: SLF001
    assert uid_here != uid_there
    assert f'id="{uid_here}-ask"' in answer_here["stage"]
    assert f'id="{uid_there}-ask"' in answer_there["stage"] and uid_here not in answer_there["stage"]


def test_a_stage_shared_across_languages_speaks_each_readers_language():
    english = Learner(DEMO_SCENARIO, user="student_1")
    french = French(user="student_2", store=english.store)
    _status, in_english = english.begin()
    _status, in_french = french.begin()
    assert "What do you do?" in in_english["stage"]
    assert "Que faites-vous" in in_french["stage"] and "What do you do?" not in in_french["stage"]
    page = french.load().student_view().body_html()
    assert "Que faites-vous" in page
    assert in_french["stage"] == uncached_stage(french.load())


def test_the_page_around_a_shared_stage_shows_the_current_title_and_the_readers_words():
    english = Learner(DEMO_SCENARIO, user="student_1", display_name="First title")
    french = French(user="student_2", store=english.store)
    english.begin()
    in_english = english.load().student_view().body_html()
    in_french = french.load().student_view().body_html()
    assert "First title" in in_english and "First title" in in_french
    assert ">Resume<" in in_english and ">Reprendre<" in in_french and ">Resume<" not in in_french
    assert "Begin the scenario" not in in_english and "Begin the scenario" not in in_french
    english.block.display_name = "Second title"
    english.block.save()
    renamed = english.load().student_view().body_html()
    assert "Second title" in renamed and "First title" not in renamed
    assert renamed.count('class="cs-stage-body"') == 1 and "\x00" not in renamed
