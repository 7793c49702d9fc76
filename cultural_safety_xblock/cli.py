"""The `cultural-safety` command: run the workbench, check scenarios, build the course, report."""
import argparse
import sys
from pathlib import Path

from .scenario import olx
from .scenario.compiled import compile_source

SCENARIO_TAG = "cultural_safety_scenario"


def scenario_elements(path):
    """(element, None) for each scenario in an XML file, or (None, problem) if it cannot be read."""
    root, problems = olx.parse_xml_text(Path(path).read_bytes())
    if root is None:
        return [(None, problems[0])]
    if root.tag in olx.ROOT_TAGS:
        return [(root, None)]
    return [(element, None) for element in root.iter(SCENARIO_TAG)]


def xml_files(path):
    path = Path(path)
    return sorted(path.rglob("*.xml")) if path.is_dir() else [path]


def validate_paths(paths, out=None):
    """Print `file:line: problem (fix)` per problem; exit status 0 clean, 1 problems, 2 unusable."""
    out = out or sys.stdout
    status, scenarios = 0, 0
    for given in paths:
        if not Path(given).exists():
            print(f"{given}: no such file or directory", file=sys.stderr)
            return 2
        for file in xml_files(given):
            try:
                found = scenario_elements(file)
            except OSError as error:
                print(f"{file}: cannot be read ({error.strerror})", file=sys.stderr)
                return 2
            if not found and not Path(given).is_dir():
                print(f"{file}: no <{SCENARIO_TAG}> in this file", file=sys.stderr)
                return 2
            for element, unreadable in found:
                if unreadable is not None:
                    print(f"{file}:{unreadable.line or 1}: {_describe(unreadable)}", file=out)
                    status = 2
                    continue
                scenarios += 1
                for problem in compile_source(element).problems:
                    print(f"{file}:{problem.line or element.sourceline}: {_describe(problem)}",
                          file=out)
                    status = max(status, 1)
    if not scenarios and status == 0:
        print(f"no <{SCENARIO_TAG}> found in {' '.join(map(str, paths))}", file=sys.stderr)
        return 2
    if status == 0:
        print(f"{scenarios} scenario(s), no problems", file=out)
    return status


def _describe(problem):
    where, what, fix = problem.render()
    return f"{where}: {what} ({fix})"


def build_course(course, dist):
    """Pack the course for Studio's import; refuse (exit 1) with the problems listed."""
    from .course_package import CourseProblems, build
    from .course_units import course_dir

    try:
        target = build(course or course_dir(), dist)
    except CourseProblems as refused:
        for line in refused.problems:
            print(line, file=sys.stderr)
        print(f"not packed: {len(refused.problems)} problem(s)", file=sys.stderr)
        return 1
    print(target)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cultural-safety", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check scenario, vertical or course files")
    check.add_argument("paths", nargs="+")
    pack = commands.add_parser("build-course", help="check the course and pack it for Studio")
    pack.add_argument("--course", default=None, help="the course folder (default: course/)")
    pack.add_argument("--dist", default="dist", help="where the .tar.gz goes (default: dist/)")
    serve = commands.add_parser("workbench", help="serve the xblock-sdk workbench locally")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    from . import local_report
    local_report.add_arguments(commands.add_parser(
        "report", help="learners' results from the workbench database, as CSV or JSON"))
    args = parser.parse_args(argv)
    if args.command == "report":
        return local_report.run(args)
    if args.command == "validate":
        return validate_paths(args.paths)
    if args.command == "build-course":
        return build_course(args.course, args.dist)
    if args.command == "workbench":
        from . import workbench
        return workbench.serve(args.host, args.port)
    return 2


if __name__ == "__main__":
    sys.exit(main())
