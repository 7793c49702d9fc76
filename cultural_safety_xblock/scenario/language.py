"""Language tags for the author's text: which ones are accepted, how they are written.

The learner's interface is translated, but the scenario is written in one language, its own
(``content_language``). Pages mark every piece of the author's text with that tag (WCAG 2.1
SC 3.1.2, Language of Parts) so screen readers pronounce it in its language, whatever the
interface speaks. A tag is accepted when it is a well-formed BCP 47 tag (language, then an
optional script, region, variants, extensions, private use) whose language is a real one: a
two-letter language must be an ISO 639-1 code, so typing slips such as "eng" or "fe" do not pass
for languages (browsers and screen readers ignore a language they do not know).
"""
import re

from .problems import N_, Term, problem

# ISO 639-1 codes in current use (deprecated ones, such as "iw" and "in", are left out).
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split())
MAX_TAG = 64
_TAG = re.compile(r"""
    (?P<language>[a-z]{2,3})
    (?:-(?P<extlang>[a-z]{3}))?
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?P<rest>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*      # variants
             (?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*            # extensions
             (?:-x(?:-[a-z0-9]{1,8})+)?)                    # private use
    """, re.VERBOSE | re.IGNORECASE)
# Written right to left: these scripts, and these languages when no script is given.
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr"})
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "arc",
                           "syr", "ks"})
DEFAULT = "en"


def normalise(text):
    """The tag written the usual way ("pt_br" -> "pt-BR", "ZH-hans" -> "zh-Hans"), or None when
    ``text`` is not an accepted language tag."""
    text = (text or "").strip().replace("_", "-")
    found = _TAG.fullmatch(text) if len(text) <= MAX_TAG else None
    if found is None:
        return None
    language = found["language"].lower()
    if len(language) == 2 and language not in ISO_639_1:
        return None
    parts = [language]
    if found["extlang"]:
        parts.append(found["extlang"].lower())
    if found["script"]:
        parts.append(found["script"].title())
    if found["region"]:
        parts.append(found["region"].upper())
    return "-".join(parts) + found["rest"].lower()


def direction(tag):
    """"rtl" or "ltr": the direction text in the language ``tag`` (a normalised tag) runs."""
    subtags = tag.split("-")
    scripts = [part for part in subtags[1:3] if len(part) == 4 and part.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


EXPECTED = Term(N_("a language tag such as en, fr or pt-BR"))
HOW = N_("The language of the scenario's text must be a language tag such as en, fr or pt-BR "
         "(a language code, then an optional region), or empty for the course's language.")


def problems(settings):
    """A problem for a ``content_language`` in ``settings`` that is not a language tag."""
    value = settings.get("content_language")
    if value is None or not value.strip() or normalise(value) is not None:
        return []
    return [problem("bad-value", N_("scenario"), N_("{name}=\"{value}\" is not valid"),
                    N_("use {expected}"), name="content_language", value=value[:40],
                    expected=EXPECTED)]
