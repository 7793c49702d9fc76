"""No script an author or a learner writes ever runs in anyone's browser.

A corpus of cross-site scripting payloads is put in every field an author controls (scene,
choice text and id, consequence, ending title and text, debrief, display name, content note,
reflection id and prompt, dimension label, node title) and in the reflections learners type.
Every view is then read - the learner's page at each stage, every handler's answer,
``student_view_data``, and as staff the dashboard, the staff view, Studio's editor and preview,
and every staff handler found on the block - and each piece of HTML is checked with an HTML
parser: only tags our templates or the author allow-list write, no event-handler attribute, no
script URL. Text fields must show the payload as text (escaped), not drop it.

The browser test serves a course made of payloads in the workbench and plays it in Chromium:
each payload sets ``window.__xss`` or opens a dialog, and neither may ever happen.
"""
import csv
import io
import json
import re
from html import escape as html_escape
from html.parser import HTMLParser
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from webob import Request

from cultural_safety_xblock import rendering
from cultural_safety_xblock.block import CulturalSafetyScenarioBlock
from cultural_safety_xblock.mobile import HANDLERS as LEARNER_HANDLERS
from cultural_safety_xblock.scenario import sanitize
from tests.support.runtime import Learner

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload=window.__xss=1>',
    "'><img src=x onerror=window.__xss=1>",
    '" onmouseover="window.__xss=1" x="',
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<a href="javascript:window.__xss=1">click</a>',
    "javascript:window.__xss=1",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<style>*{background:url("javascript:window.__xss=1")}</style>',
    '<base href="javascript:window.__xss=1//">',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    '<object data="javascript:window.__xss=1"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    "<!--<img src=x onerror=window.__xss=1>-->",
    "]]><script>window.__xss=1</script>",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "\u2028\u2029<script>window.__xss=1</script>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(document.cookie)</script>",
    "{{7*7}}{% raw %}${7*7}#{7*7}",
    "{0}{name}{version}%s%(x)s",
    "=HYPERLINK(\"http://example.invalid\",\"x\")",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster",
                  "background", "codebase", "cite"}
FORBIDDEN_ATTRIBUTES = {"srcdoc", "style"}


def written_tags():
    """Tags our templates and the dashboard picture write, and those authors may use."""
    package = resources.files("cultural_safety_xblock")
    sources = [path.read_text(encoding="utf-8") for path in package.joinpath("templates").iterdir()]
    sources.append(package.joinpath("flow.py").read_text(encoding="utf-8"))
    found = set()
    for source in sources:
        found |= {tag.lower() for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", source)}
    return found | sanitize.ALLOWED_TAGS


ALLOWED_TAGS = written_tags() - {"script", "iframe", "object", "embed", "style", "base", "meta"}


class Inspector(HTMLParser):
    """Every tag and attribute of a piece of HTML, as a browser would tokenise it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                self.bad.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower().partition(":")
                if scheme[1] and "/" not in scheme[0] and scheme[0] not in ("http", "https",
                                                                               "mailto"):
                    self.bad.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def assert_inert(html, where=""):
    inspector = Inspector()
    inspector.feed(str(html))
    inspector.close()
    assert not inspector.bad, (where, inspector.bad)


def assert_html_values_inert(value, where):
    """In a JSON answer, every HTML value (a stage, an "html" or "..._html" key) is inert."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key in ("stage", "html") or key.endswith("_html")):
                assert_inert(item, f"{where}.{key}")
            else:
                assert_html_values_inert(item, f"{where}.{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value):
            assert_html_values_inert(item, f"{where}[{number}]")


def xml_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attribute(text):
    return xml_text(text).replace('"', "&quot;").replace("\u2028", "&#x2028;").replace(
        "\u2029", "&#x2029;")


def scenario_of(payload):
    """A playable scenario whose every author-written text is ``payload``."""
    text, value = xml_text(payload), xml_attribute(payload)
    return f"""<scenario start="a">
  <content_note>{text}</content_note>
  <dimension id="d" label="{value}"/>
  <node id="a" title="{value}"><html><p>{text}</p></html>
    <choice id="{value}" target="b" rating="best" points="2"><text>{text}</text>
      <consequence><p>{text}</p></consequence><score dimension="d" points="2"/></choice>
    <choice id="other" target="b" rating="harmful" points="0"><text>{text} (2)</text>
      <consequence><p>{text} (unchosen)</p></consequence><score dimension="d" points="0"/></choice>
  </node>
  <node id="b" title="{value}"><html><p>{text}</p></html>
    <choice id="last" target="end" rating="best" points="2"><text>{text}</text>
      <consequence><p>{text}</p></consequence></choice>
  </node>
  <ending id="end" outcome="safe" title="{value}"><html><p>{text}</p></html></ending>
  <debrief><html><p>{text}</p></html></debrief>
  <reflection id="{value}" prompt="{value}"/>
</scenario>"""


def markup_scenario(markup):
    """A scenario with ``markup`` as HTML in every HTML field (not escaped)."""
    return scenario_of("words").replace("<p>words</p>", markup).replace(
        "<p>words (unchosen)</p>", markup)


def as_staff(block):
    """The block seen by course staff (TestRuntime has no handler URLs: give it simple ones)."""
    block.runtime.user_is_staff = True
    block.runtime.handler_url = lambda _block, name, suffix="", query="", thirdparty=False: (
        f"/handler/{name}/{suffix}")
    return block


def call(block, handler, body=None, method="POST"):
    raw = b"" if body is None else json.dumps(body).encode()
    response = getattr(block, handler)(Request.blank("/", method=method, body=raw))
    block.save()
    return response


def answer_html(response, where):
    """Check one handler answer: JSON (HTML values inert), CSV (no formula cells) or HTML."""
    text = response.body.decode("utf-8")
    if response.content_type == "application/json":
        assert_html_values_inert(json.loads(text), where)
    elif response.content_type == "text/csv":
        for row in csv.reader(io.StringIO(text)):
            assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@")], (where, row)
    else:
        assert_inert(text, where)
    return text


# -- every view, every stage, learner and staff ----------------------------------------------------

def learner_pages(payload):
    """(where, html) of everything a learner's browser receives while playing the scenario."""
    learner = Learner(scenario_of(payload), display_name=payload)
    block = learner.load()
    seen = [("intro", block.student_view().content)]
    data = [("intro data", block.student_view_data())]
    for handler, chosen in (("begin", None), ("choose", payload.strip()), ("choose", "last")):
        body = {} if chosen is None else {"choice": learner.token(chosen)}   # its button's token
        state = learner.seen()
        stale = dict(state, version=state["version"] - 1)
        answer = call(learner.load(), handler, dict(state, **body))
        assert answer.status_code == 200, answer.body
        seen.append((f"{handler} answer", json.loads(answer.body)["stage"]))
        refused = call(learner.load(), handler, dict(stale, **body))
        assert refused.status_code == 409
        seen.append((f"{handler} refusal", json.loads(refused.body)["stage"]))
        block = learner.load()
        seen.append((f"page after {handler}", block.student_view().content))
        data.append((f"data after {handler}", block.student_view_data()))
    saved = call(learner.load(), "save_reflection", {"id": payload.strip(), "text": payload})
    assert saved.status_code == 200, saved.body
    seen.append(("page with the reflection", learner.load().student_view().content))
    return learner, seen, data


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_every_text_field_is_shown_as_text_to_learners(payload):
    _learner, pages, data = learner_pages(payload)
    for where, html in pages:
        assert_inert(html, where)
    shown = str(escape(" ".join(payload.split())))  # attributes and plain text are normalised
    everything = "".join(html for _, html in pages)
    assert shown in everything and ("<" not in payload or payload not in everything)
    debrief = pages[-1][1]
    assert debrief.count(shown) >= 8  # title, ending, debrief, path, prompt, reflection...
    for where, value in data:
        assert_html_values_inert(value, where)
        json.dumps(value).encode("utf-8")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_every_text_field_is_inert_in_every_staff_and_studio_view(payload):
    learner, _pages, _data = learner_pages(payload)
    as_staff(learner.load())
    views = [name for name in dir(CulturalSafetyScenarioBlock)
             if name.endswith("_view") and not name.startswith("_")
             and callable(getattr(CulturalSafetyScenarioBlock, name))]  # not has_author_view
    assert {"student_view", "studio_view", "author_view", "staff_view"} <= set(views)
    for name in views:
        assert_inert(getattr(as_staff(learner.load()), name)().content, name)
    for name in staff_handlers():
        for method, body in (("GET", None), ("POST", STAFF_BODIES.get(name, {}))):
            staff = as_staff(learner.load())
            answer_html(call(staff, name, body, method), f"{name} {method}")


STAFF_BODIES = {
    "studio_check": {"scenario_xml": ""},
    "studio_preview": {"scenario_xml": "", "node": "b", "path": [["b", "last"]]},
}


def staff_handlers():
    return sorted(name for name in dir(CulturalSafetyScenarioBlock)
                  if getattr(getattr(CulturalSafetyScenarioBlock, name), "_is_xblock_handler",
                             False) and name not in LEARNER_HANDLERS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_studio_checks_and_previews_a_payload_scenario_without_running_it(payload):
    author = Learner(scenario_of("words"), user="staff")
    block = as_staff(author.block)
    text = scenario_of(payload)
    for handler, body in (("studio_check", {"scenario_xml": text}),
                          ("studio_preview", {"scenario_xml": text, "node": "a", "path": []}),
                          ("studio_check", {"scenario_xml": markup_scenario(payload)
                                            if "<" in payload else payload})):
        response = call(block, handler, body)
        assert response.status_code < 500
        answer_html(response, handler)


# -- author HTML: refused, and cleaned anyway ------------------------------------------------------

# Well-formed (XHTML) versions, so that the reader gets past the XML and the allow-list decides.
MARKUP = [
    "<script>window.__xss=1</script>",
    '<img src="x" onerror="window.__xss=1"/>',
    '<svg onload="window.__xss=1"/>',
    '<iframe srcdoc="&lt;script&gt;parent.__xss=1&lt;/script&gt;"></iframe>',
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href=" java&#9;script:window.__xss=1">tab</a>',
    '<details open="" ontoggle="window.__xss=1"><summary>s</summary></details>',
    "<math><mtext><table><mglyph><style>&lt;img src=x onerror=window.__xss=1&gt;</style>"
    "</mglyph></table></mtext></math>",
    "<svg><script>window.__xss=1</script></svg>",
    '<style>*{background:url("javascript:window.__xss=1")}</style>',
    '<base href="javascript:window.__xss=1//"/>',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    '<object data="javascript:window.__xss=1"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1"/>',
    '<p onclick="window.__xss=1">para</p>',
    '<span style="background:url(javascript:window.__xss=1)">s</span>',
    '<img src="data:image/svg+xml,&lt;svg onload=window.__xss=1&gt;"/>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<p xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:window.__xss=1">x</a></p>',
]


@pytest.mark.parametrize("markup", MARKUP)
def test_unsafe_author_html_makes_the_scenario_unavailable_with_problems_shown_as_text(markup):
    learner = Learner(markup_scenario(markup))
    block = learner.load()
    assert "unsafe-html" in {problem.code for problem in block.compiled.problems}
    page = block.student_view().content
    assert "not available yet" in page
    assert_inert(page, "learner")
    as_staff(block)
    for name in ("student_view", "studio_view", "author_view", "staff_view"):
        assert_inert(getattr(block, name)().content, name)
    assert "cs-problems" in block.student_view().content
    assert_inert(rendering.safe_html(markup), "cleaned")


ALLOWED_MARKUP = [
    '<p><a href="https://example.org/?q=&lt;script&gt;">a link</a></p>',
    '<p><img src="https://example.org/x.png" alt="&quot; onerror=&quot;window.__xss=1"/></p>',
    '<p><abbr title="&quot;&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;">CBT</abbr></p>',
    '<p><a href="mailto:someone@example.org">mail</a> <q>&lt;img src=x onerror=1&gt;</q></p>',
]


@pytest.mark.parametrize("markup", ALLOWED_MARKUP)
def test_allowed_author_html_reaches_learners_cleaned(markup):
    learner = Learner(markup_scenario(markup))
    assert learner.block.compiled.playable, learner.block.compiled.problems
    learner.begin()
    learner.choose("words")
    page = learner.load().student_view().content
    assert_inert(page)
    if "<a " in markup:
        assert 'rel="noopener noreferrer"' in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitizer_leaves_no_payload_able_to_run(payload):
    cleaned = rendering.safe_html(payload)
    assert_inert(cleaned)
    assert sanitize.clean(str(cleaned)) == str(cleaned)


HTML_PIECES = st.sampled_from([
    "<", ">", "</", "/>", "=", '"', "'", "`", " ", "\n", "\x00", "&", "&#", "&#x3c;", ";", "-->",
    "<!--", "<![CDATA[", "]]>", "script", "img", "svg", "a", "p", "style", "textarea", "title",
    "math", "onerror", "onload", "href", "src", "javascript:", "java\tscript:", "data:",
    "alert(1)", "window.__xss=1", "x",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HTML_PIECES, max_size=30).map("".join))
def test_any_soup_of_html_pieces_is_cleaned_to_something_inert_and_stable(soup):
    cleaned = sanitize.clean(soup)
    assert_inert(cleaned)
    assert sanitize.clean(cleaned) == cleaned  # no mutation on a second pass (mXSS)


def test_the_checker_itself_catches_each_kind_of_payload():
    """The inspector would fail on what the views must never contain."""
    for bad in ('<script>x</script>', '<img src="x" onerror="y">', '<a href=" java\tscript:x">',
                '<iframe srcdoc="x">', '<p style="x">', '<form action="javascript:x">'):
        with pytest.raises(AssertionError):
            assert_inert(bad)
    assert_inert(html_escape(PAYLOADS[0]))


# -- in a real browser ------------------------------------------------------------------------------

SHOWN = [p for p in PAYLOADS if "\u2028" not in p]


def payload_course(folder):
    """A one-chapter course: a unit whose scenario holds every payload in every text field, and
    one whose HTML fields hold unsafe markup (shown to staff as a problem list)."""
    joined = " ".join(SHOWN)
    unsafe = "".join(MARKUP)
    playable = scenario_of(joined).replace("<scenario ", '<cultural_safety_scenario url_name="p1" '
                                           f'display_name="{xml_attribute(joined)}" ', 1)
    refused = markup_scenario(f"<p>{xml_text(joined)}</p>{unsafe}").replace(
        "<scenario ", '<cultural_safety_scenario url_name="p2" ', 1)
    playable = playable.replace("</scenario>", "</cultural_safety_scenario>")
    refused = refused.replace("</scenario>", "</cultural_safety_scenario>")
    (folder / "course.xml").write_text(
        '<course org="Test" course="XSS" url_name="run" display_name="XSS"><chapter url_name="c" '
        'display_name="Chapter"><sequential url_name="s" display_name="Section">'
        f'<vertical url_name="v1" display_name="Payloads">{playable}</vertical>'
        f'<vertical url_name="v2" display_name="Unsafe markup">{refused}</vertical>'
        "</sequential></chapter></course>", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory):
    from tests.support.workbench_server import WorkbenchServer

    course = payload_course(tmp_path_factory.mktemp("payload-course"))
    server = WorkbenchServer(tmp_path_factory.mktemp("payload-workbench"), course=course)
    with server as url:
        yield url


WATCH = """() => {
    const found = [];
    for (const el of document.querySelectorAll('.cs-scenario *, .cs-staff *, .cs-studio *')) {
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) { found.push(el.tagName + ' ' + attr.name); }
        }
        if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META'].includes(el.tagName)) {
            found.push(el.tagName);
        }
    }
    return {xss: window.__xss === undefined ? null : String(window.__xss), found: found};
}"""


@pytest.mark.browser
def test_no_payload_runs_in_the_browser_for_a_learner_or_for_staff(page, payload_server, page_log):
    from tests.support.learner_page import BODY, LearnerPage

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # the watch works: an unescaped payload is caught (then the page is left for the real one)
    page.set_content('<div class="cs-scenario"><img src="x" onerror="window.__xss=1"></div>')
    page.wait_for_function("() => window.__xss !== undefined")
    assert page.evaluate(WATCH) == {"xss": "1", "found": ["IMG onerror"]}
    learner = LearnerPage(page, payload_server, "cultural_safety_scenario.0", "xss_learner").open()
    assert page.evaluate(WATCH) == {"xss": None, "found": []}
    assert SHOWN[0] in page.inner_text(".cs-scenario")  # the payloads are there, as text
    learner.begin()
    while learner.status() != "ending":
        learner.choose()
        assert page.evaluate(WATCH) == {"xss": None, "found": []}
    reflection = page.locator(f"{BODY} .cs-reflection textarea").first
    reflection.fill(" ".join(SHOWN))
    page.locator(f"{BODY} .cs-reflection button[type='submit']").first.click()
    page.wait_for_function("() => document.querySelector('.cs-saved').textContent.trim() !== ''")
    learner.reload()
    assert reflection.input_value() == " ".join(SHOWN)
    page.hover(f"{BODY} .cs-debrief")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(WATCH) == {"xss": None, "found": []}
    for scenario_id in ("cultural_safety_scenario.0", "cultural_safety_scenario.1"):
        for view in (None, "staff_view", "studio_view", "author_view"):
            page.goto(payload_server.scenario(scenario_id, view=view, student="staff"))
            page.wait_for_load_state("networkidle")
            assert page.evaluate(WATCH) == {"xss": None, "found": []}, (scenario_id, view)
            if view != "staff_view":  # the dashboard shows counts, not the author's text
                assert "window.__xss=1" in page.inner_text("body"), (scenario_id, view)
    assert dialogs == []
    assert not [error for error in page_log.errors if "__xss" in error]
