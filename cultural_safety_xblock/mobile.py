"""The scenario described for the Open edX mobile app: ``student_view_data``.

The LMS's Course Blocks API (``?student_view_data=cultural_safety_scenario``) hands this JSON to
the app. Note that the LMS collects it once per course version, from a block bound to no
learner, so there the stage is always the start; the app then calls the handlers named here,
each of which answers with the learner's next stage (``stage`` as HTML, ``version``,
``status``). Bound to a learner (the workbench, or any runtime that calls it per user), the
stage is that learner's own.

Like the learner view, it holds only what the learner may see now: no rating, points, target
or consequence of a choice not taken.
"""
from .rendering import stage
from .scenario.engine import State

# handler name -> the JSON fields it takes (all required); POST, JSON object body.
HANDLERS = {
    "begin": ("version", "node"),
    "choose": ("version", "node", "choice"),
    "back": ("version", "node"),
    "restart": ("version", "node"),
    "save_reflection": ("id", "text"),
}


def _html(markup):
    return str(markup) if markup else ""


def stage_data(compiled, state, rules):
    """The learner's stage as plain JSON, picked from the learner view's own view model."""
    view = stage(compiled, state, rules)
    data = {
        "status": view["status"],
        "version": view["version"],
        "node_id": view.get("node", view.get("ending", {})).get("id", ""),
        "attempt": view["attempt"],
        "attempts_left": view["attempts_left"],
        "can_back": view["can_back"],
        "can_restart": view["can_restart"],
    }
    if "consequence" in view:
        data["consequence"] = {"choice_text": view["consequence"]["text"],
                               "html": _html(view["consequence"]["html"])}
    if "node" in view:
        node = view["node"]
        data["node"] = {"id": node["id"], "title": node["title"], "html": _html(node["html"]),
                        "choices": [{"id": c["id"], "text": c["text"]} for c in node["choices"]]}
    if "ending" in view:
        ending = view["ending"]
        data["ending"] = {"id": ending["id"], "title": ending["title"],
                          "outcome": ending["outcome"], "html": _html(ending["html"])}
        data["debrief_html"] = _html(view["debrief"])
        data["reflections"] = [{"id": r["id"], "prompt": r["prompt"]} for r in view["reflections"]]
    return data


class MobileMixin:
    """``student_view_data`` for the mobile app (with ``@XBlock.supports("multi_device")``)."""

    def student_view_data(self, context=None):
        compiled = self.compiled
        data = {
            "display_name": self.display_name,
            "available": compiled.playable,
            "scored": self.has_score,
            "handlers": {name: {"method": "POST", "fields": list(fields)}
                         for name, fields in HANDLERS.items()},
        }
        if not compiled.playable:
            data["message"] = self.gettext("This activity is not available yet.")
            return data
        # The LMS collects this from a block bound to no learner: there, no user state to read.
        bound = self.scope_ids.user_id is not None
        state = self.learner_state() if bound else State()
        data["content_note"] = compiled.scenario.content_note
        data["stage"] = stage_data(compiled, state, self.rules)
        return data
