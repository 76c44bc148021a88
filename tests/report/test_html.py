"""The HTML report: one self-contained, well-formed page that passes axe-core's WCAG 2.2 AA rules in Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from lxml import etree

from browser import WCAG_22_AA, accessibility_tree, axe_violations, describe_violations, open_file
from carelens.report.document import MARK_MEANING, Figure, Mark, Paragraph, Section, Table
from carelens.report.formats.html import accessible_svg, chart_value_text, render_html, write_html
from sample_report import sample_chart, sample_report

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def internal():
    return sample_report("internal")


@pytest.fixture(scope="module")
def page_text(internal):
    return render_html(internal)


@pytest.fixture(scope="module")
def tree(page_text):
    # Strict XML: any unclosed element, stray "&" or HTML-only entity fails here.
    return etree.fromstring(page_text.encode("utf-8"))


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _tables(tree) -> list:
    return tree.findall(".//table")


def test_the_page_is_well_formed_and_says_its_language_and_title(page_text, tree):
    assert page_text.startswith("<!DOCTYPE html>\n")
    assert tree.tag == "html" and tree.get("lang") == "en-GB"
    assert tree.findtext("head/title") == (
        "Children's social care performance overview: March 2026 – Coastal (synthetic)")
    assert tree.find("head/meta[@charset='utf-8']") is not None
    # the HTML parser reads the same page without complaint too
    from lxml import html as lxml_html

    assert lxml_html.document_fromstring(page_text).findtext(".//h1") == (
        "Children's social care performance overview: March 2026")


def test_nothing_is_fetched_from_any_other_host(page_text, tree):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page_text, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page_text, re.IGNORECASE)
    assert "@import" not in page_text
    assert tree.findall(".//script") == [] and tree.findall(".//link") == []
    assert tree.findall(".//img") == []  # the charts are inline SVG, not images to load
    csp = tree.find("head/meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in csp


def test_the_page_has_a_skip_link_a_masthead_contents_and_one_heading_per_section(internal, tree):
    body = tree.find("body")
    skip = body[0]
    assert skip.tag == "a" and skip.get("href") == "#main" and skip.text == "Skip to main content"
    assert tree.find(".//main").get("id") == "main"
    masthead = _text(tree.find(".//header"))
    assert "Coastal (synthetic)" in masthead and "As at 31 March 2026" in masthead
    assert [_text(h) for h in tree.iter("h1")] == ["Children's social care performance overview: March 2026"]
    assert [_text(h) for h in tree.iter("h2")] == [
        "Contents", "What changed this month", "4. Child protection plans", "9. Caseloads and workforce",
        "Definitions", "Notes and symbols"]
    contents = [(a.get("href"), _text(a)) for a in tree.find(".//nav").iter("a")]
    assert contents == [("#section-summary", "What changed this month"),
                        ("#section-cp_plans", "4. Child protection plans"),
                        ("#section-workforce", "9. Caseloads and workforce"),
                        ("#definitions", "Definitions"), ("#notes", "Notes and symbols")]
    ids = [e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids)), "an id is used twice"
    for href, _ in contents:
        assert href[1:] in ids


def test_every_chart_is_an_image_named_by_its_alt_text_with_its_data_in_a_table(internal, tree):
    figures = [b for s in internal.all_sections() for b in s.blocks if isinstance(b, Figure)]
    svgs = tree.findall(f".//figure/{SVG}svg")
    assert len(svgs) == len(figures) == 1
    for figure, svg in zip(figures, svgs):
        chart = figure.chart
        assert svg.get("role") == "img"
        assert svg.get("aria-label") == chart.alt_text
        assert svg[0].tag == f"{SVG}title" and svg[0].text == chart.alt_text
        # no role or label left on the marks inside the image
        assert not [e for e in svg.iter() if e is not svg and isinstance(e.tag, str)
                    and (e.get("role") or any(k.startswith("aria-") for k in e.attrib))]
        element = svg.getparent()
        assert element.tag == "figure" and element[-1].tag == "figcaption"  # last, so it names the figure
        assert _text(element[-1]) == figure.caption
        details = element.getnext()
        assert _text(details.find("summary")) == "Show the data"
        table = details.find(".//table")
        assert _text(table.find("caption")) == f"Data for the chart: {chart.title}"
        assert [_text(th) for th in table.findall("thead/tr/th")] == chart.data.columns
        rows = [[_text(c) for c in tr] for tr in table.findall("tbody/tr")]
        assert rows == [[chart_value_text(v) for v in row] for row in chart.data.iter_rows()]
        assert rows[0] == ["28 January 2025", "250"] and rows[-1] == ["28 December 2025", "429"]


def test_every_table_has_a_caption_and_scoped_headers(tree):
    tables = _tables(tree)
    assert len(tables) == 3  # the ratio table, the caseloads, and the chart's data
    for table in tables:
        assert _text(table.find("caption"))
        head = table.findall("thead/tr/th")
        assert head and all(th.get("scope") == "col" for th in head)
        for tr in table.findall("tbody/tr"):
            assert tr[0].tag == "th" and tr[0].get("scope") == "row"
            assert all(td.tag == "td" for td in tr[1:])
        region = table.getparent()
        assert region.get("role") == "region" and region.get("tabindex") == "0"
        assert region.get("aria-labelledby") == table.find("caption").get("id")


def test_table_cells_are_the_documents_written_cells_numbers_right_aligned(internal, tree):
    tables = {t.get("id"): t for t in _tables(tree)}
    for section in internal.all_sections():
        for table in section.tables():
            shown = tables[f"table-{table.key}"]
            assert _text(shown.find("caption")) == table.caption
            rows = [[_text(c) for c in tr] for tr in shown.findall("tbody/tr")]
            assert rows == [[table.cell_text(r, c) for c in range(len(table.columns))] for r in range(len(table.rows))]
            classes = [th.get("class") for th in shown.findall("thead/tr/th")]
            assert classes == [None if c.kind.value == "text" else "num" for c in table.columns]
    ratio = [[_text(c) for c in tr] for tr in tables["table-ratio_table"].findall("tbody/tr")]
    assert ratio[0] == ["Referrals", "1,012", "552", "1.8"]
    caseloads = tables["table-caseloads_by_team"]
    assert [[_text(c) for c in tr] for tr in caseloads.findall("tbody/tr")][1] == ["Safeguarding 2", "[c]", "[x]",
                                                                                   "[c]"]
    abbrs = {a.text: a.get("title") for a in caseloads.iter("abbr")}
    assert abbrs == {"[c]": MARK_MEANING[Mark.SUPPRESSED], "[x]": MARK_MEANING[Mark.NOT_AVAILABLE]}
    notes = [_text(li) for li in caseloads.getparent().getnext().iter("li")]
    assert notes == ["[c] means suppressed to protect children from being identified.", "[x] means not available."]


def test_edits_are_marked_and_stale_edits_flagged_for_the_internal_audience_only(internal):
    fresh = Paragraph("cp_plans/C9", "An edit that still holds.", (), "aa", edited=True)
    cp = internal.sections[0]
    report = dataclasses.replace(internal, sections=(dataclasses.replace(cp, blocks=(*cp.blocks, fresh)),
                                                     *internal.sections[1:]))
    tree = etree.fromstring(render_html(report).encode())
    stale = tree.find(".//div[@class='paragraph--edited paragraph--stale']")
    assert _text(stale.find("p[@class='paragraph__flag']")).startswith("Check Edited by the analyst, but the numbers")
    assert _text(stale.findall("p")[1]) == "Edited by the analyst: plans over two years remain few."
    edited = tree.find(".//div[@class='paragraph--edited']")
    assert _text(edited.find("p[@class='paragraph__flag']")) == "Edited by the analyst, in place of the drafted text."
    published = etree.fromstring(render_html(dataclasses.replace(report, audience="published")).encode())
    assert not [e for e in published.iter() if isinstance(e.tag, str) and "paragraph" in (e.get("class") or "")]
    assert "Edited by the analyst: plans over two years remain few." in [_text(p) for p in published.iter("p")]


def test_bold_runs_become_strong(tree):
    summary = tree.find(".//section[@id='section-summary']")
    p = summary.find("p")
    assert p.find("strong").text == "Children on child protection plans"
    assert _text(p) == "Children on child protection plans rose from 402 to 429."


def test_every_text_is_escaped(internal):
    hostile = "Tom & Jerry's <script>alert(1)</script> \"team\""
    table = Table("t<1>", hostile, internal.sections[1].tables()[0].columns, ((hostile, 1, 2.0, 3.0),))
    section = Section("9", "x\" onload=\"y", hostile, (Paragraph("x/y", f"**{hostile}** and {hostile}"), table))
    report = dataclasses.replace(internal, authority=hostile, sections=(section,), summary=Section("", "s", "S", ()))
    tree = etree.fromstring(render_html(report).encode())
    assert tree.findall(".//script") == []
    assert tree.find(".//header//span").text == hostile
    assert _text(tree.find(".//section[@class='report-section']/h3")) == hostile  # the measure's name, a heading
    assert _text(tree.find(".//section[@class='report-section']/p")) == f"And {hostile}"
    assert _text(tree.find(".//caption")) == hostile
    assert all("onload" not in e.attrib for e in tree.iter() if isinstance(e.tag, str))


def test_two_charts_in_one_page_share_no_id(internal):
    chart = sample_chart()
    section = Section("1", "twice", "Twice", (Figure(chart), Figure(chart)))
    tree = etree.fromstring(render_html(dataclasses.replace(internal, sections=(section,))).encode())
    ids = [e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids))
    assert [f.get("id") for f in tree.iter("figure")] == ["figure-C8-trend", "figure-C8-trend-2"]


# --- in a real browser ----------------------------------------------------------------------------


def test_axe_finds_no_wcag_22_aa_violations_and_the_page_fetches_nothing(browser_context, internal, tmp_path):
    started = time.perf_counter()
    path = write_html(internal, tmp_path / "report.html")
    page = open_file(browser_context, path)
    violations = axe_violations(page, WCAG_22_AA)
    assert not violations, describe_violations(violations)
    # the data tables hidden in closed <details> are checked too, opened
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = axe_violations(page, WCAG_22_AA)
    assert not violations, describe_violations(violations)
    # Chromium's own accessibility tree: each chart an image named by its alt text, in a figure named
    # by its caption; each table named by its caption; the landmarks a screen reader jumps between
    figure = internal.sections[0].figures()[0]
    tree = accessibility_tree(browser_context, page)
    assert [n for r, n in tree if r == "image"] == [figure.chart.alt_text]
    assert [n for r, n in tree if r == "figure"] == [figure.caption]
    assert sorted(n for r, n in tree if r == "table") == [
        "Average caseload by team", "Data for the chart: Children on child protection plans",
        "Rates per 10,000 children against the statistical neighbours' median"]
    assert {"banner", "main", "navigation", "contentinfo"} <= {r for r, _ in tree}
    assert ("link", "Skip to main content") in tree
    # nothing but the file itself was asked for
    assert [u for u in browser_context.requests_made if not u.startswith("file:")] == []
    _screenshot(page, tmp_path, "report-html.png")
    page.close()
    assert time.perf_counter() - started < 20


def test_the_published_page_passes_axe_on_a_phone_sized_screen(browser_context, tmp_path):
    path = write_html(sample_report("published"), tmp_path / "published.html")
    page = open_file(browser_context, path, width=375, height=700)
    violations = axe_violations(page, WCAG_22_AA)
    assert not violations, describe_violations(violations)
    # nothing spills sideways off a narrow screen (WCAG 1.4.10, reflow): only the table regions scroll
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    _screenshot(page, tmp_path, "report-html-phone.png")
    page.close()


def test_the_skip_link_shows_when_focused_and_takes_focus_to_the_content(browser_context, internal, tmp_path):
    page = open_file(browser_context, write_html(internal, tmp_path / "report.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.close()


def _screenshot(page, folder: Path, name: str) -> None:
    # CARELENS_SCREENSHOTS=DIR keeps a full-page picture of the report to look at.
    keep = os.environ.get("CARELENS_SCREENSHOTS")
    target = Path(keep) if keep else folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name), full_page=True)


def test_an_svgs_ids_are_prefixed_with_their_references_and_its_marks_lose_their_roles():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" '
           'height="100"><defs><clipPath id="clip1"><rect width="5" height="5"/></clipPath></defs>'
           '<g role="graphics-symbol" aria-label="a point" clip-path="url(#clip1)"><use xlink:href="#clip1"/>'
           '<use href="#elsewhere"/></g></svg>')
    root = etree.fromstring(accessible_svg(svg, "Two & three", "figure-x").encode())
    assert root.get("role") == "img" and root.get("aria-label") == "Two & three"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Two & three"
    assert root.get("style") == "width: 100%; max-width: 250px"  # drawn a quarter larger where there is room
    assert root.find(f".//{SVG}clipPath").get("id") == "figure-x-clip1"
    g = root.find(f"{SVG}g")
    assert g.get("clip-path") == "url(#figure-x-clip1)" and g.get("role") is None and g.get("aria-label") is None
    uses = g.findall(f"{SVG}use")
    assert uses[0].get("{http://www.w3.org/1999/xlink}href") == "#figure-x-clip1"
    assert uses[1].get("href") == "#elsewhere"  # not an id of this drawing: left alone


def test_chart_values_are_written_for_people():
    assert chart_value_text(dt.date(2026, 3, 1)) == "1 March 2026"
    assert chart_value_text(1234.0) == "1,234" and chart_value_text(2.125) == "2.12"
    assert chart_value_text(24.5) == "24.5" and chart_value_text(7) == "7" and chart_value_text("Boys") == "Boys"
