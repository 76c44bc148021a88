"""A real browser for tests: Debian's Chromium driven by Playwright, and axe-core to check pages.

Playwright's own browser download cannot run here, so the tests drive the ``chromium`` Debian package
(``apt-get install chromium``, done by ``scripts/test.sh``); without it the tests that need a browser
are skipped with the reason. axe-core is vendored in ``vendor/`` (its README says which version and
from where), so the accessibility check needs no network and its rules change only when we change them.

Use it from a test folder's ``conftest.py``::

    from browser import browser_context as browser_context  # one Chromium per test module

and in a test::

    def test_page(browser_context, tmp_path):
        page = open_file(browser_context, path)
        assert_no_axe_violations(page)

The context refuses every request that is not for a local file and records every request made, so
a test can also prove that a page fetches nothing from elsewhere (``requests_made``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# The WCAG 2.2 AA rules, as axe-core tags them (2.0, 2.1 and 2.2, levels A and AA).
WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# A quiet, repeatable headless Chromium: no GPU, no sandbox (tests run as root), and none of the
# background fetches a desktop browser makes on its own (updates, sync, first-run pages).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
                 "--mute-audio", "--hide-scrollbars")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory) -> Iterator:
    """A Playwright browser context in headless Chromium, with a fresh profile, shared by a test module.

    Each request the pages make is recorded in ``context.requests_made``; any that is not for a local
    ``file:`` or ``data:`` URL is refused."""
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(chromium), headless=True, args=list(CHROMIUM_ARGS),
            viewport={"width": 1024, "height": 768}, locale="en-GB", timezone_id="Europe/London",
            # the report's Content-Security-Policy forbids scripts; the test's own (axe) must still run
            bypass_csp=True)
        context.requests_made = []
        context.on("request", lambda request: context.requests_made.append(request.url))
        context.route("**/*", _local_only)
        try:
            yield context
        finally:
            context.close()


def chromium_or_skip() -> Path:
    """Debian's Chromium, or skip the test saying how to install it."""
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    pytest.skip("no browser: Debian's chromium is not installed at /usr/bin/chromium "
                "(apt-get install chromium; scripts/test.sh installs it)")


def open_file(context, path: Path, *, width: int = 1024, height: int = 768):
    """A new page in ``context`` showing the local file at ``path``, loaded."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return page


def accessibility_tree(context, page) -> list[tuple[str, str]]:
    """(role, accessible name) of every node in Chromium's own accessibility tree of the page that
    assistive technology is given (ignored nodes left out): what a screen reader is told."""
    session = context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [(n.get("role", {}).get("value", ""), n.get("name", {}).get("value", "")) for n in nodes
            if not n.get("ignored")]


def axe_violations(page, tags: tuple[str, ...] = WCAG_22_AA) -> list[dict]:
    """What axe-core finds wrong with the page as it now shows, against the rules with ``tags``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(tags))
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """axe-core's violations as lines a person can act on: the rule, its impact, and each element."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, tags: tuple[str, ...] = WCAG_22_AA) -> None:
    violations = axe_violations(page, tags)
    assert not violations, f"axe-core found {len(violations)} WCAG violation(s):\n{describe_violations(violations)}"


def _local_only(route) -> None:
    if route.request.url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        route.abort()


__all__ = ["AXE", "CHROMIUM", "WCAG_22_AA", "accessibility_tree", "assert_no_axe_violations", "axe_violations",
           "browser_context", "chromium_or_skip", "describe_violations", "open_file"]
