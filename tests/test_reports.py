"""Reports for staff: a cohort plays through the workbench, then the instructor report rows, the
aggregates, the dashboard and its downloads must say what those learners did."""
import csv
import io
import json
from collections import namedtuple

import pytest
from lxml import html as lxml_html

from cultural_safety_xblock import cohort, report_rows
from cultural_safety_xblock.report_rows import Report, csv_safe
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.support import cohort_play
from tests.support.cohort_play import (
    EXPECTED_ATTEMPTS,
    EXPECTED_BACK,
    EXPECTED_CHOICES,
    EXPECTED_ENDINGS,
    EXPECTED_GRADES,
    EXPECTED_LEARNERS,
    EXPECTED_ROWS,
    expected_subset,
)

UserState = namedtuple("UserState", "username state")   # what the LMS's iterator yields


@pytest.fixture
def played(django_client, workbench_django):
    """The cohort has played the reports scenario: (client, usage id)."""
    usage_id = cohort_play.play_through_workbench(django_client, workbench_django)
    django_client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/?student=dave")  # looks only
    yield django_client, usage_id
    cohort_play.remove_scenario()


def stored_states(usage_id):
    """Every learner's stored state of the block, as the LMS's user_state_iterator gives it."""
    from workbench.models import XBlockState

    records = XBlockState.objects.filter(scope="usage", scope_id=usage_id,
                                         user_id__isnull=False).order_by("user_id")
    for record in records.iterator():
        yield UserState(record.user_id, json.loads(record.state))


def block_for(workbench_django, usage_id, student="staff"):
    return workbench_django.get_block(usage_id, student=student)


# -- the instructor report -------------------------------------------------------------------------

@pytest.mark.integration
def test_report_rows_say_what_each_learner_did(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    rows = dict(block.generate_report_data(stored_states(usage_id)))
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin"}
    for learner, expected in EXPECTED_ROWS.items():
        # the LMS writes these rows to CSV itself: learners' words come formula-safe
        expected = {k: csv_safe(v) if k.startswith("Reflection") else v for k, v in expected.items()}
        assert expected_subset(rows[learner], expected) == expected, learner
    assert rows["dave"]["Status"] == "not started" and rows["dave"]["Path"] == ""
    assert rows["alice"]["Last activity"].endswith("+00:00")
    assert list(rows["alice"])[:3] == ["Status", "Attempts", "Completed attempts"]


@pytest.mark.integration
def test_the_report_stops_at_limit_responses_and_reads_lazily(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    taken = []

    def counted():
        for state in stored_states(usage_id):
            taken.append(state.username)
            yield state

    rows = list(block.generate_report_data(counted(), limit_responses=2))
    assert [username for username, _row in rows] == ["alice", "bob"]
    assert taken == ["alice", "bob"]          # the third learner was never read
    assert list(block.generate_report_data(stored_states(usage_id), limit_responses=0)) == []


@pytest.mark.integration
def test_reflections_stay_out_of_the_report_unless_the_block_allows_them(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    assert dict(block.generate_report_data(stored_states(usage_id)))["alice"][
        "Reflection: cost"] == "'" + cohort_play.ALICE_REFLECTION
    block.reflections_in_reports = False
    rows = dict(block.generate_report_data(stored_states(usage_id)))
    assert not [column for column in rows["alice"] if column.startswith("Reflection")]
    assert cohort_play.ALICE_REFLECTION not in json.dumps(rows)


def test_a_reflection_written_as_a_formula_reaches_the_lms_report_as_text():
    from cultural_safety_xblock.demo import DEMO_SCENARIO

    report = Report(compile_text(DEMO_SCENARIO).scenario, reflections=True)
    stored = UserState(
        "eve", {"reflections": {"expert": '=HYPERLINK("http://evil","x")'}})
    ((_user, row),) = report_rows.rows(iter([stored]), report, for_lms=True)
    assert row["Reflection: expert"] == "'=HYPERLINK(\"http://evil\",\"x\")"


@pytest.mark.integration
def test_no_row_key_takes_the_place_of_a_column_the_lms_adds(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    for _username, row in block.generate_report_data(stored_states(usage_id)):
        assert not set(row) & set(report_rows.PLATFORM_COLUMNS)


@pytest.mark.integration
def test_a_since_edited_scenario_reports_removed_steps_as_removed(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    block.scenario_xml = block.scenario_xml.replace('id="bad"', 'id="dismiss"')
    rows = dict(block.generate_report_data(stored_states(usage_id)))
    assert rows["bob"]["Path"] == "a:bad(removed) > b:repair(acceptable)"
    assert rows["alice"]["Path"] == "a:good(best) > b:best(best)"
    view = block.cohort_summary()
    node_a = next(node for node in view["nodes"] if node["id"] == "a")
    removed = next(row for row in node_a["choices"] if row["id"] == "bad")
    assert (removed["rating"], removed["count"]) == ("removed", 2)


def test_a_report_row_survives_malformed_state():
    report = Report(compile_text(cohort_play.REPORTED.replace(
        cohort_play.BLOCK_TAG, "scenario")).scenario)
    for state in ({}, None, {"progress": "x", "last_result": [1], "completions": "many"},
                  {"progress": {"path": [["a"], 3, ["a", "good"]], "attempt": "2"},
                   "report_marks": {"best": "high"}, "score_earned": "x"}):
        row = report.row(state)
        assert row["Status"] in ("not started", "in progress")
    assert report.row({"progress": {"path": [["a", "good"]], "attempt": 1}})["Path"] == \
        "a:good(best)"


def test_an_unreadable_scenario_still_gives_rows_with_unknown_ratings():
    report = Report(None)
    row = report.row({"progress": {"place": "b", "path": [["a", "good"]], "attempt": 1}})
    assert row["Path"] == "a:good(unknown)" and row["Status"] == "in progress"


# -- the aggregates ---------------------------------------------------------------------------------

@pytest.mark.integration
def test_the_aggregates_count_what_the_cohort_did(played, workbench_django):
    _client, usage_id = played
    totals = block_for(workbench_django, usage_id).cohort_totals()
    assert (totals.started, totals.completed, totals.attempts) == (4, 2, EXPECTED_ATTEMPTS)
    assert {key: totals.ending(key) for key in EXPECTED_ENDINGS} == EXPECTED_ENDINGS
    assert {key: totals.chosen(*key) for key in EXPECTED_CHOICES} == EXPECTED_CHOICES
    assert dict(totals.back) == EXPECTED_BACK
    assert {i: n for i, n in enumerate(totals.grades) if n} == EXPECTED_GRADES


@pytest.mark.integration
def test_the_aggregates_agree_with_a_recount_from_the_learners_states(played, workbench_django):
    _client, usage_id = played
    block = block_for(workbench_django, usage_id)
    rows = dict(block.generate_report_data(stored_states(usage_id)))
    totals = block.cohort_totals()
    assert totals.completed == sum(row["Status"] == "completed" for row in rows.values())
    assert totals.started == sum(row["Status"] != "not started" for row in rows.values())
    graded = [row["Grade published"] for row in rows.values() if row["Grade published"] != ""]
    assert sorted(cohort.bucket_of(g) for g in graded) == sorted(
        i for i, n in enumerate(totals.grades) for _ in range(n))


def _fresh_block(workbench_django, usage_id, student):
    """The block as a new request in another process would load it."""
    from workbench.runtime import WorkbenchRuntime

    return WorkbenchRuntime(student).get_block(usage_id)


def _read_counters(block):
    """Every cohort field read, as the LMS reads a block's rows when a request starts."""
    for name in cohort.FIELDS:
        getattr(block, name)


def _begin(block):
    from webob import Request

    request = Request.blank("/", method="POST", body=b'{"version": 0, "node": ""}')
    response = block.runtime.handle(block, "begin", request)   # saves the block, as the LMS does
    assert response.status_code == 200


def _learners(same_shard, count=2):
    names = (f"learner{n}" for n in range(1000))
    first = next(names)
    wanted = [first]
    for name in names:
        if (cohort.shard_of(name) == cohort.shard_of(first)) == same_shard:
            wanted.append(name)
        if len(wanted) == count:
            return wanted
    raise AssertionError("no such learners")


@pytest.mark.integration
def test_two_learners_acting_at_once_on_different_shards_are_both_counted(django_client,
                                                                          workbench_django):
    usage_id = cohort_play.add_scenario()
    try:
        blocks = [_fresh_block(workbench_django, usage_id, name) for name in _learners(False)]
        for block in blocks:             # both requests read the counters before either saves
            _read_counters(block)
        for block in blocks:
            _begin(block)
        assert _fresh_block(workbench_django, usage_id, "staff").cohort_totals().started == 2
    finally:
        cohort_play.remove_scenario()


@pytest.mark.integration
def test_two_learners_acting_at_once_on_one_shard_lose_one_count_never_add_one(django_client,
                                                                             workbench_django):
    usage_id = cohort_play.add_scenario()
    try:
        blocks = [_fresh_block(workbench_django, usage_id, name) for name in _learners(True)]
        for block in blocks:
            _read_counters(block)
        for block in blocks:
            _begin(block)
        # the documented tolerance: last writer wins, one count lost, none invented
        assert _fresh_block(workbench_django, usage_id, "staff").cohort_totals().started == 1
        later = _fresh_block(workbench_django, usage_id, _learners(True, 3)[2])
        _begin(later)                    # the next writer builds on what was saved
        assert _fresh_block(workbench_django, usage_id, "staff").cohort_totals().started == 2
    finally:
        cohort_play.remove_scenario()


# -- the merge logic, without a runtime --------------------------------------------------------------

STARTED = (("started", {"attempt": 1}),)
ENDED = (("chose", {"node": "b", "choice": "best"}), ("ended", {"ending": "safe", "attempt": 1}))


def test_writers_of_one_shard_from_the_same_snapshot_keep_the_last_write_only():
    snapshot = cohort.empty_shard()
    first, _ = cohort.count(snapshot, {}, STARTED)
    second, _ = cohort.count(snapshot, {}, STARTED)
    stored = second                      # last writer wins: the first write is gone
    assert cohort.merge([stored]).started == 1
    assert cohort.merge([first, second]).started == 2   # had they been two shards


def test_a_learner_counts_once_as_started_and_completed_however_many_attempts():
    shard, marks = cohort.count({}, {}, STARTED)
    for _attempt in range(3):
        shard, marks = cohort.count(shard, marks, ENDED, completed=True, grade=0.5, latest=0.5)
        shard, marks = cohort.count(shard, marks, (("restarted", {"attempt": 2}),),
                                    completed=True, grade=0.5)
    totals = cohort.merge([shard])
    assert (totals.started, totals.completed, totals.attempts) == (1, 1, 4)
    assert totals.ending("safe") == 3 and sum(totals.grades) == 1


def test_a_learner_moves_between_score_buckets_and_sits_in_one():
    shard, marks = cohort.count({}, {}, ENDED, completed=True, grade=0.2, latest=0.2)
    shard, marks = cohort.count(shard, marks, ENDED, completed=True, grade=0.95, latest=0.95)
    assert cohort.merge([shard]).grades == (0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    assert marks["bucket"] == 9 and marks["best"] == 0.95


def test_the_counters_and_marks_given_are_not_changed():
    import copy

    shard, marks = cohort.empty_shard(), {}
    cohort.count(shard, marks, STARTED + ENDED, completed=True, grade=1.0, latest=1.0)
    assert shard == cohort.empty_shard() and marks == {}
    # a shard already holding every kind of count: the block keeps it without a deep copy
    shard, marks = cohort.count({}, {}, STARTED + ENDED + (("went_back", {"node": "b", "choice":
                                "best"}),), completed=True, grade=0.3, latest=0.3)
    before = copy.deepcopy((shard, marks))
    cohort.count(shard, marks, STARTED + ENDED + (("went_back", {"node": "b", "choice": "best"}),),
                 completed=True, grade=0.9, latest=0.9)
    assert (shard, marks) == before


def test_merging_ignores_malformed_shards_and_never_shows_a_negative_count():
    good, _ = cohort.count({}, {}, STARTED + ENDED, completed=True, grade=1.0)
    broken = {"started": "many", "endings": {"safe": -4, "odd": "x"}, "choices": ["x"],
              "grades": [-1, None, 2]}
    totals = cohort.merge([good, broken, None, "junk", {}])
    assert (totals.started, totals.ending("safe"), totals.grades[0], totals.grades[2]) == (1, 1, 0, 2)


def test_a_learner_writes_one_shard_chosen_stably():
    assert cohort.shard_of("alice") == cohort.shard_of("alice")
    assert {cohort.shard_of(f"user{n}") for n in range(200)} == set(range(cohort.SHARDS))
    assert cohort.shard_of(12345) == cohort.shard_of("12345")


# -- the dashboard -----------------------------------------------------------------------------------

def _dashboard(client, student="staff"):
    page = client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/?student={student}")
    assert page.status_code == 200
    return lxml_html.fromstring(page.content.decode("utf-8"))


@pytest.mark.integration
def test_the_dashboard_shows_the_cohorts_numbers(played):
    client, _usage_id = played
    page = _dashboard(client)
    figures = {dd.get("data-figure"): dd.text_content().strip()
               for dd in page.xpath("//details[contains(@class, 'cs-staff')]//*[@data-figure]")}
    assert figures == {"started": "4", "completed": "2", "completion-rate": "50%",
                       "in-progress": "2", "attempts": str(EXPECTED_ATTEMPTS)}
    endings = {row.get("data-ending"): int(row.xpath(".//*[@data-count]")[0].text)
               for row in page.xpath("//table[@data-table='endings']/tbody/tr")}
    assert endings == EXPECTED_ENDINGS
    grades = {int(row.get("data-grade")) // 10: int(row.xpath(".//*[@data-count]")[0].text)
              for row in page.xpath("//table[@data-table='grades']/tbody/tr")}
    assert {k: v for k, v in grades.items() if v} == EXPECTED_GRADES
    for (node_id, choice_id), expected in EXPECTED_CHOICES.items():
        row = page.xpath(f"//table[@data-node='{node_id}']//tr[@data-choice='{choice_id}']")[0]
        assert int(row.xpath(".//*[@data-count]")[0].text) == expected, (node_id, choice_id)
        assert int(row.xpath(".//*[@data-back]")[0].text) == EXPECTED_BACK.get((node_id, choice_id), 0)
    bad = page.xpath("//table[@data-node='a']//tr[@data-choice='bad']")[0].text_content()
    assert "Harmful" in bad and "40%" in bad          # 2 of the 5 choices made at a
    harmful = [item.get("data-choice") for item in page.xpath("//ol[@class='cs-staff-harmful']/li")]
    assert harmful == ["a:bad", "b:harm"]


@pytest.mark.integration
def test_the_flow_picture_labels_every_choice_in_words(played):
    client, _usage_id = played
    page = _dashboard(client)
    svg = page.xpath("//figure[@class='cs-staff-flow']//svg")[0]
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    labels = [text.text_content() for text in svg.iter("text")]
    assert "bad \u00b7 harmful \u00b7 2" in labels
    assert "good \u00b7 best practice \u00b7 2" in labels
    assert "fine \u00b7 acceptable \u00b7 0" in labels
    assert any("reached 2" in label for label in labels)
    dashes = {path.get("class"): path.get("stroke-dasharray") for path in svg.iter("path")
              if path.get("class", "").startswith("cs-flow-")}
    assert len(set(dashes.values())) == 3       # ratings differ by dash pattern, not colour only


@pytest.mark.integration
def test_the_staff_json_and_csv_give_the_dashboards_figures(played, workbench_django):
    client, usage_id = played
    url = workbench_django.handler_url(usage_id, "staff_results", student="staff")
    view = json.loads(client.get(url).content)
    assert view["learners"] == EXPECTED_LEARNERS and view["attempts"] == EXPECTED_ATTEMPTS
    response = client.get(workbench_django.handler_url(usage_id, "staff_results_csv",
                                                       student="staff"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    choices = {(r["id"], r["choice"]): int(r["count"]) for r in rows if r["section"] == "choice"}
    assert choices == EXPECTED_CHOICES
    endings = {r["id"]: int(r["count"]) for r in rows if r["section"] == "ending"}
    assert endings == EXPECTED_ENDINGS
    learners = {r["id"]: int(r["count"]) for r in rows if r["section"] == "learners"}
    assert learners == {"started": 4, "completed": 2, "in progress": 2}


@pytest.mark.integration
def test_the_staff_view_shows_the_dashboard_open(played):
    client, _usage_id = played
    page = client.get(f"/scenario/{cohort_play.SCENARIO_NAME}/staff_view/?student=staff")
    tree = lxml_html.fromstring(page.content.decode("utf-8"))
    panel = tree.xpath("//details[@class='cs-staff']")[0]
    assert panel.get("open") is not None
    assert panel.xpath(".//*[@data-figure='completed']")[0].text == "2"
