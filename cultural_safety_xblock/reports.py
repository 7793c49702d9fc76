"""Results for staff: the instructor report's rows, the cohort aggregates, the staff dashboard.

The arithmetic lives in ``cohort`` (aggregates), ``report_rows`` (one row per learner) and
``flow`` (the paths picture); this mixin is the glue to the XBlock runtime. Every staff handler
checks staff rights on the server and answers 403, with no data, to anyone else.
"""
import csv
import io
import json
import logging
import re

from markupsafe import Markup
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import InvalidScopeError, XBlockSaveError
from xblock.fields import Dict, Scope

from . import cohort, flow, rendering, report_rows

log = logging.getLogger(__name__)


class Replaced(dict):
    """A dict field's value that is replaced whole and never changed in place.

    XBlock deep-copies a Dict field's value each time it is read and again after each save, to
    notice changes made in place. A ``Replaced`` is its own deep copy, so both copies are free;
    a change is noticed all the same, since every change assigns a new value to the field.
    """

    def __deepcopy__(self, memo):
        return self


class ReplacedDict(Dict):
    """A Dict field whose stored value reads back as ``value_type`` (a ``Replaced``)."""

    value_type = Replaced

    def from_json(self, value):
        value = super().from_json(value)
        return self.value_type(value) if type(value) is dict else value


class Counts(Replaced):
    """A cohort field's counters, replaced whole by ``record`` and never changed in place.

    Once a cohort has made every choice of a large scenario, XBlock's two deep copies of a
    shard would cost more than all the rest of a learner's step (1,000 nodes: 80% of 15 ms).
    """


class CountsField(ReplacedDict):
    """A Dict field whose stored value reads back as ``Counts``."""

    value_type = Counts


_SHARD_HELP = ("Cohort totals (started, completed, attempts, endings, grades) of the learners "
               "hashed to this shard (see cohort.py).")


def _counts_field(help_text):
    return CountsField(scope=Scope.user_state_summary, default={}, help=help_text)


# The cohort's fields, one per name in cohort.FIELDS: a class built from the names, so that the
# 520 fields need not be spelled out; XBlock finds fields on every base class. The LMS writes each
# field as its own row, so learners in different shards never overwrite each other's counts
# (cohort.py explains the tolerance).
CohortFields = type("CohortFields", (), {
    "__doc__": "A shard's totals, and its choice counters by node bucket (cohort.py).",
    **{name: _counts_field(_SHARD_HELP) for name in cohort.SHARD_FIELDS},
    **{name: _counts_field("Counts of the choices made at the nodes hashed to this field, by "
                           "the learners hashed to its shard (see cohort.py).")
       for name in cohort.COUNTER_FIELDS}})


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([report_rows.csv_safe(value) for value in row])
    return out.getvalue()


class ReportsMixin(CohortFields):
    """Staff views, report data and the aggregates the learner handlers keep up to date."""

    report_marks = ReplacedDict(scope=Scope.user_state, default={},
                        help="How this learner is counted in the cohort aggregates, and their "
                             "best attempt's score.")

    # -- the aggregates ------------------------------------------------------------------------

    def record(self, events, state=None):
        """Update the cohort aggregates with what a learner just did: ``count_step``, then
        ``store_counts`` (the learner handlers call the two apart, around saving the learner)."""
        self.store_counts(self.count_step(events))

    def count_step(self, events):
        """The counter fields one action changes, {name: value}, not yet set on the block; the
        learner's own marks (``report_marks``, their state) are set, to be saved with it.

        A choice is counted in its node's counter field alone; the shard's totals are read and
        changed only when they can change (cohort.py). Counts that an earlier step could not
        store ("unsent" in the marks, ``store_counts``) are counted again with the next step
        that reads the marks (a start, an ending, any step once the learner has finished).
        """
        if not events:
            return {}
        shard = cohort.shard_of(self.scope_ids.user_id)
        nodes = len(self.compiled.scenario.nodes)
        completed = self.stored("completions") > 0
        name = cohort.SHARD_FIELDS[shard]
        kinds = {event for event, _data in events}
        # Before a learner's first ending, a step without "started" changes at most the
        # attempts: the marks (and the grade) could not change, so they are not even read.
        marks = (self.report_marks if completed or "started" in kinds or "ended" in kinds
                 else None)
        before = dict(marks or {})
        events = [tuple(event) for event in before.pop("unsent", ())] + list(events)
        counts = {field: Counts(cohort.tally(getattr(self, field), found))
                  for field, found in cohort.counter_writes(shard, events, nodes).items()}
        if marks is None:
            if "restarted" in kinds:
                shard_value, _marks = cohort.count(getattr(self, name), {}, events)
                counts[name] = Counts(shard_value)
            self._counting = (None, events, counts)
            return counts
        ended = "ended" in kinds
        # The result and the grade matter only once an attempt has ended; most steps need not
        # read them (each field read is a fair share of a step's work).
        graded = self.has_score
        result = (self.last_result or {}) if ended or (completed and not graded) else {}
        latest = report_rows.latest_score(result) if ended and result else None
        grade = None
        if completed:
            if graded:
                grade = cohort.fraction(self.score_earned, self.score_possible)
            else:
                grade = report_rows.latest_score(result) if result else None
        shard_value, marks = cohort.count(getattr(self, name), before, events,
                                          completed=completed, grade=grade, latest=latest)
        counts[name] = Counts(shard_value)
        self.report_marks = Replaced(marks)
        self._counting = (before, events, counts)
        return counts

    def store_counts(self, counts):
        """Write ``counts`` (``count_step``), once the learner's state is saved and its events
        published; a failure never fails the learner's step.

        In the LMS a user_state_summary field's first write is an INSERT, which fails when
        another request inserted the row since this one read the block's rows
        (courseware/model_data.py, ``DjangoOrmFieldCache.set_many``: IntegrityError, then
        KeyValueMultiSaveError; XBlock's ``save`` raises XBlockSaveError). The platform counts
        the failing field as saved and leaves the later ones (in name order) dirty: those are
        tried once more. The failed one cannot be tried again in this request (its cache would
        INSERT again): when it is the only field of the step that did not exist when the
        request began, its events are kept in the learner's marks ("unsent") and the marks put
        back as they were before the step, so the next step that reads them counts them
        (``count_step``); otherwise they are dropped. Either way it is logged, and the figures
        fall short by them, never over. Nothing is left dirty for the runtime's own save after
        the handler, which would otherwise fail the request (a 500) after the step was stored.
        """
        if not counts:
            return
        absent = [name for name in counts if not self.fields[name].is_set_on(self)]
        for name, value in counts.items():
            setattr(self, name, value)
        failure = None
        for _attempt in (1, 2):   # the second save writes only what the first left dirty
            try:
                self.save()
            except (XBlockSaveError, InvalidScopeError) as error:
                failure = error
            else:
                if failure is None:
                    return
                break
        self._clear_dirty_fields()   # XBlock's own: nothing left for the runtime's save to fail on
        # a field this request had not read and that is still not stored: its INSERT failed
        failed = [name for name in absent if not self.fields[name].is_set_on(self)]
        kept = bool(failed) and self._keep_unsent(failed)
        log.warning("Cohort counts of %s (fields %s) not all stored: %s. The learner's step is "
                    "stored; %s; the instructor report has the exact figures.",
                    self.scope_ids.usage_id, ", ".join(sorted(counts)),
                    getattr(failure, "message", None) or type(failure).__name__,
                    "they will be counted with the learner's next step" if kept
                    else "they are dropped")

    UNSENT_LIMIT = 100   # events kept for counting later, at most

    def _keep_unsent(self, failed):
        """Keep in the learner's marks the events whose counts the ``failed`` fields did not
        store, for ``count_step`` to count again; False when they cannot be kept."""
        before, events, _counts = getattr(self, "_counting", (None, (), {}))
        if before is None:
            return False   # the marks were not read by this step: it cannot rewrite them
        shard = cohort.shard_of(self.scope_ids.user_id)
        writes = cohort.counter_writes(shard, events, len(self.compiled.scenario.nodes))
        lost = [event for field in failed for event in writes.get(field, ())]
        if any(field in cohort.SHARD_FIELDS for field in failed):
            marks = dict(before)   # the totals were not stored: count this learner as before
            lost += [event for event in events if event[0] in ("started", "restarted", "ended")]
        else:
            marks = dict(self.report_marks)
        marks["unsent"] = [[name, {key: data[key] for key in ("node", "choice", "ending")
                                   if key in data}] for name, data in lost][-self.UNSENT_LIMIT:]
        self.report_marks = Replaced(marks)
        try:
            self.save()
        except XBlockSaveError:
            self._clear_dirty_fields()
            return False
        return True

    def cohort_totals(self):
        """The totals and the counters, of both layouts (cohort.py), added up. Most counter
        fields of a small scenario were never written: asking is cheaper than reading them."""
        fields = self.fields
        return cohort.merge(getattr(self, name) for name in cohort.FIELDS
                            if fields[name].is_set_on(self))

    def cohort_summary(self):
        return cohort.summary(self.cohort_totals(), self.compiled.scenario)

    # -- the LMS instructor report ("problem responses") ---------------------------------------

    def report(self):
        """How this block turns a learner's state into a report row."""
        return report_rows.Report(self.compiled.scenario, graded=self.has_score,
                                  reflections=self.reflections_in_reports)

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """(username, OrderedDict) per learner, streamed; at most ``limit_responses`` rows.

        No row key repeats a column the LMS adds itself (report_rows.PLATFORM_COLUMNS). The
        LMS's own "state" column is the learner's raw stored state: private reflections are
        kept out of it by living outside the learner's state (block.py, private_reflections).
        """
        return report_rows.rows(user_state_iterator, self.report(), limit_responses,
                                for_lms=True)

    # -- the staff dashboard ---------------------------------------------------------------------

    def _flow_labels(self):
        labels = {
            "best": self.gettext("best practice"), "acceptable": self.gettext("acceptable"),
            "harmful": self.gettext("harmful"),
            "safe": self.gettext("safe"), "mixed": self.gettext("mixed"),
            "unsafe": self.gettext("unsafe"),
            "title": self.gettext("Paths the cohort took"),
            "description": self.gettext(
                "Each box is a situation or an ending, left to right from the start. Each line "
                "is a choice, labelled with its id, its rating and how many times learners made "
                "it; thicker lines were chosen more often. The tables above give the same "
                "figures."),
            "legend": self.gettext("Line thickness: how often a choice was made."),
            "reached": self.gettext("reached {count}"),
            "edge": self.gettext("{choice} \u00b7 {rating} \u00b7 {count}"),
        }
        return labels

    def staff_results_html(self, open_=False):
        """The dashboard's HTML; only a notice for anyone but staff."""
        context = self._context()
        if not self.is_staff():
            return rendering.render("staff.html", allowed=False, open=True, **context)
        view = self.cohort_summary()
        scenario = self.compiled.scenario
        picture = ""
        if scenario is not None and scenario.nodes:
            picture = Markup(flow.svg(scenario, self.cohort_totals(), self._flow_labels(),
                                      context["uid"]))
        return rendering.render(
            "staff.html", allowed=True, open=open_, view=view, picture=picture,
            csv_url=self.runtime.handler_url(self, "staff_results_csv"),
            json_url=self.runtime.handler_url(self, "staff_results"), **context)

    def add_staff_results(self, fragment):
        """Add the dashboard, folded, under the learner view when the viewer is staff."""
        if not self.is_staff():
            return
        fragment.add_content(self.staff_results_html())
        fragment.add_css(rendering.static_text("staff.css"))

    def staff_view(self, context=None):
        """The dashboard on its own (the workbench: /scenario/<id>/staff_view/?student=staff)."""
        fragment = Fragment(self.staff_results_html(open_=True))
        fragment.add_css(rendering.static_text("staff.css"))
        return fragment

    def _forbidden(self):
        return Response(json.dumps({"code": "staff-only", "message": self.gettext(
            "Only course staff can see the cohort's results.")}), status=403,
            content_type="application/json", charset="utf-8")

    @XBlock.handler
    def staff_results(self, request, suffix=""):
        """The dashboard's numbers as JSON (GET), staff only."""
        if not self.is_staff():
            return self._forbidden()
        return Response(json.dumps(self.cohort_summary()), content_type="application/json",
                        charset="utf-8")

    @XBlock.handler
    def staff_results_csv(self, request, suffix=""):
        """The aggregates as a CSV download (GET), staff only."""
        if not self.is_staff():
            return self._forbidden()
        text = csv_text(cohort.AGGREGATE_COLUMNS, cohort.aggregate_rows(self.cohort_summary()))
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", str(self.scope_ids.usage_id)).strip("-") or "scenario"
        response = Response(text, content_type="text/csv", charset="utf-8")
        response.content_disposition = f'attachment; filename="{name[-80:]}-cohort.csv"'
        return response
