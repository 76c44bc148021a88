"""Each role's main flow in Chromium, with the keyboard alone: sign in through the real form, then the overview, an
area, an indicator, the children behind a value, a child's journey and the list's downloads — each page under the
Content-Security-Policy, with nothing from another host and zero axe-core WCAG 2.2 AA violations. What each role
may not do is refused on the server (the permission matrix says it for every URL; here, as a browser meets it)."""

from __future__ import annotations

import re

import pytest
from test_frontend import AXE, WATCH_POLICY, chromium  # noqa: F401 (chromium: a fixture)

from browser import assert_no_axe_violations
from carelens.model.store import Store
from carelens.web.accounts.models import AccessLogEntry, AuditAllocation
from conftest import PASSWORD

pytestmark = [pytest.mark.filterwarnings("ignore:No directory at"), pytest.mark.django_db(transaction=True)]

LA = "890"


def _context(chromium, live_server):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB",
                                   timezone_id="Europe/London", accept_downloads=True)
    context.requests_made = []

    def local_only(route):
        context.requests_made.append(route.request.url)
        if route.request.url.startswith((live_server.url + "/", "data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def _checked(page) -> None:
    """The page passes axe, and nothing was refused by the Content-Security-Policy."""
    if page.locator(".app-chart").count():
        page.locator('[data-chart-state="drawn"]').first.wait_for(timeout=15_000)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert_no_axe_violations(page)
    assert page.evaluate("window.__refused") == [], page.url


def _tab_to(page, selector: str, most: int = 600) -> None:
    """Press Tab until the focus is on an element matching ``selector`` (never a click: the keyboard alone)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _follow(page, selector: str) -> None:
    """Tab to a link and press Enter, waiting for the page it opens."""
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/", wait_until="load")  # signed out: taken to the sign-in page
    assert "/accounts/sign-in/" in page.url
    _checked(page)
    _tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/sign-in/" not in page.url, page.content()[:2000]


def _to_an_indicator(page) -> None:
    """From the overview to the child protection plans area, then to C8's page."""
    assert page.locator("h1").inner_text() == "Overview"
    _checked(page)
    _follow(page, 'a[href="/areas/cp_plans/"]')
    assert page.url.endswith("/areas/cp_plans/")
    _checked(page)
    _follow(page, 'h3 a[href="/indicators/C8/"]')
    assert page.url.endswith("/indicators/C8/")
    _checked(page)


def _download(page, selector: str) -> tuple[str, bytes]:
    _tab_to(page, selector)
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    download = got.value
    return download.suggested_filename, open(download.path(), "rb").read()


def _children_shown(page) -> list[str]:
    return [re.sub(r":\s*journey$", "", t).strip() for t in
            page.locator("table tbody th[scope=row] a").all_inner_texts()]


def test_an_analyst_goes_from_the_overview_to_a_childs_journey_and_downloads_the_list(
        chromium, live_server, users):  # noqa: F811
    context, page = _context(chromium, live_server)
    try:
        _sign_in(page, live_server, "analyst")
        _to_an_indicator(page)
        # a month's numerator: the children on plans at that month's end
        _follow(page, 'a[href^="/children/list/C8/"]:not([href*="part=denominator"])')
        assert "/children/list/C8/" in page.url
        _checked(page)
        shown = _children_shown(page)
        assert shown, "no child in the list"
        name, csv = _download(page, 'a[href*="children.csv"]')
        lines = csv.decode("utf-8-sig").splitlines()  # (with the byte-order mark Excel needs to read UTF-8)
        assert name.endswith(".csv") and lines[0].startswith("child_id,")
        assert len(lines) - 1 >= len(shown)
        name, xlsx = _download(page, 'a[href*="children.xlsx"]')
        assert name.endswith(".xlsx") and xlsx[:2] == b"PK"  # a workbook (a zip)
        _follow(page, "table tbody th[scope=row] a")
        assert "/children/journey/" in page.url
        _checked(page)
        assert page.locator("#timeline tbody tr").count() > 0
        assert all(u.startswith(live_server.url + "/") for u in context.requests_made)
        assert page.errors == []
    finally:
        context.close()
    actions = list(AccessLogEntry.objects.filter(username="analyst").values_list("action", flat=True))
    assert sorted(set(actions)) == ["child_list", "export", "journey"], actions


def test_a_team_manager_sees_only_the_children_open_to_their_team(chromium, live_server, users):  # noqa: F811
    from carelens.web.accounts.models import User

    User.objects.filter(pk=users["manager"].pk).update(service_area="", team_id="890-SAF2")
    context, page = _context(chromium, live_server)
    try:
        _sign_in(page, live_server, "manager")
        _to_an_indicator(page)
        link = 'a[href^="/children/list/C8/"]:not([href*="part=denominator"])'
        counted = int(page.locator(link).first.evaluate("a => a.firstChild.textContent").replace(",", ""))
        _follow(page, link)
        _checked(page)
        # the children open to the manager's team are listed; the others behind the value are said, not shown
        left_out = int(page.locator("#left-out").inner_text().split()[0].replace(",", ""))
        _, csv = _download(page, 'a[href*="children.csv"]')
        listed = {line.split(",")[0] for line in csv.decode("utf-8-sig").splitlines()[1:]}
        assert left_out > 0 and len(listed) + left_out == counted, (len(listed), left_out, counted)
        shown = _children_shown(page)
        assert set(shown) <= listed
        if shown:
            _follow(page, "table tbody th[scope=row] a")
            _checked(page)
        # a child outside the list, asked for by its id: the same answer as no such child
        page.goto(f"{live_server.url}/children/journey/{LA}/NOT-A-CHILD/", wait_until="load")
        assert page.locator("h1").count() == 1
        _checked(page)
    finally:
        context.close()


def test_an_auditor_sees_the_journey_of_the_child_allocated_to_them(chromium, live_server, users,  # noqa: F811
                                                                    app_store):  # noqa: F811
    with Store(app_store, read_only=True) as store:
        child = store.table("person").filter(lambda t: t.la_code == LA).select("child_id").limit(1) \
            .to_polars()["child_id"][0]
    AuditAllocation.objects.create(auditor=users["auditor"], la_code=LA, person_id=child,
                                   allocated_by=users["administrator"])
    context, page = _context(chromium, live_server)
    try:
        _sign_in(page, live_server, "auditor")
        _to_an_indicator(page)
        response = page.goto(f"{live_server.url}/children/journey/{LA}/{child}/", wait_until="load")
        assert response.status == 200
        _checked(page)
    finally:
        context.close()


def test_a_councillor_sees_aggregate_figures_only(chromium, live_server, users):  # noqa: F811
    context, page = _context(chromium, live_server)
    try:
        _sign_in(page, live_server, "councillor")
        assert "counts below 5 are not shown" in page.locator("main").inner_text()
        _to_an_indicator(page)
        assert page.locator('a[href^="/children/"]').count() == 0  # no way to a child from any value
        response = page.goto(f"{live_server.url}/children/list/C8/", wait_until="load")
        assert response.status == 403
        _checked(page)
    finally:
        context.close()


def test_an_administrator_signs_in_to_the_users_page(chromium, live_server, users):  # noqa: F811
    context, page = _context(chromium, live_server)
    try:
        _sign_in(page, live_server, "administrator")
        assert page.url.endswith("/accounts/users/")
        _checked(page)
        _follow(page, 'a[href="/accounts/access-log/"]')
        _checked(page)
        response = page.goto(f"{live_server.url}/indicators/C8/", wait_until="load")
        assert response.status == 403
    finally:
        context.close()
