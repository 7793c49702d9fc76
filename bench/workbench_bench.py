"""The workbench serving the benchmark's scenarios: both blocks, the same shapes (bench/browser.py).

    python -m bench.workbench_bench --host 127.0.0.1 --port 8123

Each block's ``workbench_scenarios`` is replaced, in this process only, by the benchmark's own:
ours as ``cultural_safety_scenario.<i>``, the peer's as ``branching_xblock.<i>``, one per size of
``SIZES``. The peer needs this to run at all: its ``workbench_scenarios`` is an instance method,
and the workbench, calling it on the class, fails for every page (see RESULTS.md).
"""
import json
import sys

from lxml import etree

from bench.contenders import ENDINGS, peer_nodes
from bench.shapes import scenario_xml

SIZES = (10, 30)


def ours(total_nodes):
    return scenario_xml(total_nodes - ENDINGS, root="cultural_safety_scenario")


def peer(total_nodes):
    nodes = {node["id"]: node for node in peer_nodes(total_nodes)}
    element = etree.Element("branching_xblock", enable_undo="true", enable_scoring="true",
                            enable_reset_activity="true")
    element.set("scenario_data", json.dumps({"nodes": nodes, "start_node_id": "n0"}))
    return etree.tostring(element, encoding="unicode")


def install_scenarios():
    from cultural_safety_xblock.block import CulturalSafetyScenarioBlock

    CulturalSafetyScenarioBlock.workbench_scenarios = classmethod(
        lambda cls: [(f"Bench ours {size} nodes", ours(size)) for size in SIZES])
    try:
        from branching_xblock import BranchingXBlock
    except ImportError:
        return
    BranchingXBlock.workbench_scenarios = classmethod(
        lambda cls: [(f"Bench peer {size} nodes", peer(size)) for size in SIZES])


def main(argv=None):
    from cultural_safety_xblock import workbench

    install_scenarios()
    return workbench.main(argv)


if __name__ == "__main__":
    sys.exit(main())
