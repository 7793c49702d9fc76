"""axe-core accessibility checks in a Playwright page.

The axe-core script comes from the PyPI package axe-playwright-python, which bundles axe.min.js;
only that file is used, injected with page.evaluate (which page Content-Security-Policy does not
block).
"""
from functools import cache
from importlib import resources

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def axe_source():
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def inject_axe(page):
    """Load axe-core into the page (again only if a navigation dropped it)."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(axe_source())


def axe_version(page):
    inject_axe(page)
    return page.evaluate("() => window.axe.version")


def axe_run(page, tags=WCAG_TAGS, context=None, disable_rules=()):
    """The full axe.run() result for the page (or `context`, a CSS selector) as a dict."""
    inject_axe(page)
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    return page.evaluate(
        "([context, options]) => window.axe.run(context || document, options)", [context, options]
    )


def axe_violations(page, tags=WCAG_TAGS, context=None, disable_rules=()):
    """The list of axe-core violations (dicts with id, impact, help, nodes, ...) on the page.

    `context` narrows the check to a CSS selector, e.g. ".cultural-safety-scenario";
    `disable_rules` turns off named rules, e.g. ("region",) for a fragment outside landmarks.
    """
    return axe_run(page, tags=tags, context=context, disable_rules=disable_rules)["violations"]


def format_violations(violations):
    """A readable summary for an assertion message: one line per rule, then its nodes."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:5]:
            target = ", ".join(map(str, node.get("target", [])))
            summary = " / ".join(node.get("failureSummary", "").splitlines())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)
