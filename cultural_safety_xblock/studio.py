"""Authoring in Studio: the editor, live validation, the scenario map, previews (issue 3).

Every handler here is for course staff and checks that on the server before reading anything.
Nothing here reads or writes a learner's state or grade: a save changes the scenario and the
settings only, and each learner is fitted to the new version by ``learner_state`` on their next
request (resumed where the path still exists, else restarted, with a notice).
"""
import functools
import math
import re
from collections import deque

from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import InvalidScopeError
from xblock.fields import Scope

from . import editing, rendering
from .actions import read_request, respond
from .scenario import engine, olx
from .scenario import map as scenario_map
from .scenario.analysis import apply_effects, offered_choices
from .scenario.compiled import compile_text
from .scenario.engine import Refusal, Rules, State
from .scenario.memory import Memory
from .scenario.problems import N_, problem

MAX_EDIT_REQUEST = 2 * olx.MAX_BYTES + 16_384  # JSON escaping can double the scenario's size
MAX_DISPLAY_NAME = 200
MAX_WEIGHT = 1_000
MAX_ATTEMPTS = 1_000
MAX_PREVIEW_STEPS = 500
MAX_ROUTE_SEARCH = 50_000
PREVIEW_RULES = Rules(allow_back=True, allow_restart=True, max_attempts=0)
SAVE_FIELDS = {"display_name": str, "weight": float, "max_attempts": int, "grading": str,
               "practice": bool, "allow_back": bool, "allow_restart": bool,
               "reflections_in_reports": bool, "scenario_xml": str}
# Left out of a save, they keep their value (an editor page loaded before they existed still saves).
SAVE_OPTIONAL = {"content_language": str}
_ROOT = re.compile(r"<(?:cultural_safety_scenario|scenario)\b")
# Ratings are told apart by colour, line style and a word on every arrow.
RATING_STYLES = {"best": ("#1d6b35", ""), "acceptable": ("#8a5a00", "7 4"),
                 "harmful": ("#a4262c", "2 4"), "other": ("#5f6670", "1 3")}
OUTCOME_STYLES = {"safe": ("#e7f4ea", "#1d6b35"), "mixed": ("#fdf3d8", "#8a5a00"),
                  "unsafe": ("#fbe6e6", "#a4262c")}
TROUBLE = frozenset({"dead-end", "stuck", "no-choices"})
_maps = Memory(32)   # maps drawn lately, by what they show, block and language


def arrow_view(arrow, texts):
    rating = arrow.rating if arrow.rating in texts["ratings"] else "other"
    word = texts["ratings"].get(arrow.rating, arrow.rating or "?")
    colour, dash = RATING_STYLES[rating]
    return {"path": arrow.path, "colour": colour, "dash": dash, "rating": rating,
            "line": arrow.line or "", "x": arrow.label_x, "y": arrow.label_y + 4,
            "label": f"{word} {arrow.points}",
            "title": texts["choice"].format(choice=arrow.choice, rating=word, points=arrow.points,
                                            target=arrow.target)}


def box_view(box, texts):
    """Colours, outline and the three lines of text of a place on the map."""
    trouble = bool(TROUBLE & set(box.marks)) or box.kind == "missing"
    unreachable = "unreachable" in box.marks
    fill, stroke = OUTCOME_STYLES.get(box.outcome, ("#ffffff", "#3d434a")) \
        if box.kind == "ending" else ("#ffffff", "#3d434a")
    if trouble:
        stroke = "#a4262c"
    if unreachable:
        fill, stroke = "#eceef0", "#5f6670"
    warnings = [texts["marks"][mark] for mark in box.marks if mark != "start"]
    if box.kind == "missing":
        note = "\u26a0 " + texts["missing"]
    elif warnings:
        note = "\u26a0 " + " \u00b7 ".join(warnings)
    elif box.kind == "ending":
        note = texts["ending"] + " \u00b7 " + texts["outcomes"].get(box.outcome, box.outcome)
    else:
        note = texts["node"]
    return {"box": box, "fill": fill, "stroke": stroke, "width": 3 if trouble else 1.5,
            "dashed": unreachable or box.kind == "missing", "rx": 22 if box.kind == "ending" else 5,
            "name": scenario_map.shorten(box.id, 24), "note": note,
            "note_colour": "#a4262c" if trouble else "#4a5058", "marks": " ".join(box.marks),
            "start": "start" in box.marks}


def listed_choices(scenario, texts):
    """{node id: ["choice: rating, points, to target (only if ...)", ...]} for the map's list."""
    listed = {}
    for node in scenario.nodes:
        lines = []
        for choice in node.choices:
            line = texts["choice_line"].format(
                choice=choice.id, rating=texts["ratings"].get(choice.rating, choice.rating),
                points=choice.points, target=choice.target)
            if choice.requires:
                line += " " + texts["only_if"].format(condition=choice.requires)
            lines.append(line)
        listed.setdefault(node.id, lines)
    return listed


def staff_action(optional=None, **fields):
    """A JSON handler for course staff taking exactly ``fields`` (and any of ``optional``);
    others get 403 before their request is read. The method returns a dict (200) or
    ``(status, dict)``."""
    def decorate(method):
        @XBlock.handler
        @functools.wraps(method)
        def handler(self, request, suffix=""):
            if not self.can_author():
                return respond(403, {"code": "forbidden", "message": self.gettext(
                    "Only the course's staff can do this.")})
            values, error = read_request(self, request, fields, limit=MAX_EDIT_REQUEST,
                                         optional=optional)
            if error is not None:
                return error
            try:
                answer = method(self, **values)
            except Refusal as refusal:
                return respond(refusal.status, {"code": refusal.code, "message": self.gettext(
                    refusal.message).format(**refusal.args_)})
            status, payload = answer if isinstance(answer, tuple) else (200, answer)
            return respond(status, payload)
        return handler
    return decorate


def root_line(text):
    """The line of the scenario's root element: where problems about the whole scenario point."""
    found = _ROOT.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def settings_in_text(compiled):
    """Block settings written on the root element: the settings form, not the OLX, holds them."""
    return [problem("setting-in-olx", N_("scenario"),
                    N_("{name} is set in the OLX, but the settings above decide it"),
                    N_("remove {name}=\"...\" from the root element; use the settings form"),
                    name=name)
            for name in olx.SETTINGS if name in compiled.settings]


def route_to(scenario, place_id):
    """The shortest path of choices a learner can really take (conditions respected) from the
    start to ``place_id``, or None when no path reaches it. Breadth first over situations (a
    place and the variables' values), each remembered once with the step that reached it."""
    def situation(place, values):
        return place, tuple(sorted(values.items()))

    first = situation(scenario.start_id, scenario.initial_values())
    reached_by = {first: None}
    queue = deque([first])
    while queue and len(reached_by) < MAX_ROUTE_SEARCH:
        current = queue.popleft()
        if current[0] == place_id:
            path = []
            while reached_by[current] is not None:
                current, step = reached_by[current]
                path.append(step)
            return tuple(reversed(path))
        node, values = scenario.node(current[0]), dict(current[1])
        for choice in offered_choices(node, values) if node else ():
            following = situation(choice.target, apply_effects(scenario, values, choice))
            if scenario.place(choice.target) is not None and following not in reached_by:
                reached_by[following] = (current, (current[0], choice.id))
                queue.append(following)
    return None


def preview_state(scenario, begin, steps):
    """A throwaway state at ``begin`` (reached by a real route when there is one, so variables
    hold what a learner would have), then ``steps`` taken from there."""
    route = route_to(scenario, begin) or ()
    state = State(begin, tuple(route), 0, 1)
    for node_id, choice_id in steps:
        state = engine.choose(scenario, state, PREVIEW_RULES, node_id, choice_id,
                              state.version).state
    return state, len(route)


AUTHORED_SCOPES = (Scope.content, Scope.settings)


class StudioMixin:
    """Studio views and handlers of the scenario block."""

    def can_author(self):
        """Global staff, or (in Studio) anyone who may edit this course."""
        if self.is_staff():
            return True
        permissions = self.runtime.service(self, "studio_user_permissions")
        context = getattr(self.scope_ids.usage_id, "context_key", None)
        if permissions is None or context is None:
            return False
        check = getattr(permissions, "can_write", None) or getattr(
            permissions, "can_edit_content", None)
        return bool(check and check(context))

    # -- what authors see ------------------------------------------------------------------

    def studio_problems(self, text):
        """(compiled, problems as dicts with a line each) for an editor's text."""
        compiled, found = self.studio_problem_objects(text)
        return compiled, [shown for _problem, shown in found]

    def studio_problem_objects(self, text):
        """(compiled, [(Problem, the problem as a dict with a line)]) in line order."""
        compiled = compile_text(text)
        found = list(compiled.problems)
        if compiled.scenario is not None:
            found += settings_in_text(compiled)
        top = root_line(text) if any(p.line is None for p in found) else None
        pairs = [(p, dict(p.as_dict(self.gettext), line=p.line or top)) for p in found]
        pairs.sort(key=lambda pair: pair[1]["line"])
        return compiled, pairs

    def _studio_context(self, **extra):
        context = self._context(**extra)
        context["uid"] += "-a"  # the learner view may share the page: ids must differ
        context["short_ratings"] = {"best": self.gettext("best"),
                                    "acceptable": self.gettext("acceptable"),
                                    "harmful": self.gettext("harmful")}
        context["mark_labels"] = {
            "start": self.gettext("start"), "unreachable": self.gettext("unreachable"),
            "dead-end": self.gettext("dead end"), "stuck": self.gettext("can get stuck"),
            "no-choices": self.gettext("no choices")}
        return context

    def map_html(self, compiled, context):
        """The map of a scenario and its summary lists, as HTML with an inline SVG; drawn once
        for what it shows (an edit of words in scenes, options or consequences reuses it)."""
        if compiled.scenario is None:
            return Markup(rendering.render("map.html", map=None, **context))
        texts = self._map_texts(context)
        key = (scenario_map.shape(compiled.scenario, compiled.analysis), context["uid"],
               context.get("text_lang", ""), repr(texts))
        drawn = _maps.get(key)
        if drawn is None:
            layout = scenario_map.layout(compiled.scenario, compiled.analysis)
            drawn = _maps.keep(key, Markup(rendering.render(
                "map.html", map=layout, styles=RATING_STYLES,
                arrows=[arrow_view(arrow, texts) for arrow in layout.arrows],
                boxes=[box_view(box, texts) for box in layout.boxes],
                choices=listed_choices(compiled.scenario, texts), **context)))
        return drawn

    def _map_texts(self, context):
        return {"ratings": context["short_ratings"], "marks": context["mark_labels"],
                "outcomes": context["outcome_labels"], "ending": self.gettext("ending"),
                "node": self.gettext("node"), "missing": self.gettext("missing: no such place"),
                "choice": self.gettext("Choice {choice}: {rating}, {points} points, to {target}"),
                "choice_line": self.gettext("{choice}: {rating}, {points} points, to {target}"),
                "only_if": self.gettext("(only if {condition})")}

    def problems_html(self, problems, context, clickable=True):
        return Markup(rendering.render("problems.html", problems=problems[:olx.MAX_PROBLEMS],
                                more=max(len(problems) - olx.MAX_PROBLEMS, 0),
                                clickable=clickable, **context))

    def _places(self, compiled):
        if compiled.scenario is None:
            return []
        return [(place.id, place.title) for place in (*compiled.scenario.nodes,
                                                      *compiled.scenario.endings)]

    def studio_view(self, context=None):
        """The editor: the visual editor (open first) and the XML view of one text."""
        drawn = self.map_html(compile_text(self.scenario_xml), self._studio_context())  # cached
        fragment = self._authoring_fragment("studio.html", "CulturalSafetyStudio",
                                            settings=self._settings_view(),
                                            text_language=self.text_language(),
                                            map_key=editing.map_key_of(drawn))
        fragment.add_css(rendering.static_text("editor.css"))
        fragment.add_javascript(rendering.static_text("editor.js"))
        return fragment

    def author_view(self, context=None):
        """Studio's preview of the block: problems, map and a preview from any place."""
        return self._authoring_fragment("author.html", "CulturalSafetyAuthor", clickable=False)

    def _authoring_fragment(self, template, initializer, clickable=True, **extra):
        text = self.scenario_xml
        compiled, problems = self.studio_problems(text)
        values = self._studio_context()
        fragment = Fragment(rendering.render(
            template, problems_html=self.problems_html(problems, values, clickable=clickable),
            map_html=self.map_html(compiled, values), places=self._places(compiled),
            count=len(problems), text=text, **extra, **values))
        fragment.add_css(rendering.static_text("student.css"))
        fragment.add_css(rendering.static_text("studio.css"))
        fragment.add_javascript(rendering.static_text("studio.js"))
        fragment.initialize_js(initializer)
        return fragment

    def _settings_view(self):
        shown = {name: getattr(self, name) for name in SAVE_FIELDS if name != "scenario_xml"}
        return dict(shown, **self.language_form_values())

    # -- handlers ----------------------------------------------------------------------------

    def _checked(self, text, with_map=True):
        compiled, problems = self.studio_problems(text)
        checked = {"problems": problems, "count": len(problems),
                   "summary": self._summary(len(problems)),
                   # the list needs only the translations, not the whole studio context
                   "problems_html": self.problems_html(problems, {"_": self.gettext}),
                   "places": self._places(compiled)}
        if with_map:
            checked["map_html"] = self.map_html(compiled, self._studio_context())
        return checked

    def _summary(self, count):
        if not count:  # said once: the list below says nothing when it is empty
            return self.gettext("No problems found: learners can play this scenario.")
        return self.ngettext("{count} problem found.", "{count} problems found.",
                             count).format(count=count)

    @staff_action(scenario_xml=str, operations=list, show=list, map_key=str)
    def studio_edit(self, scenario_xml, operations, show, map_key):
        """The visual editor's moves made on its text (nothing is stored), and the check of the
        new text with the editor's outline, the fields of the part at ``show`` and each problem
        at its field (editing.py)."""
        if not editing._path(show):
            raise Refusal("bad-edit", N_("show must be the path of a part of the scenario."), 400)
        return editing.edited(self, scenario_xml, operations, show, map_key)

    def visual_check(self, text, show, map_key):
        return editing.visual_check(self, text, show, map_key)

    @staff_action(scenario_xml=str)
    def studio_check(self, scenario_xml):
        """Every problem of the editor's text, with the map; nothing is stored."""
        return self._checked(scenario_xml)

    def _setting_problem(self, values):
        """A message for the first setting value out of bounds, or None."""
        name = values["display_name"].strip()
        if not name or len(name) > MAX_DISPLAY_NAME:
            return N_("The display name must have 1 to {limit} characters."), {
                "limit": MAX_DISPLAY_NAME}
        if not math.isfinite(values["weight"]) or not 0 <= values["weight"] <= MAX_WEIGHT:
            return N_("The weight must be a number from 0 to {limit}."), {"limit": MAX_WEIGHT}
        if not 0 <= values["max_attempts"] <= MAX_ATTEMPTS:
            return N_("Maximum attempts must be a whole number from 0 to {limit}."), {
                "limit": MAX_ATTEMPTS}
        if values["grading"] not in olx.SETTINGS["grading"][0]:
            return N_("The grading policy must be best_attempt or last_attempt."), {}
        return self.language_setting_problem(values.get("content_language", ""))

    @staff_action(optional=SAVE_OPTIONAL, **SAVE_FIELDS)
    def studio_save(self, **values):
        """Store the settings and the scenario, all or nothing: a scenario with any problem is
        refused with the full list and nothing stored changes."""
        if getattr(self.runtime, "is_author_mode", False):
            # Studio's preview (cms/djangoapps/contentstore/views/preview.py) sets is_author_mode
            # and never writes the block back to the modulestore: a save there would be lost.
            return 409, _read_only_here(self)
        wrong = self._setting_problem(values)
        if wrong is not None:
            message, args = wrong
            return 400, {"code": "bad-setting", "message": self.gettext(message).format(**args)}
        # A valid save answers without the map: drawing it costs more than the check itself
        # (3/4 of the time at 500 nodes); the editor asks a check for it if it lacks it.
        checked = self._checked(values["scenario_xml"], with_map=False)
        if checked["count"]:
            checked = self._checked(values["scenario_xml"])  # read and checked once: cached
            return 422, dict(checked, code="invalid-scenario", message=self.ngettext(
                "Not saved: the scenario has {count} problem.",
                "Not saved: the scenario has {count} problems.",
                checked["count"]).format(count=checked["count"]))
        for name, value in values.items():
            if name == "display_name":
                value = value.strip()
            elif name == "weight":
                value = float(value)
            # a setting left as it was is not written again (and a default stays a default)
            if name == "scenario_xml" or self.stored(name) != value:
                setattr(self, name, value)
        try:
            self.save()
        except InvalidScopeError:
            # authored fields are read-only here (the LMS's LmsFieldData): forget the writes, so
            # that the runtime's own save after the handler does not fail on them either
            for field in [f for f in self._dirty_fields if f.scope in AUTHORED_SCOPES]:
                del self._dirty_fields[field]
                self._field_data_cache.pop(field.name, None)
            return 409, _read_only_here(self)
        return dict(checked, message=self.gettext("Saved. Learners see this version now."))

    @staff_action(scenario_xml=str, node=str, path=list)
    def studio_preview(self, scenario_xml, node, path):
        """The learner's stage from any place, for staff; no learner state is read or written.

        ``scenario_xml`` is the editor's text ("" for the saved one), ``node`` the place to begin
        at ("" for the start) and ``path`` the [node, choice] steps taken since.
        """
        compiled = compile_text(scenario_xml or self.scenario_xml)
        if compiled.scenario is None or compiled.analysis is None:
            raise Refusal("unreadable", N_("The scenario cannot be read: fix its problems first."),
                          409)
        scenario = compiled.scenario
        begin = node or scenario.start_id
        if scenario.place(begin) is None:
            raise Refusal("unknown-place", N_("There is no node or ending '{place}'."), 400,
                          place=begin[:64])
        steps = _steps(path)
        state, routed = preview_state(scenario, begin, steps)
        view = rendering.stage(compiled, state, PREVIEW_RULES, {}, author=True)  # ids: staff
        view["can_back"] = view["can_back"] and len(state.path) > routed
        stage = rendering.render("stage.html", view=view, **self._studio_context())
        return {"stage": stage, "node": begin, "path": [list(step) for step in steps],
                "place": state.place, "values": engine.values(scenario, state),
                "reached": routed > 0 or begin == scenario.start_id}


def _read_only_here(block):
    return {"code": "read-only-here", "message": block.gettext(
        "Nothing was saved: the scenario cannot be changed from here. In Studio, open the "
        "block's editor (Edit) and save there.")}


def _steps(path):
    if len(path) > MAX_PREVIEW_STEPS or not all(
            isinstance(step, list) and len(step) == 2 and all(isinstance(part, str) for part in step)
            for step in path):
        raise Refusal("bad-path", N_("The path must be a list of [node, choice] pairs."), 400)
    return [tuple(step) for step in path]
