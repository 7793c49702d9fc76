"""The scenario described for the Open edX mobile app: ``student_view_data``.

The LMS's Course Blocks API (``?student_view_data=cultural_safety_scenario``) hands this JSON to
the app. Note that the LMS collects it once per course version, from a block bound to no
learner, so there the stage is always the start; the app then calls the handlers named here,
each of which answers with the learner's next stage (``stage``, ``version``, ``status``): as
the learner view's HTML by default, or, when the request says ``"view": "data"``, in the
structure of ``stage`` here (``stage_data``), refusals included. Bound to a learner (the
workbench, or any runtime that calls it per user), the stage is that learner's own.
docs/apps.md describes the exchange.

Like the learner view, it holds only what the learner may see now: no rating, points, target
or consequence of a choice not taken, and no choice's id: an offered choice is named by the
token the ``choose`` handler takes back (scenario/tokens.py).
"""
from .actions import VIEWS
from .rendering import stage
from .scenario.engine import State

# handler name -> the JSON fields it takes (all required); POST, JSON object body. Each also
# takes an optional "view" (actions.VIEWS): "data" answers with the stage as stage_data gives it.
HANDLERS = {
    "begin": ("version", "node"),
    "choose": ("version", "node", "choice"),
    "back": ("version", "node"),
    "restart": ("version", "node"),
    "save_reflection": ("id", "text"),
}


def _html(markup):
    return str(markup) if markup else ""


def stage_data(compiled, state, rules, reflections=None, language=""):
    """The learner's stage as plain JSON, picked from the learner view's own view model.

    ``reflections``: the learner's saved answers ({id: text}), shown at an ending as the learner
    view shows them; ``language``: the tag of the author's text (``content_language``), for the
    app to read it in that language."""
    view = stage(compiled, state, rules, reflections)
    data = {
        "content_language": language,
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
                        "choices": [{"choice": c["token"], "text": c["text"]}
                                    for c in node["choices"]]}
    if "ending" in view:
        ending = view["ending"]
        data["ending"] = {"id": ending["id"], "title": ending["title"],
                          "outcome": ending["outcome"], "html": _html(ending["html"])}
        data["debrief_html"] = _html(view["debrief"])
        data["reflections"] = [{"id": r["id"], "prompt": r["prompt"], "answer": r["answer"]}
                               for r in view["reflections"]]
    return data


class MobileMixin:
    """``student_view_data`` for the mobile app (with ``@XBlock.supports("multi_device")``)."""

    def structured_stage(self, state, rules):
        """``stage_data`` for this block and a learner's state."""
        compiled = self.compiled
        ended = compiled.scenario.ending(state.place) is not None
        return stage_data(compiled, state, rules, self.saved_reflections() if ended else None,
                          self.text_language())

    def student_view_data(self, context=None):
        compiled = self.compiled
        data = {
            "display_name": self.display_name,
            "available": compiled.playable,
            "scored": self.has_score,
            "content_language": self.text_language(),
            "handlers": {name: {"method": "POST", "fields": list(fields),
                                "optional": {"view": {"values": list(VIEWS),
                                                      "default": VIEWS[0]}}}
                         for name, fields in HANDLERS.items()},
        }
        if not compiled.playable:
            data["message"] = self.gettext("This activity is not available yet.")
            return data
        # The LMS collects this from a block bound to no learner: there, no user state to read.
        bound = self.scope_ids.user_id is not None
        state = self.learner_state() if bound else State()
        data["content_note"] = compiled.scenario.content_note
        data["stage"] = self.structured_stage(state, self.rules)
        return data
