"""A data load in Chromium, as an analyst does it with the keyboard: choose a return's files, reach the button
with Tab and press Enter, and see every problem of the return on the load's page once its ingest has finished
(the page asks for its progress every 2 s and is drawn again when it is done). Each page the flow shows — the
form, a load running, the problems — has zero axe-core WCAG 2.2 AA violations, under the app's
Content-Security-Policy."""

from __future__ import annotations

import os
import re

import pytest
from test_frontend import AXE, _open, chromium  # noqa: F401 (chromium: a fixture)
from test_loads import bad_date, return_folder, store, version  # noqa: F401 (fixtures)

from browser import assert_no_axe_violations
from carelens.web.background import Status
from carelens.web.loads.models import Load


def _axe(page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert_no_axe_violations(page)
    assert page.evaluate("window.__refused") == [], page.url


@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_an_analyst_uploads_a_return_with_a_problem_using_the_keyboard(chromium, live_server, client,  # noqa: F811
                                                                      users, store, return_folder,  # noqa: F811
                                                                      tmp_path):
    bad = tmp_path / "ssda903_2024-25"
    bad.mkdir()
    for f in sorted(return_folder.iterdir()):
        (bad / f.name).write_text(bad_date(f.name, f.read_text(encoding="utf-8")), encoding="utf-8")

    context, page = _open(chromium, live_server, client, users["analyst"], javascript=True)
    try:
        page.goto(live_server.url + "/loads/", wait_until="load")
        assert page.locator("h1").inner_text() == "Data loads"
        _axe(page)

        page.set_input_files("#id_files", sorted(str(p) for p in bad.iterdir()))
        page.focus("#id_hold_back")  # the last option; the button is next
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "upload-button"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/loads/\d+/$"), timeout=30_000)
        # drawn again (HX-Refresh) when the ingest has finished: the problems are then on the page
        page.wait_for_selector("#problems-table", timeout=30_000)
        assert page.locator("h1").inner_text() == "Problems found: nothing was stored"
        summary = page.locator(".govuk-error-summary")
        assert "1 problem found in the files: nothing was stored" in summary.inner_text()
        cells = page.locator("#problems-table tbody tr").first.locator("td").all_inner_texts()
        assert cells == ["upload/episodes.csv", "row 2", "DECOM", "31/13/2024", "a real date written DD/MM/YYYY",
                         "8900000003"]
        assert version(store) == 1
        _axe(page)

        # a load that is running: its progress, asked for again every 2 s
        running = Load.objects.create(requested_by=users["analyst"], status=Status.RUNNING, process=os.getpid(),
                                      steps_total=3, steps_done=1, step="Merging into the store",
                                      steps_log=["Reading and checking the files", "Merging into the store"])
        with page.expect_response(re.compile(rf"/loads/{running.pk}/progress/$"), timeout=10_000):
            page.goto(live_server.url + f"/loads/{running.pk}/", wait_until="load")
        assert page.locator("#load-progress-bar").get_attribute("value") == "33"
        _axe(page)

        page.goto(live_server.url + "/loads/", wait_until="load")
        assert page.locator("tbody tr").count() == 2
        _axe(page)
        assert all(url.startswith(live_server.url + "/") for url in context.requests_made), context.requests_made
        assert page.errors == []
    finally:
        context.close()
