"""Serve the xblock-sdk workbench locally, with every scenario of the installed XBlocks loaded.

    python -m cultural_safety_xblock.workbench [--host 127.0.0.1] [--port 8000] [--samples]
    cultural-safety workbench [--host ...] [--port ...]

State (sqlite database, log) goes to ``var/`` under the current directory. This module is for
local use and tests only: the XBlock never imports it, and Django / xblock-sdk are imported inside
the functions, so importing this module costs nothing and needs neither.
"""
import argparse
import os
import sys
import warnings

SETTINGS_MODULE = "cultural_safety_xblock.workbench_settings"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _quiet_known_warnings():
    # fs (pyfilesystem2, pulled in by XBlock) still imports pkg_resources at import time.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="fs")


def setup(samples=None, var_dir=None):
    """Point Django at the workbench settings and initialise it. Safe to call more than once."""
    _quiet_known_warnings()
    if var_dir is not None:
        os.environ["CULTURAL_SAFETY_VAR_DIR"] = str(var_dir)
    if samples is not None:
        os.environ["CULTURAL_SAFETY_WORKBENCH_SAMPLES"] = "1" if samples else "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django

    django.setup()


def migrate(verbosity=0):
    """Create or update the workbench's sqlite tables (the sdk's app has no migrations)."""
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=verbosity)


def serve(host=DEFAULT_HOST, port=DEFAULT_PORT, *, samples=None, var_dir=None):
    """Set up the database under var/ and run the workbench until interrupted. Returns 0."""
    setup(samples=samples, var_dir=var_dir)
    migrate()
    from django.conf import settings
    from django.core.management import call_command

    print(f"Workbench state in {settings.VAR_DIR}", flush=True)
    print(f"Serving the workbench on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        # No autoreloader: it forks a child that outlives a test's terminate().
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    except KeyboardInterrupt:
        pass
    return 0


def build_parser(parser=None):
    parser = parser or argparse.ArgumentParser(
        prog="python -m cultural_safety_xblock.workbench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--samples",
        action="store_true",
        default=None,
        help="also list the xblock-sdk's sample blocks on the index page",
    )
    parser.add_argument("--var-dir", default=None, help="where state goes (default: ./var)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return serve(args.host, args.port, samples=args.samples, var_dir=args.var_dir)


if __name__ == "__main__":
    sys.exit(main())
