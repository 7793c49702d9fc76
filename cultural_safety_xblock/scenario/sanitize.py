"""The allow-list for author HTML, used both to report and to clean.

Validation walks the parsed XHTML and names what is not allowed (with its line); rendering runs
nh3 with the same list, so what an author sees reported is exactly what learners lose.
"""
import nh3

ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "ul", "ol", "li", "blockquote", "q", "cite", "br", "h3", "h4",
     "a", "abbr", "span", "img"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}, "img": {"src", "alt"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_ATTRIBUTES = 24


def clean(html):
    """Author HTML made safe for a learner's page."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


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
            if name not in allowed:
                yield child.sourceline, f'{name}="..." on <{child.tag}>'
            elif name in ("href", "src") and _unsafe_url(value):
                yield child.sourceline, f'{name}="{value[:40]}" on <{child.tag}>'
