"""Jinja rendering with autoescape, and the learner's stage described for templates.

``stage`` is the single place deciding what a learner may see: the current scene and the text of
the choices offered, the consequence of a choice already made, and after an ending the path with
ratings. Ratings, points, targets and consequences of unchosen choices never enter it, and
nor do choices' ids: the offered choices are named by tokens (scenario/tokens.py).
"""
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, select_autoescape
from markupsafe import Markup

from .scenario import engine, scoring, tokens
from .scenario.memory import Memory
from .scenario.sanitize import clean


def _load(name):
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


ENVIRONMENT = Environment(
    loader=FunctionLoader(_load),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template, **context):
    return ENVIRONMENT.get_template(template).render(**context)


@lru_cache(maxsize=4096)
def safe_html(html):
    """Author HTML cleaned by the allow-list, marked safe for templates."""
    return Markup(clean(html))


@cache
def static_text(name):
    """A file of static/, read once per process (every learner view carries its JS and CSS)."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _path_view(scenario, path):
    """The choices the learner made, with what each did (ratings are theirs to see now)."""
    steps = []
    for number, (node, choice, _offered) in enumerate(scoring.chosen(scenario, path), start=1):
        steps.append({"number": number, "node_title": node.title, "text": choice.text,
                      "rating": choice.rating, "points": choice.points,
                      "consequence": safe_html(choice.consequence)})
    return steps


def stage(compiled, state, rules, reflections=None, author=False):
    """What the learner's stage shows now, as a plain dict for the template. Each offered
    choice is named by its token, or for an ``author`` (Studio's preview) by its id."""
    scenario = compiled.scenario
    view = {
        "status": "intro" if not state.place else "node",
        "version": state.version,
        "attempt": state.attempt,
        "attempts_left": engine.attempts_left(state, rules),
        "content_note": scenario.content_note,
        "step": len(state.path) + 1,
        "can_back": rules.allow_back and bool(state.path),
        "can_restart": rules.allow_restart and engine.attempts_left(state, rules) != 0,
    }
    if state.path:
        node_id, choice_id = state.path[-1]
        before = scenario.node(node_id)
        choice = before.choice(choice_id) if before else None
        if choice is not None:
            view["consequence"] = {"text": choice.text, "html": safe_html(choice.consequence)}
    node = scenario.node(state.place)
    if node is not None:
        view["node"] = {"id": node.id, "title": node.title, "html": safe_html(node.html),
                        "choices": [{"token": choice.id if author else token, "text": choice.text}
                                    for token, choice in tokens.offered(scenario, state)]}
    ending = scenario.ending(state.place)
    if ending is not None:
        result = scoring.result(scenario, state.path)
        view.update(
            status="ending",
            can_back=False,
            ending={"id": ending.id, "title": ending.title, "outcome": ending.outcome,
                    "html": safe_html(ending.html)},
            result=result,
            path=_path_view(scenario, state.path),
            debrief=safe_html(scenario.debrief),
            reflections=[{"id": r.id, "prompt": r.prompt,
                          "answer": (reflections or {}).get(r.id, "")}
                         for r in scenario.reflections],
        )
    return view


# -- a node's stage, rendered once and served to every learner who stands where it shows ----------

# Every interface string stage.html shows at a node. Their translations are part of the cache's
# key (so each language has its own entry), and the template is given exactly these: one it
# shows that is not here fails loudly (KeyError) instead of being cached in the wrong language.
NODE_STAGE_WORDS = ("What happened", "You chose:", "Decision {number}", "What do you do?",
                    "Take back my last choice", "Start again", "Pause", "Attempts left: {count}")
CACHED_NODE_STAGES = 2048   # about 1.5 KiB each
_NODE_STAGE_HEAD = '<div class="cs-stage-body" data-status="node" data-version="'
_node_stages = Memory(CACHED_NODE_STAGES)


def node_stage(compiled, state, rules, gettext, uid, text_lang=""):
    """stage.html for a learner at a node (``state.place`` names a node), as
    ``render("stage.html", view=stage(compiled, state, rules), _=gettext, uid=uid,
    text_lang=text_lang)`` gives it.

    At a node the stage holds nothing of the learner's own but the version: the scene, the
    choices offered, the consequence of the last choice and the controls follow from the
    scenario's version, the place, the last step, the path's length, the choices offered and the
    rules. So it is rendered once per such key (with the block's DOM id prefix and the words in
    the reader's language) and the learner's version is put in its place.
    """
    scenario = compiled.scenario
    offered = tuple(choice.id for choice in engine.offered(scenario, state))
    left = engine.attempts_left(state, rules)
    words = tuple(map(gettext, NODE_STAGE_WORDS))
    key = (compiled.content_hash, uid, text_lang, words, state.place, state.path[-1:], len(state.path),
           offered, rules.allow_back and bool(state.path),
           rules.allow_restart and left != 0, left)
    parts = _node_stages.get(key)
    if parts is None:
        html = render("stage.html", view=stage(compiled, replace(state, version=0), rules),
                      _=dict(zip(NODE_STAGE_WORDS, words, strict=True)).__getitem__, uid=uid,
                      text_lang=text_lang)
        if not html.startswith(_NODE_STAGE_HEAD + '0"'):   # the template changed its first tag
            return render("stage.html", view=stage(compiled, state, rules), _=gettext, uid=uid,
                          text_lang=text_lang)
        parts = _node_stages.keep(key, (html[:len(_NODE_STAGE_HEAD)],
                                        html[len(_NODE_STAGE_HEAD) + 1:]))
    return f"{parts[0]}{state.version}{parts[1]}"


# -- the learner's page around the stage, rendered once per block, language and title -------------

PAGE_WORDS = ("That did not work. Please try again.",
              "The server could not be reached. Check your connection and try again.",
              "Start the scenario again from the beginning? Your current path will be left behind.",
              "Your last choice was taken back. You are at this decision again: {title}",
              "Paused", "Take the time you need. Your place is saved, here and if you leave this page.",
              "Resume")
CACHED_PAGES = 1024
_STAGE_MARK = "\x00cs-stage\x00"   # where the stage goes; a control character no text can hold
_pages = Memory(CACHED_PAGES)


def learner_page(stage_html, gettext, uid, title, notice, langs=("", ""), interface="en"):
    """student.html around ``stage_html``, as ``render("student.html", stage=Markup(stage_html),
    _=gettext, uid=uid, title=title, notice=notice, title_lang=langs[0], text_lang=langs[1],
    interface_lang=interface)`` gives it; the page around the stage is rendered once per (uid,
    title, notice, the title's and the text's lang attributes, the interface's language,
    translated words)."""
    words = tuple(map(gettext, PAGE_WORDS))
    key = (uid, title, notice, langs, interface, words)
    parts = _pages.get(key)
    if parts is None:
        html = render("student.html", stage=Markup(_STAGE_MARK), uid=uid, title=title,
                      notice=notice, _=dict(zip(PAGE_WORDS, words, strict=True)).__getitem__,
                      title_lang=langs[0], text_lang=langs[1], interface_lang=interface)
        if html.count(_STAGE_MARK) != 1:   # the mark met elsewhere: no cache, the plain render
            return render("student.html", stage=Markup(stage_html), _=gettext, uid=uid,
                          title=title, notice=notice, title_lang=langs[0], text_lang=langs[1],
                          interface_lang=interface)
        parts = _pages.keep(key, tuple(html.split(_STAGE_MARK)))
    return f"{parts[0]}{stage_html}{parts[1]}"
