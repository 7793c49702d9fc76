"""The learner's reflections: saved where the promise made to the learner holds.

A reflection written while *Show reflections in staff reports* is off is kept in the learner's
preferences (``Scope.preferences``), outside the learner's state: the LMS's problem responses
report prints that state raw (instructor_task/tasks_helper/grades.py). One written while the
setting is on stays in the learner's state, where the report's columns show it.
"""
from xblock.fields import Dict, Scope

from .actions import json_action
from .scenario.engine import Refusal
from .scenario.problems import N_

MAX_REFLECTION = 5_000


class ReflectionsMixin:
    """Fields and handler of the reflections; the block supplies ``_playable``,
    ``_save_learner``, ``_event``, ``stored`` and ``gettext``."""

    reflections = Dict(scope=Scope.user_state, default={},
                       help="Reflections saved while staff may read them (reflections_in_"
                            "reports on): the LMS's instructor report prints this state raw.")
    private_reflections = Dict(scope=Scope.preferences, default={},
                               help="{usage id: {reflection id: text}}: reflections saved while "
                                    "private, kept out of the learner's state (StudentModule."
                                    "state, which the instructor report prints raw).")

    @json_action(id=str, text=str)
    def save_reflection(self, id, text, view):  # noqa: A002, ARG002 - JSON fields; view: refusals'
        scenario = self._playable()
        if id not in {reflection.id for reflection in scenario.reflections}:
            raise Refusal("unknown-reflection", N_("There is no such reflection question."), 400)
        if len(text) > MAX_REFLECTION:
            raise Refusal("too-long", N_("A reflection can be at most {limit} characters."), 400,
                          limit=MAX_REFLECTION)
        self.settle_reflections()
        if not text.strip() and id not in self.saved_reflections():
            raise Refusal("empty-reflection", N_("There is nothing to save yet: write your "
                                                 "reflection first."), 400)
        # each reflection lives in one place: the one the setting says now
        places = {True: dict(self.reflections), False: dict(self._private_of_this_block())}
        for place in places.values():
            place.pop(id, None)
        if text.strip():
            places[bool(self.stored("reflections_in_reports"))][id] = text
        self._store_reflections(places[True], places[False])
        self._save_learner()  # stored before it is reported; a failed save answers 409
        if text.strip():
            self._event("reflection_saved", {"reflection": id, "length": len(text)})
            return {"message": self.gettext("Saved.")}
        self._event("reflection_cleared", {"reflection": id})
        return {"message": self.gettext("Your reflection was removed.")}

    def _private_of_this_block(self):
        found = self.private_reflections.get(str(self.scope_ids.usage_id))
        return found if isinstance(found, dict) else {}

    def _store_reflections(self, shared, private):
        """Write both places, each only if it changes (a field write is a row write)."""
        if shared != self.reflections:
            self.reflections = shared
        if private != self._private_of_this_block():
            everyone = {**self.private_reflections}
            if private:
                everyone[str(self.scope_ids.usage_id)] = private
            else:
                everyone.pop(str(self.scope_ids.usage_id), None)
            self.private_reflections = everyone

    def saved_reflections(self):
        """The learner's reflections on this block, wherever they live."""
        return {**self._private_of_this_block(), **self.reflections}

    def settle_reflections(self):
        """While reflections are private, none stays in the learner's state: those saved there
        (while staff could read them, or by a version before private_reflections) move out on
        the learner's next visit. Private ones never move into the state: the learner was
        told they were private when writing them."""
        if self.stored("reflections_in_reports") or not self.reflections:
            return
        self._store_reflections({}, {**self._private_of_this_block(), **self.reflections})
