"""The front end (docs/web/front-end.md): the vendored files are all here and local, GOV.UK Frontend without GDS
Transport, the page template's navigation by role, the chart component, and a page drawn in Chromium under the
app's Content-Security-Policy — the chart as SVG, nothing fetched from elsewhere, no WCAG 2.2 AA violation, and
the chart's table in its place when JavaScript is off.

The pages are served from a test-only URLconf (this module's ``urlpatterns``): the real apps' pages are other
tests' business; the navigation's URL names are stubbed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import include, path
from django.utils.html import escape

from browser import AXE, CHROMIUM_ARGS, assert_no_axe_violations, chromium_or_skip
from carelens.charts import trend_chart

WEB = Path(__file__).resolve().parents[2] / "src" / "carelens" / "web"
STATIC = WEB / "static"
TEMPLATES = sorted(WEB.glob("**/templates/**/*.html"))

# the policy the app sends (settings.CONTENT_SECURITY_POLICY): nothing from elsewhere, nothing inline, no eval
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


# --- a chart and a page, for the tests ---------------------------------------------------------------------------

def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def children_in_need_chart(key: str = "A1 trend"):
    """Fourteen months of a rate, April 2024 to May 2025, with no value for December 2024."""
    ends = [_month_end(2024 + (3 + k) // 12, (3 + k) % 12 + 1) for k in range(14)]
    values = [310.0, 322.5, 315.0, 1204.0, 330.0, 326.0, 318.0, 333.0, None, 340.0, 337.0, 345.0, 352.0, 349.0]
    series = pl.DataFrame({"period_end": ends, "value": values})
    return trend_chart(series, key=key, title="Children in need per 10,000 children", unit_name="rate",
                       counting_unit="children", benchmarks=[("Neighbour median", 330.0), ("England", 333.0)])


PAGE = """{% extends "base.html" %}{% load charts numbers %}
{% block title %}Children in need{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Children in need</h1>
<p class="govuk-body">Latest: <span id="latest">{{ latest|written:"rate" }}</span> per 10,000 children;
<span id="share">{{ share|written:"percent" }}</span> of them on a plan.</p>
{% chart trend %}
{% chart trend caption="The same chart again" %}
<div id="more"><button type="button" class="govuk-button" data-module="govuk-button" hx-get="/more/"
  hx-target="#more">Show another chart</button></div>
{% endblock %}"""

# a fragment htmx swaps into the page: a chart to draw, GOV.UK components to start
FRAGMENT = """{% load charts %}{% chart trend caption="Swapped in by htmx" %}"""


@login_not_required
def chart_page(request):
    html = engines["django"].from_string(PAGE).render(
        {"trend": children_in_need_chart(), "latest": 349.2, "share": 49.6, "authority_name": "Seaview Council"},
        request)
    response = HttpResponse(html)
    response["Content-Security-Policy"] = POLICY
    return response


@login_not_required
def more(request):
    html = engines["django"].from_string(FRAGMENT).render({"trend": children_in_need_chart(key="A1 more")}, request)
    response = HttpResponse(html)
    response["Content-Security-Policy"] = POLICY
    return response


@login_not_required
def stub(request):
    return HttpResponse("a page of another app", content_type="text/plain")


def _app(namespace: str, *names: str):
    return include(([path(f"{name}/", stub, name=name) for name in names], namespace))


# the navigation's destinations (templatetags/navigation.py), the overview being the chart page
urlpatterns = [
    path("", include(([path("", chart_page, name="overview"), path("areas/", stub, name="areas")], "dashboards"))),
    path("more/", more),
    path("loads/", _app("loads", "index")),
    path("reports/", _app("reports", "index")),
    path("accounts/", _app("accounts", "users", "access-log", "sign-out")),
]


@pytest.fixture()
def pages(settings, tmp_path):
    """This module's pages, served as in production (DEBUG off) with static files found in place by WhiteNoise."""
    settings.ROOT_URLCONF = sys.modules[__name__]
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = tmp_path  # nothing collected: the files are found in static/


# --- what the templates and files may contain ---------------------------------------------------------------------

class _Assets(HTMLParser):
    """Every URL an element of the page loads, with the element's tag."""

    def __init__(self):
        super().__init__()
        self.loaded: list[tuple[str, str]] = []
        self.inline_scripts: list[dict] = []
        self.style_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.style_attributes.append(tag)
        for name in ("src", "data-vega", "data-vega-lite", "data-vega-embed"):
            if a.get(name):
                self.loaded.append((tag, a[name]))
        if tag == "link" and a.get("href"):
            self.loaded.append((tag, a["href"]))
        if tag == "script" and not a.get("src"):
            self.inline_scripts.append(a)


def _rendered_page(rf_request=None) -> str:
    request = rf_request or RequestFactory().get("/")
    return engines["django"].from_string(PAGE).render(
        {"trend": children_in_need_chart(), "latest": 349.2, "share": 49.6}, request)


def _css_urls(css: Path) -> list[str]:
    return [u.strip("'\"") for u in re.findall(r"url\(([^)]*)\)", css.read_text(encoding="utf-8"))]


def test_every_file_a_page_loads_is_in_static_and_local():
    found = _Assets()
    found.feed(_rendered_page())
    assert {tag for tag, _ in found.loaded} == {"link", "script"}
    assert len(found.loaded) >= 9  # icon, two stylesheets, four scripts, three Vega builds
    for tag, url in found.loaded:
        assert url.startswith("/static/"), f"<{tag}> loads {url}: not from this server's static files"
        assert finders.find(url.removeprefix("/static/")), f"<{tag}> loads {url}, which is not in static/"
    # what the files themselves load: the CSS's images, the ES module's import
    for css in (STATIC / "vendor/govuk-frontend/govuk-frontend.min.css", STATIC / "carelens/carelens.css"):
        for url in _css_urls(css):
            assert not url.startswith(("http:", "https:", "//", "/")), f"{css.name} loads {url}"
            assert (css.parent / url).is_file(), f"{css.name} names {url}, which is not beside it"
    init = (STATIC / "carelens/govuk-frontend-init.js").read_text(encoding="utf-8")
    imports = re.findall(r'from "([^"]+)"', init)
    assert imports == ["../vendor/govuk-frontend/govuk-frontend.min.js"]
    assert (STATIC / "carelens" / imports[0]).resolve().is_file()


def test_no_template_names_another_host_or_runs_inline_code():
    assert any(t.name == "base.html" for t in TEMPLATES) and any(t.name == "chart.html" for t in TEMPLATES)
    for template in TEMPLATES:
        # what the template outputs, its comments left out (they may well speak of <style> and scripts)
        text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", template.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]", text, re.I), f"{template.name} names another host"
        assert not re.search(r"\sstyle=|<style", text, re.I), f"{template.name} has an inline style"
        assert not re.search(r"\son[a-z]+=|javascript:", text, re.I), f"{template.name} has inline script"
        for script in re.findall(r"<script\b[^>]*>", text, re.I):
            assert "src=" in script, f"{template.name} has an inline <script>: {script}"
    found = _Assets()
    found.feed(_rendered_page())
    # the only <script>s without a src are the charts' specifications, as data the browser never runs
    assert found.inline_scripts == [{"id": "chart-a1-trend-spec", "type": "application/json"},
                                    {"id": "chart-a1-trend-2-spec", "type": "application/json"}]
    assert found.style_attributes == []


def test_govuk_frontend_is_compiled_without_gds_transport_and_ships_no_font():
    css = (STATIC / "vendor/govuk-frontend/govuk-frontend.min.css").read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert "font-family:system-ui,-apple-system" in css
    assert ".govuk-service-navigation" in css and ".govuk-generic-header" in css  # the whole of it, compiled
    fonts = [p for p in STATIC.rglob("*") if p.suffix.lower() in {".woff", ".woff2", ".ttf", ".otf", ".eot"}]
    assert fonts == []


def test_each_vendored_package_has_its_licence_and_is_described():
    readme = (STATIC / "vendor/README.md").read_text(encoding="utf-8")
    for folder, build in (("govuk-frontend", "govuk-frontend.min.js"), ("htmx", "htmx.min.js"),
                          ("vega", "vega.min.js"), ("vega-lite", "vega-lite.min.js"),
                          ("vega-embed", "vega-embed.min.js")):
        assert (STATIC / "vendor" / folder / build).is_file()
        licence = (STATIC / "vendor" / folder / "LICENSE").read_text(encoding="utf-8")
        assert "Permission" in licence or "Redistribution and use" in licence  # MIT and 0BSD, or BSD
        assert f"{folder}/{build}" in readme
    assert re.search(r"\| \[vega\]\(.*\) \| 6\.\d+\.\d+ \| BSD-3-Clause \|", readme)
    assert re.search(r"\| \[htmx.org\]\(.*\) \| 2\.\d+\.\d+ \| 0BSD \|", readme)
    assert "bash scripts/vendor_frontend.sh" in readme


# --- the chart component and numbers ------------------------------------------------------------------------------

def test_a_chart_is_a_figure_named_and_described_with_its_table_and_its_spec_as_data():
    html = _rendered_page()
    chart = children_in_need_chart()
    figure = re.search(r'<figure class="app-chart__figure" aria-labelledby="chart-a1-trend-caption" '
                       r'aria-describedby="chart-a1-trend-description">', html)
    assert figure
    assert '<figcaption class="app-chart__caption" id="chart-a1-trend-caption">Children in need per 10,000 children' \
           "</figcaption>" in html
    assert f'<p class="app-chart__description" id="chart-a1-trend-description">{escape(chart.alt_text)}</p>' in html
    assert chart.alt_text.startswith("Line chart: Children in need per 10,000 children.")
    # the second use of the same chart has ids of its own and the caption it was given
    assert 'id="chart-a1-trend-2-caption">The same chart again</figcaption>' in html
    # the table: open (so it shows without JavaScript), captioned, headed by column and by row
    assert html.count('<details class="govuk-details app-chart__data" open>') == 2
    assert "Data for the chart: Children in need per 10,000 children</caption>" in html
    assert '<th scope="col" class="govuk-table__header">Month end</th>' in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Average</th>' in html
    assert '<th scope="row" class="govuk-table__header">30 April 2024</th>' in html
    # 1204.0 written as the report writes it; December 2024 has no value: [x], explained
    assert re.search(r'<td class="govuk-table__cell govuk-table__cell--numeric">1,204</td>', html)
    row = re.search(r'<th scope="row" class="govuk-table__header">31 December 2024</th>(.*?)</tr>', html, re.S)
    assert '<abbr title="not available">[x]</abbr>' in row.group(1).split("</td>")[0]
    # the spec, as JSON the browser does not run, equal to the chart's
    spec = re.search(r'<script id="chart-a1-trend-spec" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(spec.group(1)) == json.loads(json.dumps(chart.spec))


def test_numbers_are_written_as_the_report_writes_them():
    html = _rendered_page()
    assert '<span id="latest">349</span>' in html
    assert '<span id="share">50%</span>' in html
    template = engines["django"].from_string(
        '{% load numbers %}{{ a|written }} {{ b|written:"ratio" }} {{ c|written }}')
    assert template.render({"a": 12345.4, "b": 2.14, "c": None}) == "12,345 2.1 [x]"


# --- the navigation by role ---------------------------------------------------------------------------------------

class _Navigation(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_nav = False
        self.current: dict = {}
        self.items: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and a.get("aria-label") == "Menu":
            self.in_nav = True
        elif self.in_nav and tag in ("a", "button") and "govuk-service-navigation__toggle" not in a.get("class", ""):
            self._text = []
            self.current[len(self.items)] = a.get("aria-current")

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav = False
        elif tag in ("a", "button") and self._text is not None:
            self.items.append(" ".join("".join(self._text).split()))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


EXPECTED_LINKS = {
    "administrator": ["Users", "Access log"],
    "analyst": ["Overview", "Areas", "Data loads", "Reports"],
    "manager": ["Overview", "Areas", "Reports"],
    "auditor": ["Overview", "Areas", "Reports"],
    "councillor": ["Overview", "Areas", "Reports"],
}


@pytest.mark.parametrize("role", sorted(EXPECTED_LINKS))
def test_the_navigation_shows_only_what_the_role_may_use(pages, client_as, role):
    response = client_as(role).get("/")
    assert response.status_code == 200
    nav = _Navigation()
    nav.feed(response.content.decode())
    assert nav.items == EXPECTED_LINKS[role] + [f"Sign out ({role})"]
    overview = nav.items.index("Overview") if "Overview" in nav.items else None
    assert [i for i, c in nav.current.items() if c] == ([overview] if overview is not None else [])
    if overview is not None:
        assert nav.current[overview] == "page"
    assert 'action="/accounts/sign-out/"' in response.content.decode()  # signing out is a POST, with its token
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_signed_out_the_header_has_the_service_name_alone(pages, client_as, db):
    html = client_as(None).get("/").content.decode()
    nav = _Navigation()
    nav.feed(html)
    assert nav.items == []
    assert '<a href="/" class="govuk-service-navigation__link">CareLens</a>' in html
    assert '<span class="app-header__authority">Seaview Council</span>' in html


def test_error_pages_render_in_the_page_template(pages, client_as, db):
    from django.template.loader import render_to_string

    for name, heading in (("404.html", "Page not found"), ("403.html", "You do not have permission to see this page"),
                          ("500.html", "Sorry, there is a problem with the service")):
        html = render_to_string(name)  # as server_error renders 500.html: no context, no request
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
        assert f"<title>{heading} – CareLens</title>" in html
        assert 'class="govuk-skip-link"' in html and 'class="govuk-footer"' in html
    assert client_as(None).get("/no-such-page/").status_code == 404


# --- in Chromium ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium that keeps each page's Content-Security-Policy (unlike tests/browser's context, which
    bypasses it for the report's files)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which Django takes for async code calling the
    # database; the test's own queries (signing in) are ordinary synchronous ones
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


# collects what the policy refused; added by the browser before any page script, so the policy does not apply to it
WATCH_POLICY = ("window.__refused = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__refused.push(e.violatedDirective + ' ' + e.blockedURI));")


def _open(chromium, live_server, client, user, *, javascript: bool, width: int = 1024):
    context = chromium.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 768},
                                   locale="en-GB", timezone_id="Europe/London")
    context.requests_made = []

    def local_only(route):
        url = route.request.url
        context.requests_made.append(url)
        if url.startswith((live_server.url + "/", "data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    context.add_init_script(WATCH_POLICY)
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/", wait_until="load")
    return context, page


# the live server (one per session) starts before this module's settings: WhiteNoise looks for the collected
# files of the default STATIC_ROOT, which the tests never collect
@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_the_page_draws_its_chart_with_nothing_from_elsewhere_and_passes_axe(pages, chromium, live_server, client,
                                                                             users, tmp_path):
    context, page = _open(chromium, live_server, client, users["analyst"], javascript=True)
    try:
        page.wait_for_selector('#chart-a1-trend[data-chart-state="drawn"]', timeout=15_000)
        page.wait_for_selector('#chart-a1-trend-2[data-chart-state="drawn"]', timeout=15_000)
        # drawn by vega-embed as SVG: the line, its points and the benchmark rules
        svg = page.locator("#chart-a1-trend .app-chart__drawing svg")
        assert svg.count() == 1
        assert page.locator("#chart-a1-trend .app-chart__drawing svg path").count() > 10
        assert "Neighbour median (330.0)" in svg.text_content()  # the legend: text drawn as text
        # the title is the figure's caption above it, not said a second time in the drawing
        assert "Children in need per 10,000 children" not in svg.text_content()
        # the table folded behind "Show the data", still there to open
        assert page.locator("#chart-a1-trend details").get_attribute("open") is None
        assert not page.locator("#chart-a1-trend table").is_visible()
        page.locator("#chart-a1-trend summary").click()
        assert page.locator("#chart-a1-trend table").is_visible()
        # htmx (under the same policy) fetches a fragment; its chart is drawn as it arrives
        page.get_by_role("button", name="Show another chart").click()
        page.wait_for_selector('#chart-a1-more[data-chart-state="drawn"]', timeout=15_000)
        assert page.locator("#chart-a1-more .app-chart__drawing svg").count() == 1
        assert page.locator("#chart-a1-more figcaption").inner_text() == "Swapped in by htmx"
        # GOV.UK Frontend's JavaScript ran (the service navigation's module marks itself)
        assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
        assert page.locator('[data-module="govuk-service-navigation"][data-govuk-service-navigation-init]').count() == 1
        page.screenshot(path=str(tmp_path / "chart-page.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'chart-page.png'}")
        assert page.evaluate("window.__refused") == []
        assert page.errors == []
        # and the policy is in force, and watched: an inline script is refused, and the refusal seen
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true';"
                      " document.head.appendChild(s); }")
        page.wait_for_function("window.__refused.length > 0")
        assert page.evaluate("window.__ran") is None
        assert page.evaluate("window.__refused") == ["script-src-elem inline"]
        assert all(url.startswith(live_server.url + "/") for url in context.requests_made), context.requests_made
        assert any(url.endswith("vega-embed.min.js") for url in context.requests_made)
        # axe-core, given to the page by the browser (the policy would refuse it as a script tag)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        assert_no_axe_violations(page)
    finally:
        context.close()


# the live server (one per session) starts before this module's settings: WhiteNoise looks for the collected
# files of the default STATIC_ROOT, which the tests never collect
@pytest.mark.filterwarnings("ignore:No directory at")
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_chart_is_its_table(pages, chromium, live_server, client, users, tmp_path):
    context, page = _open(chromium, live_server, client, users["councillor"], javascript=False)
    try:
        table = page.locator("#chart-a1-trend table")
        assert table.is_visible()
        assert page.locator("#chart-a1-trend caption").inner_text() == \
            "Data for the chart: Children in need per 10,000 children"
        assert page.locator("#chart-a1-trend tbody tr").count() == 14
        assert page.locator("#chart-a1-trend .app-chart__drawing svg").count() == 0
        assert page.locator("#chart-a1-trend .app-chart__description").is_visible()
        # the navigation shows in full without the menu button
        assert page.locator(".govuk-service-navigation__list").is_visible()
        assert not page.locator(".govuk-service-navigation__toggle").is_visible()
        page.screenshot(path=str(tmp_path / "no-javascript.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'no-javascript.png'}")
        assert not any("vega" in url for url in context.requests_made)
    finally:
        context.close()


def test_a_link_waits_for_its_page_and_areas_fall_back_to_the_overview(settings):
    from types import ModuleType

    from carelens.web.templatetags.navigation import links_for

    # only the overview and the reports are wired in: no areas index, no loads
    urlconf = ModuleType("only_some_pages")
    urlconf.urlpatterns = [path("", include(([path("", stub, name="overview")], "dashboards"))),
                           path("reports/", _app("reports", "index"))]
    settings.ROOT_URLCONF = urlconf
    links = links_for("analyst", "reports:index")
    assert [(link.label, link.href, link.current) for link in links] == [
        ("Overview", "/", None), ("Areas", "/#areas", None), ("Reports", "/reports/index/", "page")]
    # a page within a section marks its link, not as the page itself
    assert [link.current for link in links_for("analyst", "dashboards:indicator")] == [None, "true", None]
    assert links_for("administrator") == [] and links_for(None) == [] and links_for("nobody") == []
