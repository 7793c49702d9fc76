"""Every interface string goes through gettext, the French catalog is complete, switching works.

The browser side (a French-speaking browser on the workbench) is in test_learner_browser.py.
"""
import gettext
import json
import re
from importlib import resources

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html as lxml_html
from xblock.runtime import NullI18nService

from cultural_safety_xblock import i18n
from cultural_safety_xblock.demo import DEMO_SCENARIO
from cultural_safety_xblock.rendering import static_text
from tests.support.paths import REPO_ROOT
from tests.support.runtime import Learner

TRANSLATED = ("fr",)
PO = {lang: i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "text.po" for lang in TRANSLATED}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def source_messages():
    """{msgid (str, or (singular, plural)): "file:line"} extracted now from the source."""
    with open(REPO_ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            str(REPO_ROOT), method_map, options_map):
        key = message if isinstance(message, str) else tuple(message[:2])
        found.setdefault(key, f"{filename}:{line}")
    return found


def po_catalog(lang):
    with open(PO[lang], "rb") as po:
        return read_po(po)


# ---- the catalogs ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_interface_message_in_the_source_is_translated(lang):
    catalog = po_catalog(lang)
    missing = []
    for msgid, where in source_messages().items():
        entry = catalog.get(msgid if isinstance(msgid, str) else msgid[0])
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], (
        f"untranslated in {PO[lang].relative_to(REPO_ROOT)} (run `make messages`, then translate "
        "the empty and fuzzy entries):\n" + "\n".join(missing))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder(lang):
    wrong = []
    for entry in po_catalog(lang):
        if not entry.id or entry.fuzzy:  # fuzzy guesses are never used: the first test
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in filter(None, strings):  # untranslated ones: the test above
            if set(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_says_what_the_po_file_says(lang):
    with open(PO[lang].with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in po_catalog(lang):
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if not entry.id or entry.fuzzy or not all(strings):  # untranslated: gettext gives the msgid
            continue
        if isinstance(entry.id, str):
            if compiled.gettext(entry.id) != entry.string:
                stale.append(entry.id)
        elif [compiled.ngettext(*entry.id, n) for n in (1, 2)] != list(entry.string):
            stale.append(entry.id[0])
    assert stale == [], "text.mo is older than text.po: run `make messages`"


def test_the_catalog_is_where_open_edx_xblock_i18n_service_looks():
    # XBlockI18nService: gettext.translation("text", <package>/translations, [to_locale(lang)])
    locale_dir = resources.files("cultural_safety_xblock").joinpath("translations")
    for django_language in ("fr", "fr-ca", "fr-fr"):
        found = gettext.translation("text", str(locale_dir), [i18n.to_locale(django_language)])
        assert found.gettext("Begin the scenario") == "Commencer le scénario"
    assert i18n.languages() == sorted(TRANSLATED)


def test_french_plural_rules_apply():
    french = i18n.catalog("fr")
    one, many = "{count} of your choices was harmful.", "{count} of your choices were harmful."
    assert french.ngettext(one, many, 1) == "{count} de vos choix a été préjudiciable."
    assert french.ngettext(one, many, 0) == "{count} de vos choix a été préjudiciable."
    assert french.ngettext(one, many, 2) == "{count} de vos choix ont été préjudiciables."


# ---- the block speaks the runtime's language ------------------------------------------------------


class Speaker(Learner):
    """A learner whose runtime's i18n service is the one given."""

    def __init__(self, i18n_service, *args, **kwargs):
        self.i18n_service = i18n_service
        super().__init__(*args, **kwargs)

    def load(self):
        block = super().load()
        block.runtime._services["i18n"] = self.i18n_service  # noqa: SLF001 - TestRuntime has no setter
        return block

    def page(self):
        return self.block.student_view().body_html()


def states_of_the_demo(service, **settings):
    """(label, learner view HTML) for every learner state of the demo scenario."""
    learner = Speaker(service, DEMO_SCENARIO, allow_restart=True, max_attempts=3, **settings)
    pages = [("intro", learner.page())]
    learner.begin()
    pages.append(("node", learner.page()))
    learner.choose("check_place")
    pages.append(("consequence", learner.page()))
    learner.choose("plain_limits")
    learner.choose("options")
    pages.append(("ending", learner.page()))
    return learner, pages


def test_a_french_speaking_runtime_shows_every_learner_state_in_french():
    _, pages = states_of_the_demo(i18n.CatalogI18nService("fr"))
    expected = {"intro": ["Commencer le scénario", "Avant de commencer"],
                "node": ["Décision 1", "Que faites-vous\u00a0?", "Faire une pause", "Recommencer"],
                "consequence": ["Ce qui s'est passé", "Vous avez choisi\u00a0:",
                                "Revenir sur mon dernier choix"],
                "ending": ["Bilan", "Le chemin que vous avez suivi", "Enregistrer ma réflexion",
                           "Bonne pratique", "Issue pour la personne cliente\u00a0:"]}
    for label, page in pages:
        text = lxml_html.fromstring(page).text_content()
        for phrase in expected[label]:
            assert phrase in text, (label, phrase)
        assert "What do you do?" not in text and "Begin the scenario" not in text


def test_a_refused_action_is_explained_in_the_learners_language():
    learner = Speaker(i18n.CatalogI18nService("fr"), DEMO_SCENARIO)
    learner.begin()
    status, answer = learner.post("choose", {"version": 0, "node": "", "choice": "x"})
    assert status == 409
    assert answer["message"].startswith("Cette page n'est plus à jour")


def test_the_same_block_switches_language_with_the_runtime():
    english, french = NullI18nService(), i18n.CatalogI18nService("fr")
    learner = Speaker(english, DEMO_SCENARIO)
    assert "Begin the scenario" in learner.page()
    learner.i18n_service = french
    learner.load()
    assert "Commencer le scénario" in learner.page()


# ---- nothing reaches the learner without gettext ------------------------------------------------

OPEN, CLOSE = "\u27ea", "\u27eb"


class Marking(NullI18nService):
    """Pseudo-translation: every message comes back wrapped in marks, so unmarked text stands out."""

    def gettext(self, message):
        return OPEN + message + CLOSE

    def ngettext(self, singular, plural, count):
        return OPEN + (singular if count == 1 else plural) + CLOSE


def author_texts(block):
    """Every text the course author wrote, as it may appear on the page."""
    scenario = block.compiled.scenario
    texts = {block.display_name, scenario.content_note, scenario.debrief}
    for node in scenario.nodes:
        texts.update((node.id, node.title, node.html))
        for choice in node.choices:
            texts.update((choice.id, choice.text, choice.consequence))
    for ending in scenario.endings:
        texts.update((ending.id, ending.title, ending.html))
    texts.update(reflection.prompt for reflection in scenario.reflections)
    texts.update(dimension.label for dimension in scenario.dimensions)
    words = set()
    for text in filter(None, texts):
        words.update(part.strip() for part in lxml_html.fromstring(f"<div>{text}</div>").itertext())
    return sorted(filter(None, words), key=len, reverse=True)


def unmarked_texts(page, author):
    """Text nodes and labelling attributes of the page that are neither marked nor author text."""
    tree = lxml_html.fromstring(page)
    pieces = list(tree.itertext())
    for element in tree.iter():
        for name in ("aria-label", "title", "placeholder", "alt", "data-failed", "data-offline",
                     "data-confirm-restart"):
            if element.get(name):
                pieces.append(element.get(name))
    leftovers = []
    for piece in pieces:
        rest, before = piece, None
        while rest != before:  # innermost first: a marked label may sit inside a marked message
            before, rest = rest, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", rest)
        for text in author:
            rest = rest.replace(text, " ")
        if re.search(r"[^\W\d_]", rest):
            leftovers.append(rest.strip())
    return leftovers


def test_every_interface_text_in_every_learner_state_goes_through_gettext():
    learner, pages = states_of_the_demo(Marking())
    author = author_texts(learner.block)
    for label, page in pages:
        assert unmarked_texts(page, author) == [], label


def test_the_unavailable_view_goes_through_gettext():
    learner = Speaker(Marking(), "<scenario><node id='a'/></scenario>")
    learner.block.runtime.user_is_staff = True
    page = learner.page()
    assert "cs-problems" in page
    leftovers = unmarked_texts(page, [learner.block.display_name, "<node>", "'a'", "a"])
    assert leftovers == []


def test_every_message_the_script_shows_comes_translated_from_the_template():
    read = set(re.findall(r'getAttribute\("data-([a-z-]+)"\)', static_text("student.js")))
    read -= {"version", "node", "action", "choice", "reflection"}  # state, not messages
    assert read == {"failed", "offline", "confirm-restart", "taken-back"}
    _, pages = states_of_the_demo(Marking())
    box = lxml_html.fromstring(pages[0][1]).find_class("cs-scenario")[0]
    for name in read:
        assert box.get(f"data-{name}", "").startswith(OPEN), name


def staff_speaker(service):
    """A staff member who has played the demo to an ending (so the dashboard has figures)."""
    learner = Speaker(service, DEMO_SCENARIO)
    learner.block.runtime.user_is_staff = True
    learner.block.runtime.handler_url = lambda block, name, *args, **kwargs: f"/handler/{name}"
    learner.play("check_place", "plain_limits", "options")
    return learner


def without_editor_text(page):
    """The page without the OLX in Studio's editor (the author's own text, as written)."""
    tree = lxml_html.fromstring(page)
    for editor in tree.xpath("//textarea"):
        editor.text = ""
    return lxml_html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("view", ["studio_view", "author_view", "staff_view", "student_view"])
def test_studio_and_the_staff_dashboard_go_through_gettext(view):
    staff = staff_speaker(Marking())
    page = without_editor_text(getattr(staff.block, view)({}).body_html())
    assert OPEN in page
    assert unmarked_texts(page, author_texts(staff.block)) == []


def test_studio_and_the_staff_dashboard_speak_french():
    staff = staff_speaker(i18n.CatalogI18nService("fr"))
    studio = lxml_html.fromstring(staff.block.studio_view({}).body_html()).text_content()
    assert "Paramètres" in studio and "Aucun problème trouvé" in studio
    dashboard = lxml_html.fromstring(staff.block.staff_view({}).body_html()).text_content()
    assert "Résultats de la cohorte" in dashboard and "Personnes apprenantes" in dashboard


# ---- the workbench follows the browser's language ---------------------------------------------


def test_the_workbench_answers_in_the_browsers_language(django_client, workbench_django):
    scenario_id, usage_id = next(
        (sid, found[0]) for sid in workbench_django.scenarios()
        if sid.startswith("cultural_safety_scenario")
        for found in [workbench_django.usage_ids(sid, "cultural_safety_scenario")] if found)
    page = f"/scenario/{scenario_id}/?student=i18n_learner"
    french = django_client.get(page, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()
    english = django_client.get(page, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Commencer le scénario" in french and "Begin the scenario" not in french
    assert "Begin the scenario" in english and "Commencer le scénario" not in english
    stale = django_client.post(
        workbench_django.handler_url(usage_id, "choose", student="i18n_learner"),
        data=json.dumps({"version": 7, "node": "nowhere", "choice": "x"}),
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert stale.status_code == 409
    assert stale.json()["message"].startswith("Cette page n'est plus à jour")


def test_the_default_display_name_is_translated_but_an_authors_is_not():
    french = i18n.CatalogI18nService("fr")
    unnamed = Speaker(french, DEMO_SCENARIO)
    assert ">Scénario à embranchements</h2>" in unnamed.page()
    named = Speaker(french, DEMO_SCENARIO, display_name="Branching scenario")
    assert ">Branching scenario</h2>" in named.page()


def test_a_problem_reads_wholly_in_french_words_inserted_included():
    from tests.support.builders import choice, compiled, ending, node

    french = i18n.catalog("fr").gettext
    result = compiled(node("a", choice("x", "end", text=" ")), ending("end"))
    (empty,) = [p for p in result.problems if p.code == "empty-text"]
    where, what, fix = empty.render(french)
    assert "texte de l'option" in what and "option text" not in what + fix
