"""The reports in Chromium, under the Content-Security-Policy, with zero axe-core violations on each page shown: an
analyst generates a report and waits while htmx polls its progress, rewrites a paragraph with the keyboard alone
(Tab to its text box, type, Tab to Save, Enter), sees the edit saved and publishes; a councillor then sees only the
report published for publication."""

from __future__ import annotations

import pytest
from test_frontend import AXE, _open, chromium  # noqa: F401 (chromium: a fixture)
from test_reports import a_report

from browser import assert_no_axe_violations
from carelens.web.reports.models import MonthlyReport, Publication

TYPED = "Plans held steady this month."


def _checked(page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert_no_axe_violations(page)
    assert page.evaluate("window.__refused") == [], page.url


def _tab_to(page, element_id: str, most: int = 400) -> None:
    """Press Tab until the element with ``element_id`` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_an_analyst_generates_edits_with_the_keyboard_and_publishes_and_a_councillor_sees_only_published(
        chromium, live_server, client, users, settings, tmp_path):  # noqa: F811
    settings.DATA = tmp_path / "data"
    for_councillors = a_report(users["analyst"], tmp_path, audience="published", publication=Publication.PUBLISHED)
    context, page = _open(chromium, live_server, client, users["analyst"], javascript=True)
    try:
        page.goto(live_server.url + "/reports/", wait_until="load")
        _checked(page)
        page.get_by_label("Internal").check()
        page.get_by_role("button", name="Generate report").click()
        page.wait_for_url("**/reports/*/")
        _checked(page)  # the page while it builds, its progress polled by htmx
        page.locator("#downloads").wait_for(timeout=240_000)  # htmx reloads the page once the build is done
        _checked(page)

        page.get_by_role("link", name="Edit the drafted narrative").click()
        page.wait_for_url("**/narrative/")
        _checked(page)
        # the last paragraph of the first section: the next thing Tab reaches after its box is the section's Save
        target = page.evaluate("document.querySelector('#save-1').previousElementSibling.querySelector('textarea').id")
        _tab_to(page, target)
        page.keyboard.press("Control+A")
        page.keyboard.type(TYPED)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "save-1"
        page.keyboard.press("Enter")
        page.wait_for_url("**/reports/*/")
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert "the report is being built again with your text" in banner
        page.locator("#downloads").wait_for(timeout=240_000)
        page.locator("#report-progress").get_by_text("Built").wait_for(timeout=240_000)

        report = MonthlyReport.objects.exclude(pk=for_councillors.pk).get()
        page.goto(live_server.url + f"/reports/{report.pk}/narrative/", wait_until="load")
        assert page.locator(f"#{target}").input_value() == TYPED
        assert "(edited)" in page.locator(f"label[for={target}]").inner_text()
        _checked(page)

        page.goto(live_server.url + f"/reports/{report.pk}/", wait_until="load")
        page.get_by_role("button", name="Publish report").click()
        page.wait_for_url(f"**/reports/{report.pk}/")
        assert "is published" in page.locator(".govuk-notification-banner").inner_text()
        _checked(page)
        assert page.errors == []
    finally:
        context.close()

    # the councillor: the report published for publication, not the internal one (published or not)
    context, page = _open(chromium, live_server, client, users["councillor"], javascript=True)
    try:
        page.goto(live_server.url + "/reports/", wait_until="load")
        rows = page.locator("#reports tbody tr")
        assert rows.count() == 1
        assert page.locator(f'a[href="/reports/{for_councillors.pk}/"]').count() == 1
        assert page.locator(f'a[href="/reports/{report.pk}/"]').count() == 0
        _checked(page)
        assert page.errors == []
    finally:
        context.close()
