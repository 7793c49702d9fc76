"""The language the scenario's text is written in, and its mark on every page (WCAG 2.1 SC 3.1.2).

Every container of the author's text (scene, choices, consequences, endings, debrief, content
note, reflection prompts, a display name the author chose) carries ``lang`` and ``dir``, always,
not only when the text's language differs from the interface's. The block cannot see the page's
own ``lang``: the LMS, Studio or the mobile app's web view sets it, and when the learner's language
is one the block has no catalog for, the interface falls back to English under a page that says
otherwise. A redundant ``lang`` costs about 20 bytes and is harmless; a missing one makes screen
readers read the scenario with the wrong pronunciation. Marking always also keeps a node's
cached stage the same for every interface language.

The setting: ``content_language``, a language tag; empty means the course's language (the
``language`` of the course in its Schedule & Details / policy.json), else English. Empty is stored
as no value, so an export carries no attribute and a copy imported into another course follows
that course.
"""
import functools
import time

from markupsafe import Markup
from xblock.fields import Scope, String

from .scenario import language
from .scenario.memory import Memory

COURSE_LANGUAGE_SECONDS = 600    # a course's language, once looked up, is trusted this long
MAX_ANCESTORS = 8
CACHED_COURSES = 1024
_course_languages = Memory(CACHED_COURSES)   # course key -> (language or "", when looked up)


def _(text):
    return text


class ContentLanguageField(String):
    """A String holding a language tag, written the usual way ("pt_br" -> "pt-BR"); writing an
    empty value forgets the setting (the course's language applies). A value that is not a tag
    is kept as given, for the save or import that checks it to report; pages ignore it."""

    def __set__(self, xblock, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if text == "":
            if self.is_set_on(xblock):
                self.__delete__(xblock)
            return
        super().__set__(xblock, language.normalise(text) or text)


def _course_language_of(block):
    """The ``language`` of the course above ``block`` (normalised), or "" when there is none."""
    for _step in range(MAX_ANCESTORS):
        try:
            block = block.get_parent()
        except Exception:  # noqa: BLE001 - a parent the runtime cannot load: no course language
            return ""
        if block is None:
            return ""
        if block.scope_ids.block_type == "course":
            return language.normalise(getattr(block, "language", "") or "") or ""
    return ""


@functools.lru_cache(maxsize=256)
def lang_attributes(tag):
    """`` lang="..." dir="..."`` for a language tag (made once per tag)."""
    return Markup(' lang="{}" dir="{}"').format(tag, language.direction(tag))


class ContentLanguageMixin:
    """``content_language`` and the ``lang``/``dir`` attributes of the author's text."""

    content_language = ContentLanguageField(
        display_name=_("Language of the scenario's text"), scope=Scope.settings, default="",
        help=_("A language tag such as en, fr or pt-BR. Empty: the course's language."))

    def course_language(self):
        """The course's language, or "" when the runtime shows no course (the workbench).

        Looked up through the block's parents once per block instance, and at most once per
        course every ten minutes in a process (a learner's step must not load the course's
        blocks each time)."""
        found = self.__dict__.get("_course_language")
        if found is not None:
            return found
        course = getattr(self.scope_ids.usage_id, "context_key", None)
        if course is None:
            found = ""  # Open edX's usage keys all name their course: this runtime has none
        else:
            known = _course_languages.get(course)
            if known is not None and time.monotonic() - known[1] < COURSE_LANGUAGE_SECONDS:
                found = known[0]
            else:
                found = _course_language_of(self)
                _course_languages.keep(course, (found, time.monotonic()))
        self.__dict__["_course_language"] = found
        return found

    def text_language(self):
        """The tag of the scenario's text: the setting, else the course's language, else "en"."""
        return (language.normalise(self.stored("content_language")) or self.course_language()
                or language.DEFAULT)

    def text_lang(self):
        """`` lang="..." dir="..."`` for an element holding the author's text."""
        return lang_attributes(self.text_language())

    def title_lang(self):
        """The same for the title, when it is the author's (the default one is translated)."""
        return self.text_lang() if self.fields["display_name"].is_set_on(self) else Markup("")

    def language_setting_problem(self, value):
        """(message, args) when ``value`` may not be stored as the content language, else None."""
        if value.strip() and language.normalise(value) is None:
            return language.HOW, {}
        return None

    def language_form_values(self):
        """What Studio's settings form shows: the setting as stored and what applies if empty."""
        return {"content_language": self.content_language,
                "course_language": self.course_language() or language.DEFAULT}

