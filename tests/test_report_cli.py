"""`cultural-safety report` over a real workbench database: learners play a small course on a
workbench server, then the command prints their rows and course summaries; it copes with an
empty database, a missing one, and a course edited after the learners played."""
import csv
import io
import json
import os
import subprocess
import sys
import urllib.request

import pytest

from cultural_safety_xblock.local_report import LEAD, SUMMARY
from cultural_safety_xblock.report_rows import COLUMNS
from tests.support import cohort_play
from tests.support.builders import choice, ending, node, scenario_text
from tests.support.cohort_play import EXPECTED_ROWS, Player, expected_subset
from tests.support.workbench_server import WorkbenchServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TAG = cohort_play.BLOCK_TAG
SHORT = (scenario_text(node("x", choice("yes", "kept", "best", 2), choice("no", "lost", "harmful", 0)),
                       ending("kept"), ending("lost", "unsafe"))
         .replace("<scenario ", f'<{TAG} display_name="Short" weight="3" ', 1)
         .replace("</scenario>", f"</{TAG}>"))
PRACTICE = SHORT.replace('display_name="Short" weight="3"', 'display_name="Practice" practice="true"')
UNITS = {"1.1": ("reported", cohort_play.REPORTED), "1.2": ("short", SHORT),
         "1.3": ("practice", PRACTICE)}


def write_course(folder, units):
    verticals = "".join(f'<vertical url_name="{name}" display_name="{name.title()}">{xml}</vertical>'
                        for name, xml in units.values())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.xml").write_text(
        '<course url_name="t" org="T" course="T1" display_name="Test course"><chapter '
        f'display_name="One"><sequential display_name="S">{verticals}</sequential></chapter>'
        "</course>", encoding="utf-8")


def usage_id(number, name):
    return f"{number.replace('.', '')}-{name}.{TAG}.d0.u0"


class Http:
    """Posts to handlers as the browser does, CSRF cookie and header included (a token of our
    own: fetching a page for one would leave a looker's state in the database)."""

    TOKEN = "reportclitesttoken0123456789abcd"     # 32 letters and digits, as Django expects

    def __init__(self, base):
        self.base = base

    def post(self, usage, handler, payload, student):
        request = urllib.request.Request(
            f"{self.base}/handler/{usage}/{handler}/?student={student}",
            data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.TOKEN,
                     "Cookie": f"csrftoken={self.TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def run_report(*args, cwd=None, var_dir=None):
    """The command's (status, stdout, stderr); $CULTURAL_SAFETY_VAR_DIR only as given here."""
    env = {key: value for key, value in os.environ.items() if key != "CULTURAL_SAFETY_VAR_DIR"}
    if var_dir is not None:
        env["CULTURAL_SAFETY_VAR_DIR"] = str(var_dir)
    done = subprocess.run([sys.executable, "-m", "cultural_safety_xblock.cli", "report", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


def play(base):
    client = Http(base)
    unit1, unit2, unit3 = (usage_id(number, name) for number, (name, _xml) in UNITS.items())

    def poster(usage):
        return lambda handler, payload, student: client.post(usage, handler, payload, student)

    cohort_play.play_cohort(poster(unit1))
    for student, choices in (("alice", ["yes"]), ("bob", ["no"])):
        player = Player(poster(unit2), student, xml=SHORT)
        player.begin()
        player.choose(*choices)
    carol = Player(poster(unit3), "carol", xml=PRACTICE)
    carol.begin()
    carol.choose("no")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The command's output at each stage of one workbench's life."""
    work = tmp_path_factory.mktemp("report-cli")
    course = work / "course"
    write_course(course, UNITS)
    database = work / "var" / "workbench.db"
    found = {}
    with WorkbenchServer(work, course=course) as base:
        found["fresh"] = run_report("--db", str(database))
        play(base)
    found["csv"] = run_report(cwd=work)            # default: var/workbench.db here
    found["json"] = run_report("--format", "json", var_dir=work / "var")
    found["rows"] = run_report("--db", str(database), "--table", "rows")
    edited = dict(UNITS)
    edited["1.1"] = ("reported", cohort_play.REPORTED.replace('id="bad"', 'id="dismiss"'))
    write_course(course, edited)
    with WorkbenchServer(work, course=course):    # same var/: the learners' state is kept
        pass
    found["edited"] = run_report("--db", str(database), "--table", "rows")
    return found


def read_csv(text):
    """(rows, summaries) from the two tables the command prints."""
    tables = text.strip("\n").split("\n\n")
    rows = list(csv.DictReader(io.StringIO(tables[0])))
    summaries = list(csv.DictReader(io.StringIO(tables[1]))) if len(tables) > 1 else []
    return rows, summaries


def typed(row):
    """CSV cells back to numbers where the report has numbers."""
    def value(text):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text
    return {key: value(text) for key, text in row.items()}


def test_the_command_prints_one_row_per_learner_per_scenario(outputs):
    status, out, err = outputs["csv"]
    assert status == 0, err
    rows, _summaries = read_csv(out)
    unit1 = usage_id("1.1", "reported")
    by_learner = {row["Learner"]: typed(row) for row in rows if row["Block"] == unit1}
    assert set(by_learner) == {"alice", "bob", "carol", "erin"}
    for learner, expected in EXPECTED_ROWS.items():
        expected = {**expected, "Reflection: cost": "'" + expected["Reflection: cost"]} \
            if learner == "alice" else expected                # a formula is never a formula
        assert expected_subset(by_learner[learner], expected) == expected, learner
    assert by_learner["alice"]["Title"] == "Reported" and by_learner["alice"]["Scenario"] == "11-reported"
    pairs = sorted((row["Learner"], row["Block"]) for row in rows)
    assert len(pairs) == len(set(pairs)) == 4 + 2 + 1


def test_the_rows_have_the_instructor_reports_columns(outputs):
    _status, out, _err = outputs["rows"]
    header = next(csv.reader(io.StringIO(out)))
    assert tuple(header[:len(LEAD)]) == LEAD
    assert tuple(header[len(LEAD):len(LEAD) + len(COLUMNS)]) == COLUMNS
    assert header[len(LEAD) + len(COLUMNS):] == ["Dimension: voice", "Last activity",
                                                  "Reflection: cost"]
    assert "\n\n" not in out.strip("\n")                  # --table rows: one table only


def test_the_course_summary_weighs_graded_scenarios_and_counts_completion(outputs):
    _status, out, _err = outputs["csv"]
    _rows, summaries = read_csv(out)
    summary = {row["Learner"]: typed(row) for row in summaries}
    assert list(summaries[0]) == list(SUMMARY)
    # graded: reported (weight 1) and short (weight 3); practice counts for completion only
    assert summary["alice"] == {"Learner": "alice", "Scenarios completed": 2, "Scenarios": 3,
                                "Overall score": 1.0, "Course completion": 0.6667}
    assert summary["bob"]["Overall score"] == round((0.25 * 1 + 0.0 * 3) / 4, 4)
    assert summary["carol"] == {"Learner": "carol", "Scenarios completed": 1, "Scenarios": 3,
                                "Overall score": 0.0, "Course completion": 0.3333}
    assert summary["erin"]["Scenarios completed"] == 0


def test_json_gives_the_same_rows_and_summaries(outputs):
    status, out, _err = outputs["json"]
    assert status == 0
    data = json.loads(out)
    csv_rows, csv_summaries = read_csv(outputs["csv"][1])
    assert len(data["rows"]) == len(csv_rows) and len(data["learners"]) == len(csv_summaries)
    alice = next(r for r in data["rows"] if r["Learner"] == "alice" and r["Title"] == "Reported")
    assert alice["Reflection: cost"] == cohort_play.ALICE_REFLECTION
    assert alice["Grade published"] == 1.0 and alice["Path"] == EXPECTED_ROWS["alice"]["Path"]
    assert data["columns"][:len(LEAD)] == list(LEAD)


def test_a_fresh_workbench_database_gives_an_empty_report(outputs):
    status, out, err = outputs["fresh"]
    assert status == 0, err
    rows, summaries = read_csv(out)
    assert rows == [] and summaries == []
    assert out.startswith(",".join(LEAD))


def test_an_empty_or_missing_database_is_reported_plainly(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    status, out, err = run_report("--db", str(empty), "--format", "json")
    assert status == 0 and json.loads(out)["rows"] == [] and json.loads(out)["learners"] == []
    status, out, err = run_report("--db", str(tmp_path / "nowhere.db"))
    assert status == 1 and out == "" and "no workbench database" in err


def test_a_scenario_edited_after_learners_played_still_reports_them(outputs):
    status, out, err = outputs["edited"]
    assert status == 0, err
    rows = {row["Learner"]: row for row in csv.DictReader(io.StringIO(out))
            if row["Block"] == usage_id("1.1", "reported")}
    assert rows["bob"]["Path"] == "a:bad(removed) > b:repair(acceptable)"
    assert rows["bob"]["Grade published"] == "0.25" and rows["bob"]["Ending"] == "safe"
    assert rows["alice"]["Path"] == EXPECTED_ROWS["alice"]["Path"]
