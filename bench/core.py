"""Core timings: parse + validate, student_view, a learner's step, and the learner view's size.

    python bench/core.py            (make bench runs bench/run.py: this and the peer beside it)

Prints a Markdown table; figures are this machine's. Nothing here is asserted by tests.
"""
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shapes import scenario_xml  # noqa: E402
from cultural_safety_xblock.rendering import static_text  # noqa: E402
from cultural_safety_xblock.scenario.compiled import compile_source  # noqa: E402
from tests.support.runtime import Learner  # noqa: E402

SIZES = (10, 100, 500)


def timed(function, repeat):
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def step_time(text, repeat=200, depth=6):
    """Median ms of one choose handler call; the learner restarts every ``depth`` choices, so
    paths stay as long as a real scenario's whatever the number of nodes."""
    learner = Learner(text)
    learner.begin()
    samples = []
    for _ in range(repeat):
        seen = learner.seen()
        body = json.dumps(dict(seen, choice="c0")).encode()
        began = time.perf_counter()
        status, answer = learner.post("choose", None, raw=body)
        samples.append((time.perf_counter() - began) * 1000)
        assert status == 200, answer
        if answer["status"] == "ending" or len(learner.block.learner_state().path) >= depth:
            learner.post("restart", learner.seen())
    return statistics.median(samples), len(json.dumps(answer).encode())


def main():
    rows = ["| nodes | parse + validate (ms) | student_view (ms) | choose step (ms) | step answer (bytes) |",
            "|---:|---:|---:|---:|---:|"]
    for size in SIZES:
        text = scenario_xml(size)
        parse = timed(lambda text=text: compile_source(text), 10 if size >= 500 else 30)
        learner = Learner(text)
        learner.begin()
        view = timed(learner.block.student_view, 100)
        step, answer_bytes = step_time(text)
        rows.append(f"| {size} | {parse:.2f} | {view:.2f} | {step:.3f} | {answer_bytes} |")
    assets = (static_text("student.js") + static_text("student.css")).encode()
    rows.append("")
    rows.append(f"Learner JS+CSS: {len(assets)} bytes, {len(gzip.compress(assets, 9))} bytes gzipped.")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
