"""The dashboards in Chromium, each page as a signed-in analyst and a councillor would open it: drawn under the
Content-Security-Policy with nothing from another host, and zero axe-core WCAG 2.2 AA violations."""

from __future__ import annotations

import pytest
from test_frontend import AXE, _open, chromium  # noqa: F401 (chromium: a fixture)

from browser import assert_no_axe_violations

PAGES = ("/", "/areas/cp_plans/", "/areas/open_cases/", "/indicators/C8/", "/indicators/B1/?window=week",
         "/indicators/C8/by/age_band/")


@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["analyst", "councillor"])
def test_every_dashboard_page_passes_axe_with_nothing_from_elsewhere(chromium, live_server, client,  # noqa: F811
                                                                     users, role):
    context, page = _open(chromium, live_server, client, users[role], javascript=True)
    try:
        for path in PAGES:
            page.goto(live_server.url + path, wait_until="load")
            assert page.locator("h1").count() == 1, path
            drawn = page.locator('[data-chart-state="drawn"]')
            if page.locator(".app-chart").count():
                drawn.first.wait_for(timeout=15_000)
            page.evaluate(AXE.read_text(encoding="utf-8"))
            assert_no_axe_violations(page)
            assert page.evaluate("window.__refused") == [], path
        assert all(url.startswith(live_server.url + "/") for url in context.requests_made), context.requests_made
        assert page.errors == []
    finally:
        context.close()


WIDER_THAN_THE_SCREEN = """() => Array.from(document.querySelectorAll("main *"))
    .filter(e => !e.closest(".app-table-wrap") && e.getBoundingClientRect().right > innerWidth + 1)
    .map(e => e.tagName + "." + e.className)"""


@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_nothing_is_wider_than_the_screen_and_charts_are_laid_out_to_fit(
        chromium, live_server, client, users):  # noqa: F811
    """WCAG 2.2 1.4.10 (reflow) at 320 CSS px: a wide table scrolls in a region of its own; a chart is laid out
    again at the width there is, its legends beneath it, so it is scaled down by at most a third (drawn at the
    report's width it was scaled to under a half)."""
    context, page = _open(chromium, live_server, client, users["analyst"], javascript=True, width=320)
    try:
        for path in PAGES:
            page.goto(live_server.url + path, wait_until="load")
            if page.locator(".app-chart").count():
                page.locator('[data-chart-state="drawn"]').first.wait_for(timeout=15_000)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], path
            for svg in page.locator(".app-chart__drawing svg").all()[:3]:
                drawn, laid_out = svg.evaluate("s => [s.getBoundingClientRect().width, s.width.baseVal.value]")
                assert drawn >= laid_out * 0.6, (path, drawn, laid_out)
    finally:
        context.close()


@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_the_forecast_page_passes_axe_with_two_scenarios_compared(chromium, live_server, client, users):  # noqa: F811
    from carelens.forecast.scenarios import example_scenarios_file, read_scenarios

    first, second = (s.name for s in read_scenarios(example_scenarios_file(), None, None)[:2])
    context, page = _open(chromium, live_server, client, users["manager"], javascript=True)
    try:
        page.goto(live_server.url + "/forecast/", wait_until="load")
        # chosen with the keyboard-free form as a manager would: tick two, compare
        page.get_by_label(first, exact=True).check()
        page.get_by_label(second, exact=True).check()
        page.get_by_role("button", name="Compare").click()
        page.wait_for_load_state("load")
        page.locator('[data-chart-state="drawn"]').first.wait_for(timeout=15_000)
        assert page.get_by_text("Each scenario against the baseline").count() == 1
        page.evaluate(AXE.read_text(encoding="utf-8"))
        assert_no_axe_violations(page)
        assert all(url.startswith(live_server.url + "/") for url in context.requests_made), context.requests_made
        assert page.errors == []
    finally:
        context.close()
