"""The language of the author's text (WCAG 2.1 SC 3.1.2, Language of Parts): the setting, its
default, its checks, its round trip through OLX, and its mark on every page that shows the text."""
import io
import json
from types import SimpleNamespace

import pytest
from lxml import etree
from lxml import html as lxml_html
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cultural_safety_xblock import i18n
from cultural_safety_xblock.cli import validate_paths
from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.rendering import safe_html
from cultural_safety_xblock.scenario import language
from tests.support.builders import BRANCHING
from tests.support.paths_through import walk
from tests.support.runtime import Learner
from tests.test_access import request as handler_request
from tests.test_i18n import Speaker, staff_speaker, states_of_the_demo

TAG = "cultural_safety_scenario"
FRENCH = i18n.CatalogI18nService("fr")


# ---- which tags are accepted, and how they are written -------------------------------------------


@pytest.mark.parametrize("given, written", [
    ("en", "en"), ("FR", "fr"), ("fr-ca", "fr-CA"), ("pt_br", "pt-BR"), (" de-CH ", "de-CH"),
    ("zh-hans", "zh-Hans"), ("sr-latn-rs", "sr-Latn-RS"), ("es-419", "es-419"),
    ("mi", "mi"), ("haw", "haw"), ("en-US-x-twain", "en-US-x-twain"), ("ar-EG", "ar-EG")])
def test_a_language_tag_is_accepted_and_written_the_usual_way(given, written):
    assert language.normalise(given) == written


@pytest.mark.parametrize("given", [
    "", "english", "French", "e", "fe", "en-", "en--US", "en US", "x-private", "12", "en-USA1",
    "fr CA", "<en>", '"en"', "en" + "-abcdefgh" * 8])
def test_a_text_that_is_not_a_language_tag_is_refused(given):
    assert language.normalise(given) is None


@pytest.mark.parametrize("tag, direction", [
    ("en", "ltr"), ("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur-PK", "rtl"),
    ("az-Arab", "rtl"), ("ku-Arab-IQ", "rtl"), ("uz-Latn", "ltr"), ("fr-CA", "ltr")])
def test_right_to_left_languages_and_scripts_are_known(tag, direction):
    assert language.direction(tag) == direction


# ---- the default: the course's language, else English --------------------------------------------


class Usage(str):
    """A usage id in a course, as the LMS's have a context_key."""

    def __new__(cls, text, course):
        made = super().__new__(cls, text)
        made.context_key = course
        return made


def in_course(course_language, course_key, usage="usage-1", calls=None):
    """A learner's block whose parents are a unit and a course with ``course_language``."""
    learner = Learner(DEMO_SCENARIO)
    block = learner.block
    block.scope_ids = ScopeIds("student_1", TAG, "definition-1", Usage(usage, course_key))
    course = SimpleNamespace(scope_ids=SimpleNamespace(block_type="course"),
                             language=course_language, get_parent=lambda: None)
    unit = SimpleNamespace(scope_ids=SimpleNamespace(block_type="vertical"),
                           get_parent=lambda: course)

    def parent():
        if calls is not None:
            calls.append(usage)
        return unit

    block.get_parent = parent
    return block


def test_without_a_setting_the_text_is_in_the_courses_language(request):
    block = in_course("fr_CA", f"course-v1:{request.node.name}")
    assert block.text_language() == "fr-CA"
    assert 'lang="fr-CA" dir="ltr"' in block.student_view().body_html()


def test_the_setting_wins_over_the_courses_language(request):
    block = in_course("fr", f"course-v1:{request.node.name}")
    block.content_language = "mi"
    assert block.text_language() == "mi"


def test_with_no_course_and_no_setting_the_text_is_english():
    assert Learner(DEMO_SCENARIO).block.text_language() == "en"


def test_a_course_with_an_unusable_language_gives_english(request):
    assert in_course("Klingon", f"course-v1:{request.node.name}").text_language() == "en"


def test_the_course_is_looked_up_once_per_course_not_on_every_request(request):
    calls, course = [], f"course-v1:{request.node.name}"
    for usage in ("usage-1", "usage-2", "usage-1"):
        block = in_course("de", course, usage=usage, calls=calls)
        block.student_view()
        assert block.text_language() == "de"
    assert calls == ["usage-1"]


# ---- the mark on every page ----------------------------------------------------------------------


def language_of(element):
    while element is not None:
        if element.get("lang") is not None:
            return element.get("lang")
        element = element.getparent()
    return None


def texts_and_languages(page):
    """(text, language it is marked with or None) for every piece of text on the page, but
    inside pictures (role="img": only their title and description are read out)."""
    tree = lxml_html.fromstring(f"<div>{page}</div>")
    found = []
    for element in tree.iter():
        if (not isinstance(element.tag, str) or element.tag in ("textarea", "script", "style")
                or element.tag == "svg" or any(a.tag == "svg" for a in element.iterancestors())):
            continue
        if element.text and element.text.strip():
            found.append((" ".join(element.text.split()), language_of(element)))
        for child in element:
            if child.tail and child.tail.strip():
                found.append((" ".join(child.tail.split()), language_of(element)))
    return found


def author_pieces(block):
    """Every piece of text the author wrote, as it appears on a page."""
    scenario = block.compiled.scenario
    texts = [scenario.content_note, scenario.debrief]
    for node in scenario.nodes:
        texts += [node.title, node.html, *(c.text for c in node.choices),
                  *(c.consequence for c in node.choices)]
    for ending in scenario.endings:
        texts += [ending.title, ending.html]
    texts += [r.prompt for r in scenario.reflections] + [d.label for d in scenario.dimensions]
    pieces = set()
    for text in filter(None, texts):
        for piece in lxml_html.fromstring(f"<div>{text}</div>").itertext():
            if piece.strip():
                pieces.add(" ".join(piece.split()))
    return pieces


def test_in_a_french_interface_every_author_text_is_marked_english_and_no_interface_text_is():
    learner, pages = states_of_the_demo(FRENCH)
    author = author_pieces(learner.block)
    marked = set()
    for label, page in pages:
        for text, lang in texts_and_languages(page):
            if text in author:
                assert lang == "en", (label, text)
                marked.add(text)
            elif any(letter.isalpha() for letter in text):
                assert lang == "fr", (label, text)   # the interface, in the catalog's language
    assert len(marked) >= 12


@pytest.mark.parametrize("service, served", [
    (i18n.CatalogI18nService("fr"), "fr"), (i18n.CatalogI18nService("fr-ca"), "fr"),
    (i18n.CatalogI18nService("en"), "en"),
    (i18n.CatalogI18nService("de"), "en")])   # no German catalog: English words, marked so
def test_the_interface_is_marked_with_the_language_its_words_are_in(service, served):
    learner, pages = states_of_the_demo(service)
    for _label, page in pages:
        assert lxml_html.fromstring(page).get("lang") == served
    staff = staff_speaker(service)
    for view in ("studio_view", "author_view"):
        html = getattr(staff.block, view)({}).body_html()
        assert lxml_html.fromstring(html).get("lang") == served, view
    assert f'class="cs-staff" lang="{served}"' in staff.block.staff_results_html()


def test_the_content_note_before_the_start_is_marked():
    note = "Mentions a workplace that watches its staff."
    text = BRANCHING.replace("<node ", f"<content_note>{note}</content_note><node ", 1)
    page = Speaker(FRENCH, text, content_language="en-IE").page()
    assert dict(texts_and_languages(page))[note] == "en-IE"


def test_the_author_text_carries_its_direction_too():
    learner = Learner(DEMO_SCENARIO, content_language="ar")
    learner.begin()
    tree = lxml_html.fromstring(learner.load().student_view().body_html())
    scene = tree.find_class("cs-node")[0].find_class("cs-html")[0]
    assert (scene.get("lang"), scene.get("dir")) == ("ar", "rtl")


def test_a_title_the_author_chose_is_marked_and_the_translated_default_is_not():
    default = Speaker(FRENCH, DEMO_SCENARIO)
    title = lxml_html.fromstring(default.page()).find_class("cs-title")[0]
    assert title.text == "Scénario à embranchements" and title.get("lang") is None
    named = Speaker(FRENCH, DEMO_SCENARIO, display_name="Amira", content_language="en-GB")
    title = lxml_html.fromstring(named.page()).find_class("cs-title")[0]
    assert title.text == "Amira" and title.get("lang") == "en-GB"


def test_the_live_region_that_reads_out_consequences_speaks_the_texts_language():
    page = Speaker(FRENCH, DEMO_SCENARIO, content_language="en-NZ").page()
    region = lxml_html.fromstring(page).find_class("cs-announce")[0]
    assert region.get("lang") == "en-NZ" and region.get("aria-live") == "polite"


def test_a_changed_setting_reaches_learners_already_at_a_node():
    learner = Learner(DEMO_SCENARIO)
    learner.begin()
    assert 'lang="en"' in learner.load().student_view().body_html()
    learner.block.content_language = "fr"
    learner.block.save()
    page = learner.load().student_view().body_html()
    assert lxml_html.fromstring(page).get("lang") == "en"   # the interface's words
    for html in (page.replace(' lang="en" data-uid', " data-uid", 1),
                 learner.choose("check_place")[1]["stage"]):
        assert 'lang="fr"' in html and 'lang="en"' not in html


def test_the_staff_dashboard_marks_the_authors_titles_and_choices():
    staff = staff_speaker(FRENCH)
    staff.block.content_language = "en"
    page = staff.block.staff_view({}).body_html()
    scenario = staff.block.compiled.scenario
    found = dict(texts_and_languages(page))
    opening = scenario.nodes[0]
    assert found[opening.title] == "en"
    assert found[opening.choices[0].text] == "en"
    assert found[scenario.endings[0].title] == "en"
    assert found["Personnes apprenantes"] == "fr"   # the interface, in its catalog's language


def test_studio_marks_the_authors_text_in_the_preview_the_map_list_and_the_author_view():
    staff = staff_speaker(FRENCH)
    staff.block.content_language = "en-AU"
    scenario = staff.block.compiled.scenario
    status, preview = staff.post("studio_preview", {"scenario_xml": "", "node": "",
                                                    "path": []})
    assert status == 200
    found = dict(texts_and_languages(preview["stage"]))
    assert found[scenario.nodes[0].title] == "en-AU"
    author = lxml_html.fromstring(staff.block.author_view({}).body_html())
    listed = [span for span in author.find_class("cs-map-list")[0].iter("span")
              if span.text == scenario.nodes[0].title]
    assert listed and listed[0].get("lang") == "en-AU"
    assert author.find_class("cs-preview-from")[0].get("lang") == "en-AU"


def test_the_mobile_app_is_told_the_texts_language():
    learner = Learner(DEMO_SCENARIO, content_language="pt-BR")
    data = learner.block.student_view_data()
    assert data["content_language"] == "pt-BR" and data["stage"]["content_language"] == "pt-BR"


# ---- the setting in Studio -------------------------------------------------------------------------

SAVE = {"display_name": "Named", "weight": 1.0, "max_attempts": 0, "grading": "best_attempt",
        "practice": False, "allow_back": True, "allow_restart": True,
        "reflections_in_reports": False, "scenario_xml": BRANCHING}


class Author(Speaker):
    """Course staff in Studio, on every page load."""

    def load(self):
        block = super().load()
        block.runtime.user_is_staff = True
        return block


def studio_staff(service=None):
    return Author(service or i18n.CatalogI18nService("en"), BRANCHING)


def test_studio_saves_a_language_tag_written_the_usual_way():
    author = studio_staff()
    assert author.post("studio_save", dict(SAVE, content_language="pt_br"))[0] == 200
    assert author.load().content_language == "pt-BR"


@pytest.mark.parametrize("service, start", [
    (i18n.CatalogI18nService("en"), "The language of the scenario's text must be a language tag"),
    (FRENCH, "La langue du texte du scénario doit être une étiquette de langue")])
def test_studio_refuses_a_tag_that_is_not_a_language_with_a_message(service, start):
    author = studio_staff(service)
    author.post("studio_save", dict(SAVE, content_language="fr"))
    status, answer = author.post("studio_save", dict(SAVE, display_name="Changed",
                                                     content_language="French"))
    assert status == 400 and answer["code"] == "bad-setting"
    assert answer["message"].startswith(start)
    block = author.load()
    assert block.content_language == "fr" and block.display_name == "Named"  # nothing stored


def test_an_empty_language_in_studio_means_the_courses_and_a_save_without_it_keeps_it():
    author = studio_staff()
    author.post("studio_save", dict(SAVE, content_language="de"))
    assert author.post("studio_save", SAVE)[0] == 200          # an editor from before the field
    assert author.load().content_language == "de"
    assert author.post("studio_save", dict(SAVE, content_language="  "))[0] == 200
    block = author.load()
    assert not block.fields["content_language"].is_set_on(block) and block.text_language() == "en"


def test_the_settings_form_shows_the_setting_and_what_applies_when_it_is_empty():
    author = studio_staff()
    author.post("studio_save", dict(SAVE, content_language="es-419"))
    form = lxml_html.fromstring(author.load().studio_view({}).body_html())
    field = form.xpath("//input[@name='content_language']")[0]
    assert field.get("value") == "es-419"
    label = form.xpath(f"//label[@for='{field.get('id')}']")[0]
    assert label.text == "Language of the scenario's text"
    help_text = form.get_element_by_id(field.get("aria-describedby")).text_content()
    assert "pt-BR" in help_text and "(en)" in help_text


# ---- the setting in OLX: export, import, validation ----------------------------------------------


def runtime():
    return TestRuntime(services={"field-data": KvsFieldData(DictKeyValueStore())})


def imported(xml):
    into = runtime()
    return into.get_block(into.parse_xml_string(xml))


def export(block):
    out = io.BytesIO()
    block.runtime.export_to_xml(block, out)
    return out.getvalue()


def as_block_olx(text, attributes=""):
    return text.replace("<scenario ", f"<{TAG} {attributes} ").replace("</scenario>", f"</{TAG}>")


def test_the_setting_survives_export_then_import():
    first = imported(as_block_olx(BRANCHING, 'content_language="fr-CA"'))
    assert first.compiled.playable and first.content_language == "fr-CA"
    xml = export(first)
    assert etree.fromstring(xml).get("content_language") == "fr-CA"
    second = imported(xml)
    assert second.content_language == "fr-CA" and export(second) == xml


def test_without_the_setting_an_export_carries_no_attribute_and_follows_the_next_course():
    first = imported(as_block_olx(BRANCHING))
    assert not first.fields["content_language"].is_set_on(first)
    assert etree.fromstring(export(first)).get("content_language") is None
    empty = imported(as_block_olx(BRANCHING, 'content_language=""'))
    assert not empty.fields["content_language"].is_set_on(empty) and empty.compiled.playable


def test_an_imported_tag_that_is_not_a_language_makes_the_block_wait_with_a_problem_for_staff():
    block = imported(as_block_olx(BRANCHING, 'content_language="english"'))
    assert not block.compiled.playable
    (found,) = [p for p in block.compiled.problems if p.code == "bad-value"]
    assert 'scenario: content_language="english" is not valid' in str(found)
    assert "a language tag such as en, fr or pt-BR" in str(found)
    assert 'lang="english"' not in block.student_view().body_html()
    again = imported(export(block))                         # kept as written: nothing lost
    assert 'content_language="english"' in again.scenario_xml


def test_the_command_line_check_reports_a_bad_language_tag(tmp_path, capsys):
    path = tmp_path / "scenario.xml"
    path.write_text(as_block_olx(BRANCHING, 'content_language="fe"'), encoding="utf-8")
    assert validate_paths([path]) == 1
    assert 'content_language="fe" is not valid' in capsys.readouterr().out


def test_a_learner_can_play_a_scenario_in_any_language_to_its_end():
    learner = Learner(DEMO_SCENARIO, content_language="ar")
    results = learner.play(*[c for _n, c in walk(learner.block.compiled.scenario).path])
    assert results[-1][0] == 200 and results[-1][1]["status"] == "ending"
    assert 'lang="ar" dir="rtl"' in results[-1][1]["stage"]
    assert json.dumps(learner.block.student_view_data()).count('"ar"') >= 2


def test_a_learner_cannot_set_the_language():
    learner = Learner(DEMO_SCENARIO)
    response = handler_request(learner.block, "studio_save", dict(SAVE, content_language="fr"))
    assert response.status_code == 403
    assert not learner.load().fields["content_language"].is_set_on(learner.load())


# ---- a word or passage in another language, inside the author's text ----------------------------


def test_an_author_can_mark_a_word_in_another_language_inside_the_text():
    text = BRANCHING.replace("<p>Scene a</p>",
                             '<p>She greets you: <span lang="MI">kia ora</span>.</p>', 1)
    learner = Learner(text)
    assert learner.block.compiled.playable, learner.block.compiled.problems
    learner.begin()
    scene = lxml_html.fromstring(learner.load().student_view().body_html()).find_class(
        "cs-node")[0].find_class("cs-html")[0]
    assert scene.get("lang") == "en"
    (word,) = scene.iter("span")
    assert (word.text, word.get("lang")) == ("kia ora", "mi")


def test_an_inline_lang_that_is_not_a_language_is_reported_and_never_reaches_learners():
    text = BRANCHING.replace("<p>Scene a</p>", '<p><span lang="maori">kia ora</span></p>', 1)
    compiled = Learner(text).block.compiled
    (found,) = [p for p in compiled.problems if p.code == "unsafe-html"]
    assert 'lang="maori" on <span>' in str(found)
    assert safe_html('<p><span lang="maori">kia ora</span></p>') == "<p><span>kia ora</span></p>"
