"""The accessibility check of every page: axe-core (bundled by axe-playwright-python,
injected into the page, nothing fetched) must find nothing serious or critical."""

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

__all__ = ["assert_accessible", "serious_violations"]

_AXE = Axe()
_BLOCKING = frozenset({"serious", "critical"})


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations of impact "serious" or "critical" on the page as it is now."""
    results = _AXE.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in _BLOCKING]


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node.get("target", []))
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail, listing each one readably, on any serious or critical axe violation."""
    found = serious_violations(page)
    if found:
        listing = "\n".join(_describe(v) for v in found)
        raise AssertionError(
            f"axe found {len(found)} serious violation(s) on {page.url}:\n{listing}"
        )
