"""The XBlock: fields, views and handlers, as thin glue over ``scenario``."""
import hashlib
import logging
import secrets
from datetime import UTC, datetime

from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.exceptions import InvalidScopeError, XBlockSaveError
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String
from xblock.scorable import ScorableXBlockMixin

from . import rendering
from .actions import Unstored, json_action
from .content_language import ContentLanguageMixin
from .demo import DEMO_SCENARIO
from .grades import GradesMixin
from .mobile import MobileMixin
from .olx_exchange import OlxExchangeMixin
from .reflections import MAX_REFLECTION, ReflectionsMixin
from .reports import Replaced, ReplacedDict, ReportsMixin
from .scenario import engine, olx, scoring, tokens
from .scenario.compiled import compile_version, content_hash
from .scenario.engine import Refusal, Rules, State
from .scenario.problems import N_
from .step_claims import CLAIMS
from .studio import StudioMixin

EVENT_PREFIX = "xblock.cultural_safety."
log = logging.getLogger(__name__)


class ScenarioText(String):
    """The scenario's OLX text, whose every write also writes its hash to ``scenario_version``.

    Requests find the compiled scenario by that small field and read this one (which can be
    large, and which a platform decodes afresh for each request) only when their process has not
    compiled the version yet. No per-read scan for control characters: the XML parser already
    refuses them, so the scan would only cost time that grows with the scenario.
    """

    def _sanitize(self, value):
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def __set__(self, xblock, value):
        super().__set__(xblock, value)
        xblock.__dict__.pop("_compiled", None)
        xblock.scenario_version = content_hash(super().__get__(xblock, type(xblock)))

    def __delete__(self, xblock):
        super().__delete__(xblock)
        xblock.__dict__.pop("_compiled", None)
        del xblock.scenario_version

def _(text):
    """Mark a field's display text for translation (Studio translates field metadata)."""
    return text


@XBlock.needs("i18n")
@XBlock.wants("user", "studio_user_permissions")
class CulturalSafetyScenarioBlock(GradesMixin, ScorableXBlockMixin, CompletableXBlockMixin,
                                  StudioMixin, ReportsMixin, ReflectionsMixin, MobileMixin,
                                  ContentLanguageMixin, OlxExchangeMixin, XBlock):
    """A branching scenario on power and cultural safety in therapy.

    Completion is the block's own (CompletableXBlockMixin: ``has_custom_completion``), 1.0 at an
    ending: edx-completion otherwise marks a block without a score complete on mere view
    (``CompletionService.can_mark_block_complete_on_view``) and a scored one on every grade
    change (``handlers.scorable_block_completion``). Studio's unit page shows ``author_view``
    (``xmodule/studio_editable.py``: ``has_author_view``).
    """

    has_author_view = True

    display_name = String(display_name=_("Display name"), scope=Scope.settings,
                          default=_("Branching scenario"))
    weight = Float(display_name=_("Problem weight"), scope=Scope.settings, default=1.0,
                   values={"min": 0}, help=_("How much this scenario counts in its assignment type."))
    max_attempts = Integer(display_name=_("Maximum attempts"), scope=Scope.settings, default=0,
                           values={"min": 0}, help=_("0 means unlimited."))
    grading = String(display_name=_("Grading policy"), scope=Scope.settings,
                     default=scoring.BEST_ATTEMPT,
                     values=[{"display_name": _("Best attempt"), "value": scoring.BEST_ATTEMPT},
                             {"display_name": _("Last attempt"), "value": scoring.LAST_ATTEMPT}])
    practice = Boolean(display_name=_("Practice mode (no grade)"), scope=Scope.settings,
                       default=False)
    allow_back = Boolean(display_name=_("Allow taking back a choice"), scope=Scope.settings,
                         default=True)
    allow_restart = Boolean(display_name=_("Allow starting again"), scope=Scope.settings,
                            default=True)
    reflections_in_reports = Boolean(display_name=_("Show reflections in staff reports"),
                                     scope=Scope.settings, default=False)
    scenario_xml = ScenarioText(display_name=_("Scenario (OLX)"), scope=Scope.content,
                          default=DEMO_SCENARIO, multiline_editor=True)
    # A settings field, so that in the LMS it comes with the course structure, which is cached,
    # and a learner's request need not load the content (the text) at all.
    scenario_version = String(scope=Scope.settings, default="",
                              help="Content hash of scenario_xml, written with it.")

    progress = ReplacedDict(scope=Scope.user_state,
                            help="The learner's place: engine.State as a dict, with 'seen' (the "
                                 "hash of the scenario text it was fitted to) and 'at' (when "
                                 "the learner last acted), one field read and written per step.")
    seen_content = String(scope=Scope.user_state, default="",
                          help="Before 'seen' in progress: read only for states stored before.")
    score_earned = Float(scope=Scope.user_state, default=None)
    score_possible = Float(scope=Scope.user_state, default=None)
    graded_path = List(scope=Scope.user_state, default=[],
                       help="The path whose score is kept, for rescoring.")
    completions = Integer(scope=Scope.user_state, default=0)
    last_result = Dict(scope=Scope.user_state, default={})
    notice = String(scope=Scope.user_state, default="")
    last_activity = String(scope=Scope.user_state, default="",
                           help="Before 'at' in progress: read only for states stored before.")

    editable_fields = ("display_name", "weight", "max_attempts", "grading", "practice",
                       "allow_back", "allow_restart", "reflections_in_reports", "content_language")
    SETTING_FIELDS = tuple(olx.SETTINGS)

    # -- the scenario and the learner's state ----------------------------------------------

    @property
    def compiled(self):
        """The compiled scenario, looked up once per block instance (a step asks ~7 times);
        writing the text forgets it."""
        found = self.__dict__.get("_compiled")
        if found is None:
            found = compile_version(self.scenario_version, lambda: self.scenario_xml)
            self.__dict__["_compiled"] = found
        return found

    @property
    def content_hash(self):
        return self.compiled.content_hash

    def stored(self, name):
        """A field's value; one never written is its default, without XBlock's lookup of
        defaults (a fair share of a request's work: four settings are read on every step).
        Only for fields whose default is fixed and immutable, as all of this block's are."""
        field = self.fields[name]
        return getattr(self, name) if field.is_set_on(self) else field.default

    @property
    def rules(self):
        return Rules(self.stored("allow_back"), self.stored("allow_restart"),
                     self.stored("max_attempts") or 0)

    @property
    def has_score(self):
        return not self.stored("practice")

    def _i18n(self):
        """The runtime's i18n service, looked up once per block instance (a view asks ~20 times)."""
        service = self.__dict__.get("_i18n_service")
        if service is None:
            service = self.__dict__["_i18n_service"] = self.runtime.service(self, "i18n")
        return service

    def gettext(self, text):
        return self._i18n().gettext(text)

    def ngettext(self, singular, plural, count):
        return self._i18n().ngettext(singular, plural, count)

    def interface_language(self):
        """The language the interface's words are served in: a catalog names its own, and a
        learner whose language has none reads English, whatever the page around says."""
        # Translators: the language code of this translation (fr, pt-BR...), not a sentence.
        code = self.gettext("interface-language-code")
        return "en" if code == "interface-language-code" else code

    def learner_state(self):
        """The stored state fitted to the current scenario (repaired after an author's edit)."""
        stored = self.progress if isinstance(self.progress, dict) else {}
        state = State.from_dict(stored)
        seen = stored.get("seen")
        if seen is None:
            seen = self.seen_content  # a state stored before the hash moved into progress
        if seen != self.content_hash and self.compiled.playable:
            state, changed = engine.repair(self.compiled.scenario, state)
            if changed:  # else the next action stores the new hash with the state
                self.progress = self._stored_progress(state, stored.get("at", ""))
                self.notice = N_("This scenario was updated by its authors; you continue from the "
                                 "last point that still exists.")
                try:
                    self.save()  # reported only once stored; else repaired again next time
                except (XBlockSaveError, InvalidScopeError):  # no learner bound: nothing to save
                    log.warning("A repaired state of %s could not be saved.",
                                self.scope_ids.usage_id, exc_info=True)
                    self._clear_dirty_fields()
                else:
                    self._event("state_repaired", {"place": state.place,
                                                   "kept": len(state.path)})
        return state

    def _stored_progress(self, state, acted_at):
        """What ``progress`` holds: the state, the text it fits, when the learner acted, and a
        token naming this stored state (``_claim_step``)."""
        return Replaced(dict(state.to_dict(), seen=self.content_hash, at=acted_at,
                             step=secrets.token_hex(6)))

    # -- views -----------------------------------------------------------------------------

    def shown_name(self):
        """The author's display name, or the default one in the reader's language."""
        if self.fields["display_name"].is_set_on(self):
            return self.display_name
        return self.gettext(self.display_name)

    def _uid(self):
        return "cs-" + hashlib.sha1(str(self.scope_ids.usage_id).encode()).hexdigest()[:10]

    def _context(self, **extra):
        return dict(
            _=self.gettext, ngettext=self.ngettext, uid=self._uid(),
            title=self.shown_name(), scored=self.has_score,
            title_lang=self.title_lang(), text_lang=self.text_lang(),
            interface_lang=self.interface_language(),
            rating_labels={"best": self.gettext("Best practice"),
                           "acceptable": self.gettext("Acceptable"),
                           "harmful": self.gettext("Harmful")},
            outcome_labels={"safe": self.gettext("Safe"), "mixed": self.gettext("Mixed"),
                            "unsafe": self.gettext("Unsafe")},
            reflection_limit=MAX_REFLECTION,
            reflection_privacy=(
                self.gettext("Staff can read your reflections in course reports.")
                if self.reflections_in_reports
                else self.gettext("Your reflections are private: only you can see them.")),
            **extra)

    def _stage_html(self, state, rules=None):
        """The stage's HTML; ``rules``, when the caller has them, spare reading the settings
        fields again."""
        compiled = self.compiled
        rules = self.rules if rules is None else rules
        if compiled.scenario.ending(state.place) is not None:
            view = rendering.stage(compiled, state, rules, self.saved_reflections())
            return rendering.render("stage.html", view=view, **self._context())
        # a node's stage (most steps) needs neither the debrief's labels nor the reflections,
        # and is the same for every learner standing there (rendering.node_stage caches it)
        if compiled.scenario.node(state.place) is not None:
            return rendering.node_stage(compiled, state, rules, self._i18n().gettext, self._uid(),
                                        self.text_lang())
        view = rendering.stage(compiled, state, rules)
        return rendering.render("stage.html", view=view, _=self.gettext, uid=self._uid(),
                                text_lang=self.text_lang())

    # On the view, where the LMS looks (has_support(student_view, ...)): on the class it is unseen.
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        fragment = Fragment()
        if not self.compiled.playable:
            fragment.add_content(self._unavailable_html())
        else:
            self.settle_reflections()
            state = self.learner_state()
            notice, self.notice = self.notice, ""
            # the page around the stage needs only its title and words; the stage is the one
            # the handlers answer with (a node's is cached, and so is the page around it)
            fragment.add_content(rendering.learner_page(
                self._stage_html(state), self._i18n().gettext, self._uid(), self.shown_name(),
                self.gettext(notice) if notice else "", (self.title_lang(), self.text_lang()),
                self.interface_language()))
            fragment.add_javascript(rendering.static_text("student.js"))
            fragment.initialize_js("CulturalSafetyScenario")
            self.add_staff_results(fragment)  # reports.py: the cohort dashboard, staff only
            # the LMS saves a block after a handler, not after a view: a repaired state, a
            # shown notice or reflections moved out of the state are saved here (a no-op when
            # nothing changed)
            self.save()
        fragment.add_css(rendering.static_text("student.css"))
        return fragment

    def _unavailable_html(self):
        problems = [p.as_dict(self.gettext) for p in self.compiled.problems]
        return rendering.render("unavailable.html", problems=problems,
                                show_problems=self.is_staff(), **self._context())

    def is_staff(self):
        user_service = self.runtime.service(self, "user")
        if user_service is not None:
            user = user_service.get_current_user()
            if user is not None and user.opt_attrs.get("edx-platform.user_is_staff"):
                return True
            # the local workbench only: ?student=staff... plays a staff member
            workbench_id = user.opt_attrs.get("xblock-workbench.user_id", "") if user else ""
            if str(workbench_id).startswith("staff"):
                return True
        return bool(getattr(self.runtime, "user_is_staff", False))

    # -- handlers --------------------------------------------------------------------------

    def refusal_context(self, view="html"):
        """Sent with every refused action so a stale page can show where the learner really is."""
        if not self.compiled.playable:
            return {}
        state = self.learner_state()
        return {"stage": self._stage_answer(state, self.rules, view), "version": state.version}

    def _stage_answer(self, state, rules, view):
        """The stage a handler answers with: HTML, or for ``view`` "data" the structure of
        student_view_data's stage (mobile.py)."""
        if view == "data":
            return self.structured_stage(state, rules)
        return self._stage_html(state, rules)

    def _playable(self):
        if not self.compiled.playable:
            raise Refusal("unavailable", N_("This activity is not available yet."), 409)
        return self.compiled.scenario

    def _apply(self, move, rules, view):
        """Store the new state, then publish its events, grade and completion; answer with the
        stage in ``view`` (actions.VIEWS). ``rules``: the handler's, read once per request.

        The learner's fields are saved before anything is published: LMS handler requests are
        not atomic (block_render.py, ``handle_xblock_callback``), so a publish made before a
        save that then fails would report (a grade, completion, an event) what was never stored.
        A racing duplicate of the step is refused first (``_claim_step``); the cohort counters
        are written last, and a failure there never fails the step (reports.store_counts).
        Each tracking event carries the state ``version`` it led to.
        """
        state = move.state
        claim = self._claim_step()
        self.progress = self._stored_progress(state, datetime.now(UTC).isoformat(timespec="seconds"))
        ended = [data["ending"] for name, data in move.events if name == "ended"]
        grade = self._finish_attempt(state, ended[0]) if ended else None
        counts = self.count_step(move.events)   # the learner's marks now, the counters last
        self._save_learner(claim)
        for name, data in move.events:
            self._event(name, dict(data, version=state.version))
        if ended:
            if grade is not None:
                self.runtime.publish(self, "grade", grade)
            self.emit_completion(1.0)
        self.store_counts(counts)
        if not claim[-1]:   # nothing was stored before this step: its claim lasts while in flight
            CLAIMS.release(claim)
        return {"stage": self._stage_answer(state, rules, view), "version": state.version,
                "status": "ending" if engine.finished(self.compiled.scenario, state) else "node"}

    def _claim_step(self):
        """Claim, in this process, the step from the stored state this request read
        (step_claims.py); a racing duplicate is refused before it changes anything.

        A stored state is named by the token its step stored with it, so only requests that
        read that very state share a claim, which is held a while. A learner with nothing
        stored yet has no token: that claim is given back when the step is done (``_apply``).
        """
        stored = self.progress if isinstance(self.progress, dict) else {}
        claim = (str(self.scope_ids.user_id), str(self.scope_ids.usage_id), stored.get("step", ""))
        if not CLAIMS.claim(claim):
            raise Unstored("duplicate", N_("This action was sent twice at the same moment; the "
                                           "first one is being recorded."), 409)
        return claim

    def _save_learner(self, claim=None):
        """Save the learner's fields now, before anything is published. If they cannot be
        saved (XBlockSaveError: in the LMS a database error on the learner's StudentModule row,
        user_state_client.py ``set_many``), nothing is published or counted, nothing is left
        for the runtime's save to try again, and the learner is told to try again (409)."""
        try:
            self.save()
        except XBlockSaveError:
            log.warning("A step of %s could not be saved; nothing of it was published.",
                        self.scope_ids.usage_id, exc_info=True)
            self._clear_dirty_fields()
            if claim is not None:
                CLAIMS.release(claim)
            raise Unstored("not-saved", N_("Your action could not be saved. Reload the page and "
                                           "try again."), 409) from None

    @json_action(version=int, node=str)
    def begin(self, version, node, view):
        scenario, rules = self._playable(), self.rules
        return self._apply(engine.start(scenario, self.learner_state(), rules, version), rules,
                           view)

    @json_action(version=int, node=str, choice=str)
    def choose(self, version, node, choice, view):
        """``choice``: the token the stage gave the offered choice (scenario/tokens.py)."""
        scenario, rules, state = self._playable(), self.rules, self.learner_state()
        chosen = tokens.chosen_id(scenario, state, node, version, choice)
        return self._apply(engine.choose(scenario, state, rules, node, chosen, version), rules,
                           view)

    @json_action(version=int, node=str)
    def back(self, version, node, view):
        scenario, rules = self._playable(), self.rules
        return self._apply(engine.back(scenario, self.learner_state(), rules, node, version),
                           rules, view)

    @json_action(version=int, node=str)
    def restart(self, version, node, view):
        scenario, rules = self._playable(), self.rules
        return self._apply(engine.restart(scenario, self.learner_state(), rules, node, version),
                           rules, view)

    def _event(self, name, data):
        self.runtime.publish(self, EVENT_PREFIX + name, dict(data, content=self.content_hash))
