"""The comparative benchmark: ours beside branching-xblock 0.3.3, then ours alone as it grows.

    make bench                      (python bench/run.py in the bench venv, .venv-bench-X.Y)
    python bench/run.py [--quick]   (--quick: fewer samples, no 100k learners; a smoke run)

Installs bench/requirements.txt into the running venv if anything there is missing, measures
everything in one process (the browser part in a workbench subprocess), prints the tables and
writes them to bench/RESULTS.md. Figures are this machine's; no test asserts a time.
"""
import argparse
import importlib
import importlib.metadata
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REQUIREMENTS = BENCH / "requirements.txt"
RESULTS = BENCH / "RESULTS.md"
sys.path.insert(0, str(ROOT))

COMPARED = (10, 30)
GROWTH = (10, 30, 100, 500, 1000)


def requirements():
    lines = REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def missing_requirements():
    missing = []
    for requirement in requirements():
        name, operator, pinned = re.match(r"([A-Za-z0-9_.-]+)\s*(==|>=)?\s*(\S*)",
                                          requirement).groups()
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
            continue
        if operator == "==" and version != pinned:
            missing.append(requirement)
    return missing


def ensure_requirements():
    """pip install -r bench/requirements.txt into this venv when something there is missing."""
    missing = missing_requirements()
    if not missing:
        return
    if Path(sys.prefix).name.startswith(".venv-test"):
        sys.exit(f"bench/run.py: not installing {', '.join(missing)} into the test venv "
                 f"{sys.prefix}: the peer's entry point would break the workbench there "
                 "(its workbench_scenarios is an instance method). Run `make bench`, which uses "
                 "a venv of its own.")
    print(f"==> installing {', '.join(missing)} into {sys.prefix}", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
                          capture_output=True, text=True, check=False)
    # pip warns about every project missing from this machine's local extra indexes: noise
    said = [line for line in (done.stdout + done.stderr).splitlines()
            if "is ignored: it is neither a file nor a directory" not in line]
    if said:
        print("\n".join(said), file=sys.stderr)
    if done.returncode != 0:
        sys.exit(f"bench/run.py: pip could not install {REQUIREMENTS.name}")
    importlib.invalidate_caches()


def configure_django():
    """The peer reads django.conf.settings in its views; a bare configuration is enough."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()


def stamp(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- measures --------------------------------------------------------------------------------

def compare(quick):
    """{(measure, size): {name: samples}} for ours beside the peer, interleaved in rounds."""
    from bench.contenders import Ours, Peer
    from bench.harness import interleaved, python_calls

    rounds = 4 if quick else 16
    found = {}
    for size in COMPARED:
        stamp(f"ours beside the peer, {size} nodes")
        ours, peer = Ours(size), Peer(size)
        for kind, per_round in (("step", 40), ("view", 20), ("save", 6), ("save_first", 3)):
            samplers = {"ours": getattr(ours, kind),
                        "peer": getattr(peer, kind.replace("_first", ""))}
            found[(kind, size)] = interleaved(
                samplers, rounds, 1 if quick and kind.startswith("save") else per_round)
            found[("calls_" + kind, size)] = {
                name: [python_calls(sampler) for _ in range(5)]
                for name, sampler in samplers.items()}
        found[("answer", size)] = {"ours": ours.answers, "peer": peer.answers}
        found[("save_label", size)] = ours.save_label
        forget_saved_texts()
    return found


def forget_saved_texts():
    """Drop the compiled texts the saves left (learners' versions stay): hundreds of large ones
    would slow every later garbage collection, which no real process sees."""
    from cultural_safety_xblock.scenario.compiled import compile_text

    compile_text.cache_clear()


def growth(quick):
    """{(measure, size): samples} for ours alone, the sizes interleaved in rounds."""
    from bench.contenders import Ours
    from bench.harness import interleaved, python_calls

    rounds = 4 if quick else 12
    stamp("ours alone at " + ", ".join(str(size) for size in GROWTH) + " nodes")
    blocks = {size: Ours(size) for size in GROWTH}
    everywhere = {size: Ours(size, cohort_everywhere=True) for size in GROWTH}
    found = {}
    for kind, contenders, per_round in (
            ("step", blocks, 40), ("view", blocks, 20), ("save", blocks, 2),
            ("save_first", blocks, 2), ("step_cohort", everywhere, 20)):
        method = "step" if kind == "step_cohort" else kind
        samples = interleaved({size: getattr(block, method) for size, block in contenders.items()},
                              rounds, 1 if quick and kind.startswith("save") else per_round)
        for size, values in samples.items():
            found[(kind, size)] = values
        if kind.startswith("save"):
            forget_saved_texts()
    for size, block in blocks.items():
        found[("answer", size)] = block.answers
        found[("calls", size)] = [python_calls(block.step) for _ in range(12)]
        found[("calls_cohort", size)] = [python_calls(everywhere[size].step) for _ in range(12)]
    return found


def assets():
    from bench.contenders import Ours, Peer

    return {"ours": Ours.assets(), "peer": Peer.assets()}


def cohort(quick):
    from bench import cohort_scale

    stamp("cohort scale")
    try:
        return cohort_scale.measure(cohort_scale.COUNTS[:2] if quick else cohort_scale.COUNTS)
    except Exception as error:  # report what failed instead of losing every other figure
        return [("error", f"{type(error).__name__}: {error}")]


def browser(quick):
    from bench import browser as page_timing

    stamp("browser: headless Chromium on the workbench")
    try:
        return page_timing.measure(runs_each=3 if quick else page_timing.RUNS)
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples: a smoke run")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    ensure_requirements()
    configure_django()
    from bench import results

    figures = {
        "compare": compare(args.quick),
        "growth": growth(args.quick),
        "assets": assets(),
        "cohort": cohort(args.quick),
        "browser": {} if args.no_browser else browser(args.quick),
        "machine": f"Python {platform.python_version()}, {platform.machine()}, "
                   f"branching-xblock {importlib.metadata.version('branching-xblock')}",
        "quick": args.quick,
    }
    figures["seconds"] = time.perf_counter() - began
    text = results.markdown(figures)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    stamp(f"wrote {RESULTS.relative_to(ROOT)} in {figures['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
