"""The workbench's Django app in the test process: Django test Client, scenarios, handler URLs.

Call ``setup(var_dir)`` once per process (the ``workbench_django`` fixture does); after it the
sdk's modules (workbench.runtime, workbench.scenarios, ...) can be imported.
"""
import json
import logging
import os
from contextlib import contextmanager

_configured = False


def setup(var_dir):
    """Configure Django with the workbench settings, its sqlite database under ``var_dir``."""
    global _configured
    if _configured:
        return
    # Playwright's sync API keeps an event loop on the main thread; Django would then refuse
    # ORM calls made from the same thread ("You cannot call this from an async context").
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from cultural_safety_xblock import workbench

    workbench.setup(var_dir=var_dir)
    workbench.migrate()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # The sdk logs every SQL statement at DEBUG (DEBUG=True): keep that out of failure reports.
    logging.getLogger("django.db.backends").setLevel(logging.INFO)
    # Load every scenario now, outside any test's transaction, so that their content rows are
    # committed and survive each test's rollback.
    scenarios()
    _configured = True


@contextmanager
def rolled_back():
    """Everything written to the database inside the block is undone at its end.

    Handlers called through the Django test Client run in this thread, on this connection, so
    their writes are undone too: each test starts from the freshly loaded scenarios.
    """
    from django.db import transaction

    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def reset_state():
    """Forget all state and reload all scenarios (the sdk's own test reset; ~1 s with the course).

    Not needed between tests: `django_client` rolls each test back. Use it after changing
    scenarios (e.g. workbench.scenarios.add_xml_scenario) outside a rolled-back block.
    """
    from workbench.runtime_util import reset_global_state

    reset_global_state()


def scenarios():
    """{scenario_id: Scenario(description, usage_id, xml)} of every loaded scenario.

    Scenario ids are ``<xblock.v1 entry point name>.<index in workbench_scenarios()>``,
    e.g. ``cultural_safety_scenario.0``; usage ids ``<slugified description>.<block type>.dN.uN``.
    """
    from workbench.scenarios import get_scenarios

    return dict(get_scenarios())


def usage_ids(scenario_id, block_type=None, student="student_1"):
    """Usage ids in a scenario's block tree (root first, depth first), optionally of one type."""
    from workbench.runtime import WorkbenchRuntime

    runtime = WorkbenchRuntime(student)
    found = []

    def walk(usage_id):
        block = runtime.get_block(usage_id)
        if block_type is None or block.scope_ids.block_type == block_type:
            found.append(usage_id)
        for child in getattr(block, "children", None) or []:
            walk(child)

    walk(scenarios()[scenario_id].usage_id)
    return found


def get_block(usage_id, student="student_1"):
    """The block as the workbench runtime builds it for `student` (fields read from the test db)."""
    from workbench.runtime import WorkbenchRuntime

    return WorkbenchRuntime(student).get_block(usage_id)


def handler_url(usage_id, handler, suffix="", student="student_1", thirdparty=False):
    """The URL the workbench gives a handler: /handler/<usage_id>/<handler>/?student=<student>."""
    from django.urls import reverse

    url = reverse("unauth_handler" if thirdparty else "handler", args=(usage_id, handler, suffix))
    return url if thirdparty else f"{url}?student={student}"


def call_json_handler(client, usage_id, handler, payload=None, student="student_1"):
    """POST JSON to a @XBlock.json_handler as the browser runtime does: (status, decoded body)."""
    response = client.post(
        handler_url(usage_id, handler, student=student),
        data=json.dumps({} if payload is None else payload),
        content_type="application/json",
    )
    body = response.content.decode("utf-8")
    try:
        return response.status_code, json.loads(body)
    except ValueError:
        return response.status_code, body
