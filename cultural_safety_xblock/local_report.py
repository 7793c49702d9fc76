"""``cultural-safety report``: learners' results from the local workbench database, as CSV or JSON.

The xblock-sdk keeps every field in one table, ``workbench_xblockstate``: one row per (scope,
scope id, user) holding a JSON object of field values. For our block (tag
``cultural_safety_scenario``):

- ``definition`` rows (no user) hold the content, ``scenario_xml``;
- ``usage`` rows without a user hold the settings (display name, weight, practice, ...) and the
  cohort aggregates; ``usage`` rows with a user hold that learner's state.

The file is opened read-only with sqlite3 (no Django), learner rows are read one at a time, and
each becomes the same row the LMS instructor report gets (``report_rows``), against the scenario
as the database holds it now: steps an author has since removed show as "removed", a scenario
that no longer reads shows ratings as "unknown". A per-learner course summary follows.
"""
import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from .cohort import fraction
from .report_rows import (
    COLUMNS,
    DIMENSION_PREFIX,
    LAST_ACTIVITY,
    REFLECTION_PREFIX,
    Report,
    csv_safe,
)
from .scenario.compiled import compile_text

TABLE = "workbench_xblockstate"
BLOCK_TYPE = "cultural_safety_scenario"
LEAD = ("Learner", "Scenario", "Block", "Title")
SUMMARY = ("Learner", "Scenarios completed", "Scenarios", "Overall score", "Course completion")


@dataclass(frozen=True)
class Block:
    usage_id: str
    scenario: str      # the workbench scenario (slug of its title)
    title: str
    weight: float
    graded: bool
    report: Report


def default_database():
    return Path(os.environ.get("CULTURAL_SAFETY_VAR_DIR") or "var") / "workbench.db"


def _json(text):
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _defaults():
    from .block import CulturalSafetyScenarioBlock as block_class  # field defaults, one source

    return {name: block_class.fields[name].default
            for name in ("scenario_xml", "display_name", "weight", "practice",
                         "reflections_in_reports")}


def read_blocks(connection):
    """{usage id: Block} of every scenario block the database knows, sorted by usage id."""
    defaults = _defaults()
    content, settings, usages = {}, {}, set()
    query = f"SELECT scope, scope_id, user_id, state FROM {TABLE} WHERE tag = ? AND user_id IS NULL"
    for scope, scope_id, _user, state in connection.execute(query, (BLOCK_TYPE,)):
        if scope == "definition":
            content[scope_id] = _json(state)
        elif scope == "usage":
            settings[scope_id] = _json(state)
            usages.add(scope_id)
        elif scope == "parent":
            usages.add(scope_id)
    query = f"SELECT DISTINCT scope_id FROM {TABLE} WHERE tag = ? AND scope = 'usage'"
    usages.update(scope_id for (scope_id,) in connection.execute(query, (BLOCK_TYPE,)))
    blocks = {}
    for usage_id in sorted(usages):
        fields = {**defaults, **content.get(usage_id.rsplit(".", 1)[0], {}),
                  **settings.get(usage_id, {})}
        text = fields["scenario_xml"]
        scenario = compile_text(text).scenario if isinstance(text, str) else None
        graded = not fields["practice"]
        blocks[usage_id] = Block(usage_id, usage_id.split(".", 1)[0], str(fields["display_name"]),
                                 float(fields["weight"] or 0), graded,
                                 Report(scenario, graded=graded,
                                        reflections=bool(fields["reflections_in_reports"])))
    return blocks


def columns(blocks):
    """The rows' header: the lead, the fixed columns, then every block's extra columns."""
    extra = []
    for block in blocks.values():
        extra += [c for c in block.report.columns if c not in extra and c not in COLUMNS]
    dimensions = [c for c in extra if c.startswith(DIMENSION_PREFIX)]
    reflections = [c for c in extra if c.startswith(REFLECTION_PREFIX)]
    return LEAD + COLUMNS + tuple(dimensions) + (LAST_ACTIVITY,) + tuple(reflections)


def learner_states(connection):
    """(learner, usage id, state dict) per stored learner state, by learner, one at a time."""
    query = (f"SELECT user_id, scope_id, state FROM {TABLE} WHERE tag = ? AND scope = 'usage' "
             "AND user_id IS NOT NULL ORDER BY user_id, scope_id")
    for user_id, scope_id, state in connection.execute(query, (BLOCK_TYPE,)):
        yield user_id, scope_id, _json(state)


class CourseSummary:
    """One learner's standing over every scenario block: completed, overall score, completion."""

    def __init__(self, blocks):
        self.blocks = blocks
        self.weights = sum(b.weight for b in blocks.values() if b.graded)

    def of(self, learner, states):
        """``states``: {usage id: state dict} of this learner."""
        completed, earned = 0, 0.0
        for usage_id, state in states.items():
            block = self.blocks.get(usage_id)
            if block is None:
                continue
            completed += _completions(state) > 0
            if block.graded:
                earned += block.weight * (fraction(state.get("score_earned"),
                                                   state.get("score_possible")) or 0.0)
        total = len(self.blocks)
        return {"Learner": learner, "Scenarios completed": completed, "Scenarios": total,
                "Overall score": round(earned / self.weights, 4) if self.weights else "",
                "Course completion": round(completed / total, 4) if total else ""}


def _completions(state):
    try:
        return int(state.get("completions") or 0)
    except (TypeError, ValueError):
        return 0


def report(connection):
    """(header, rows, summaries): rows stream (dicts); summaries fill in as rows are read."""
    blocks = read_blocks(connection)
    course = CourseSummary(blocks)
    summaries = []

    def rows():
        learner, states = None, {}
        for user_id, usage_id, state in learner_states(connection):
            if user_id != learner and learner is not None:
                summaries.append(course.of(learner, states))
                states = {}
            learner = user_id
            block = blocks[usage_id]
            states[usage_id] = state
            row = {"Learner": user_id, "Scenario": block.scenario, "Block": usage_id,
                   "Title": block.title}
            row.update(block.report.row(state))
            yield row
        if learner is not None:
            summaries.append(course.of(learner, states))

    return columns(blocks), rows(), summaries


def connect(path):
    """A read-only connection, or None when there is no database file."""
    path = Path(path)
    if not path.is_file():
        return None
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _has_table(connection):
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (TABLE,)).fetchone() is not None


def write_csv(out, header, rows, summaries, table):
    import csv

    writer = csv.writer(out, lineterminator="\n")
    if table in ("both", "rows"):
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_safe(row.get(column, "")) for column in header])
    else:
        for _row in rows:  # the summaries are made while reading the rows
            pass
    if table == "both":
        out.write("\n")
    if table in ("both", "summary"):
        writer.writerow(SUMMARY)
        for summary in summaries:
            writer.writerow([csv_safe(summary[column]) for column in SUMMARY])


def write_json(out, header, rows, summaries, table):
    out.write('{"columns": ' + json.dumps(list(header)) + ', "rows": [')
    for index, row in enumerate(rows):
        if table in ("both", "rows"):
            out.write(("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False))
    out.write('\n], "learners": [')
    if table in ("both", "summary"):
        out.write(",".join("\n  " + json.dumps(s, ensure_ascii=False) for s in summaries))
    out.write("\n]}\n")


def add_arguments(parser):
    parser.add_argument("--db", default=None,
                        help="the workbench database (default: var/workbench.db, or "
                             "$CULTURAL_SAFETY_VAR_DIR/workbench.db)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--table", choices=("both", "rows", "summary"), default="both",
                        help="rows: one per learner per scenario; summary: one per learner")


def run(args, out=sys.stdout):
    path = Path(args.db) if args.db else default_database()
    connection = connect(path)
    if connection is None:
        print(f"{path}: no workbench database here. Run `cultural-safety workbench` (or "
              "`make run`) first, or give --db PATH.", file=sys.stderr)
        return 1
    with connection:
        if _has_table(connection):
            header, rows, summaries = report(connection)
        else:  # a database the workbench has not set up yet: an empty report
            header, rows, summaries = LEAD + COLUMNS + (LAST_ACTIVITY,), iter(()), []
        write = write_json if args.format == "json" else write_csv
        write(out, header, rows, summaries, args.table)
    connection.close()
    return 0
