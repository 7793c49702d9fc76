"""Authoring timings: validation (read + check + analyse) and the map (layout + SVG) by size.

    python bench/authoring.py

Two shapes per size: the shared chain of bench/shapes.py (every node leads one or two nodes on)
and a branching one (each node's three choices lead up to six nodes on, so arrows cross layers
and meet). Prints a Markdown table of medians; targets at 500 nodes: validation under 100 ms,
map under 300 ms. Figures are this machine's; nothing here is asserted by tests.

Then the visual editor's server side (issue 14) at 30, 200 and 500 places, on the chain written
out indented as an author's file is: opening (the first studio_edit, after the page's render has
read and checked the text and drawn its map: the outline, the form and the problems at fields),
an edit with its check (a keystroke in a node's title, as the editor sends it: the text, one
move, the map asked for later) and a save (studio_save of the edited text).
The browser's own figures are in bench/editor_browser.py.
"""
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shapes import scenario_xml as chain_xml  # noqa: E402
from cultural_safety_xblock.scenario import map as scenario_map  # noqa: E402
from cultural_safety_xblock.scenario import olx  # noqa: E402
from cultural_safety_xblock.scenario.compiled import compile_source  # noqa: E402
from tests.support.runtime import Learner  # noqa: E402

SIZES = (50, 200, 500)
TARGETS = {"validate": 100.0, "map": 300.0}  # ms at 500 nodes


def branching_xml(nodes, seed=7):
    """``nodes`` nodes: the best choice leads to the next node, the others 2 to 6 nodes on; the
    last ones end in three endings."""
    rng = random.Random(seed)
    endings = ("safe", "mixed", "unsafe")
    parts = ['<dimension id="voice" label="Client voice"/>']
    for number in range(nodes):
        choices = []
        for k, (rating, points) in enumerate((("best", 2), ("acceptable", 1), ("harmful", 0))):
            following = number + (1 if k == 0 else rng.randint(2, 6))
            target = f"n{following}" if following < nodes else endings[k]
            choices.append(
                f'<choice id="c{k}" target="{target}" rating="{rating}" points="{points}">'
                f"<text>Option {k} at node {number}.</text>"
                f"<consequence><p>The client answers option {k}.</p></consequence>"
                f'<score dimension="voice" points="{points}"/></choice>')
        parts.append(f'<node id="n{number}" title="Decision {number}"><html><p>Scene {number}.'
                     f"</p></html>{''.join(choices)}</node>")
    parts += [f'<ending id="{e}" outcome="{e}" title="{e}"><html><p>Ending.</p></html></ending>'
              for e in endings]
    parts.append("<debrief><html><p>What happened and why.</p></html></debrief>")
    return '<scenario start="n0">' + "".join(parts) + "</scenario>"


def median_ms(function, repeat):
    """(wall, CPU) medians in ms: CPU time shows the cost when other work shares the machine."""
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure(text, repeat):
    compiled = compile_source(text)
    assert compiled.scenario is not None and not compiled.problems, compiled.problems[:3]
    block = Learner(text).block
    context = block._studio_context()
    return {
        "validate": median_ms(lambda: compile_source(text), repeat),
        "layout": median_ms(lambda: scenario_map.layout(compiled.scenario, compiled.analysis),
                            repeat),
        "map": median_ms(lambda: block.map_html(compiled, context), repeat),
        "size": len(block.map_html(compiled, context).encode()),
    }


def main():
    rows = ["| shape | nodes | validate (ms) | map layout (ms) | map layout + SVG (ms) | map HTML (KB) |",
            "|---|---:|---:|---:|---:|---:|"]
    worst = {"validate": (0.0, 0.0), "map": (0.0, 0.0)}
    for shape, make in (("chain", chain_xml), ("branching", branching_xml)):
        for size in SIZES:
            got = measure(make(size), 7 if size >= 500 else 15)
            cells = " | ".join(f"{got[k][0]:.1f} (cpu {got[k][1]:.1f})"
                               for k in ("validate", "layout", "map"))
            rows.append(f"| {shape} | {size} | {cells} | {got['size'] / 1024:.0f} |")
            if size == SIZES[-1]:
                for name in worst:
                    worst[name] = max(worst[name], got[name])
    rows.append("")
    rows.append(f"wall-clock medians, CPU time in brackets; load average now "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, target in TARGETS.items():
        wall, cpu = worst[name]
        verdict = "met" if wall < target else ("MISSED (CPU time within)" if cpu < target
                                               else "MISSED")
        rows.append(f"{name} at {SIZES[-1]} nodes: {wall:.1f} ms, CPU {cpu:.1f} ms "
                    f"(target < {target:.0f} ms): {verdict}")
    print("\n".join(rows))


EDITOR_SIZES = (30, 200, 500)
SETTINGS = {"display_name": "Bench", "weight": 1.0, "max_attempts": 0, "grading": "best_attempt",
            "practice": False, "allow_back": True, "allow_restart": True,
            "reflections_in_reports": False}


def indented(nodes):
    """The chain of ``nodes`` places (nodes and three endings), written out as an author's file."""
    return olx.write(compile_source(chain_xml(nodes - 3)).scenario, tag="cultural_safety_scenario")


def editor_figures(places, repeat):
    text = indented(places)
    author = Learner(text, user="staff_author")
    author.block.runtime.user_is_staff = True
    middle = ["node", places // 2]

    def edit(scenario_xml, operations, map_key=""):
        status, answer = author.post("studio_edit", {
            "scenario_xml": scenario_xml, "operations": operations, "show": middle,
            "map_key": map_key})
        assert status == 200, answer
        return answer

    edit(text, [])  # the editor opened: its text read and checked
    counter = iter(range(10**6))

    def keystroke():
        edit(text, [{"op": "set", "at": middle, "name": "title",
                     "value": f"Node typed {next(counter)}"}], "later")  # as the editor sends it

    start, end, new = edit(text, [{"op": "set", "at": middle, "name": "title",
                                   "value": "Saved"}])["splice"]
    edited = text[:start] + new + text[end:]

    def save():
        status, answer = author.post("studio_save", dict(SETTINGS, scenario_xml=edited))
        assert status == 200, answer

    def open_editor():
        edit(text, [])
    return {"open": median_ms(open_editor, repeat), "edit": median_ms(keystroke, repeat),
            "save": median_ms(save, repeat), "bytes": len(text.encode())}


def editor_main():
    rows = ["| places | text (KB) | open (ms) | edit + check (ms) | save (ms) |",
            "|---:|---:|---:|---:|---:|"]
    for places in EDITOR_SIZES:
        got = editor_figures(places, 7 if places >= 500 else 15)
        cells = " | ".join(f"{got[k][0]:.1f} (cpu {got[k][1]:.1f})" for k in ("open", "edit", "save"))
        rows.append(f"| {places} | {got['bytes'] / 1024:.0f} | {cells} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
    print()
    editor_main()
