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
