"""The debrief as a learner reads it: how many choices were harmful, said properly for none,
one and several, in English and French; the path as situation, choice and what happened."""
import pytest
from lxml import html as lxml_html

from cultural_safety_xblock import i18n
from tests.support.builders import BRANCHING
from tests.support.runtime import Learner


def debrief(*choices, language=None):
    learner = Learner(BRANCHING)
    if language:
        learner.block.runtime._services["i18n"] = i18n.CatalogI18nService(language)  # noqa: SLF001
    answers = learner.play(*choices)
    assert [status for status, _ in answers] == [200] * len(choices)
    return lxml_html.fromstring(answers[-1][1]["stage"])


@pytest.mark.parametrize("choices, language, said", [
    (("good", "best"), None, "None of your choices was harmful."),
    (("bad", "best"), None, "1 of your choices was harmful."),
    (("bad", "harm"), None, "2 of your choices were harmful."),
    (("good", "best"), "fr", "Aucun de vos choix n'a été préjudiciable."),
    (("bad", "best"), "fr", "1 de vos choix a été préjudiciable."),
    (("bad", "harm"), "fr", "2 de vos choix ont été préjudiciables."),
])
def test_the_count_of_harmful_choices_reads_well_from_none_to_several(choices, language, said):
    page = debrief(*choices, language=language)
    assert page.find_class("cs-harmful")[0].text_content().strip() == said


def test_the_path_gives_each_situation_then_the_choice_then_what_happened():
    page = debrief("bad", "repair")
    steps = page.find_class("cs-path")[0].findall("li")
    assert len(steps) == 2
    for step, (title, text, rating) in zip(
            steps, [("a", "Option bad", "Harmful"), ("b", "Option repair", "Acceptable")],
            strict=True):
        terms = [dt.text_content() for dt in step.iter("dt")]
        values = [" ".join(dd.text_content().split()) for dd in step.iter("dd")]
        assert terms == ["Situation", "You chose", "What happened"]
        assert values[0] == title and values[1] == f"{text} {rating}"
        assert values[2] == f"After {text.split()[-1]}"
    assert ": Option" not in page.find_class("cs-path")[0].text_content()   # no "title: choice"


def test_the_path_is_in_french_for_a_french_learner():
    page = debrief("good", "best", language="fr")
    terms = [dt.text_content() for dt in page.find_class("cs-path")[0].iter("dt")][:3]
    assert terms == ["Situation", "Votre choix", "Ce qui s'est passé"]
