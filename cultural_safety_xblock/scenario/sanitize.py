"""The allow-list for author HTML, used both to report and to clean.

Validation walks the parsed XHTML and names what is not allowed (with its line); rendering runs
nh3 with the same list, so what an author sees reported is exactly what learners lose.
"""
import nh3

from .language import normalise

ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "ul", "ol", "li", "blockquote", "q", "cite", "br", "h3", "h4",
     "a", "abbr", "span", "img"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}, "img": {"src", "alt"}}
# On any allowed tag: a word or passage in another language than the scenario's (a Māori
# greeting in an English scene), so that screen readers pronounce it in its own (WCAG 3.1.2).
# Its value must be a language tag (scenario/language.py); it is written the usual way.
LANGUAGE_ATTRIBUTE = "lang"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_ATTRIBUTES = 24


def clean(html):
    """Author HTML made safe for a learner's page."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
        | {"*": {LANGUAGE_ATTRIBUTE}},
        attribute_filter=_language_checked,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _language_checked(_tag, name, value):
    """nh3's filter: a lang attribute keeps a language tag (written the usual way), or goes."""
    return normalise(value) if name == LANGUAGE_ATTRIBUTE else value


def _unsafe_url(value):
    scheme, colon, _ = value.strip().partition(":")
    return bool(colon) and "/" not in scheme and scheme.lower() not in URL_SCHEMES


def disallowed(element):
    """(line, description) for each tag or attribute under ``element`` that cleaning removes."""
    for child in element.iterdescendants():
        if not isinstance(child.tag, str):
            continue
        if child.tag not in ALLOWED_TAGS:
            yield child.sourceline, f"<{child.tag}>"
            continue
        if len(child.attrib) > MAX_ATTRIBUTES:  # reading them all would take quadratic time
            yield child.sourceline, f"{len(child.attrib)} attributes on <{child.tag}>"
            continue
        allowed = ALLOWED_ATTRIBUTES.get(child.tag, set())
        for name, value in child.attrib.items():
            if name == LANGUAGE_ATTRIBUTE:
                if normalise(value) is None:
                    yield child.sourceline, f'{name}="{value[:40]}" on <{child.tag}>'
            elif name not in allowed:
                yield child.sourceline, f'{name}="..." on <{child.tag}>'
            elif name in ("href", "src") and _unsafe_url(value):
                yield child.sourceline, f'{name}="{value[:40]}" on <{child.tag}>'
