"""Authoring timings: validation (read + check + analyse) and the map (layout + SVG) by size.

    python bench/authoring.py

Two shapes per size: the shared chain of bench/shapes.py (every node leads one or two nodes on)
and a branching one (each node's three choices lead up to six nodes on, so arrows cross layers
and meet). Prints a Markdown table of medians; targets at 500 nodes: validation under 100 ms,
map under 300 ms. Figures are this machine's; nothing here is asserted by tests.
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


if __name__ == "__main__":
    main()
