"""The drafted narrative: every number a sentence states is a computed result (parsed out of the text and found
again in the figures), the wording rules, small numbers in a published report, and the analyst's edits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from carelens.model.store import Store
from carelens.report.build import ReportOptions, build_report
from carelens.report.document import Kind, written
from carelens.report.narrative.edits import EditsError, apply_edits, drafts_file, read_edits
from carelens.report.narrative.wording import against, counted, moved

AS_AT = dt.date(2025, 3, 31)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# what a sentence may say that is not a result: dates, the windows a measure is over, the per-10,000 unit
NOT_RESULTS = [rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}", rf"(?:{MONTHS}) \d{{4}}", r"\b\d{4}-\d{2}\b", r"\bin \d{4}\)",
               r"per 10,000", r"\b(?:12|6) months\b", r"\b4 weeks\b", r"fewer than \d+", r"\(section \d+\)",
               r"\b(?:50|80|95)% interval"]  # the names of a forecast's intervals
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers_stated(text: str) -> list[str]:
    """The numbers a paragraph states from results: its bold label (the measure's name) and dates left out."""
    text = re.sub(r"\*\*.*?\*\*", "", text)
    for pattern in NOT_RESULTS:
        text = re.sub(pattern, " ", text)
    return NUMBER.findall(text)


def _matches(token: str, value: float) -> bool:
    decimals = len(token.split(".")[1]) if "." in token else 0
    return f"{value:,.{decimals}f}" == token


FORECAST_RUNS = 100  # the forecast section's: a few, for speed


@pytest.fixture(scope="module")
def built(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        from carelens.report.figures import gather
        from carelens.report.forecast import report_forecast

        internal = build_report(store, "890", AS_AT, ReportOptions(charts=False, forecast_runs=FORECAST_RUNS))
        published = build_report(store, "890", AS_AT, ReportOptions(audience="published", charts=False,
                                                                    forecast_runs=FORECAST_RUNS))
        figures = gather(store, "890", AS_AT)
        # the forecast made again on its own: the sentences' forecast numbers are looked up in it
        forecast = report_forecast(store, "890", AS_AT, runs=FORECAST_RUNS)
    return internal, published, figures, forecast


def test_every_number_in_every_sentence_is_a_computed_result(built):
    internal, published, figures, forecast = built

    def lookup(source: str) -> float | None:
        return forecast.lookup(source) if source.startswith(("forecast|", "difference||")) else figures.lookup(source)

    checked = 0
    for report in (internal.report, published.report):
        for section in report.all_sections():
            for p in section.paragraphs():
                tokens = numbers_stated(p.text)
                for token in tokens:  # each number in the text is one the paragraph recorded…
                    assert any(_matches(token, n.value) for n in p.numbers), (p.key, token, p.text)
                for n in p.numbers:  # …and each recorded number is the result it names
                    found = lookup(n.source)
                    assert found is not None and abs(found - n.value) < 1e-9, (p.key, n)
                checked += len(tokens)
    assert checked > 300  # every section drafted, with figures


def test_every_section_is_drafted_in_the_order_of_the_overview(built):
    report = built[0].report
    assert [s.key for s in report.sections] == ["open_cases", "front_door", "cp_activity", "cp_plans",
                                                "children_in_care", "placements", "permanence", "care_leavers",
                                                "workforce", "forecast", "at_a_glance"]
    assert report.summary.title == "What changed this month"
    for section in report.sections[:-1]:
        assert section.paragraphs(), section.key
    assert len(report.summary.paragraphs()) <= 6 and not report.summary.tables()  # the summary is one page
    cp = next(s for s in report.sections if s.key == "cp_plans")
    assert any(t.key == "ratio_table" for t in cp.tables())
    c8 = next(p for p in cp.paragraphs() if p.key == "cp_plans/C8")
    assert "at the end of March 2025" in c8.text and "per 10,000 children" in c8.text


def test_a_published_report_states_no_count_below_the_threshold(built):
    published = built[1].report
    for section in published.all_sections():
        for p in section.paragraphs():
            for n in p.numbers:
                if n.source.endswith(("|numerator", "|denominator")):
                    assert n.value == 0 or n.value >= 5, (p.key, n)


def test_wording_rules():
    assert moved(429, 257, Kind.COUNT) == "rose" and moved(257, 429, Kind.COUNT) == "fell"
    assert moved(140.2, 140.4, Kind.RATE) == "was unchanged"  # both written 140
    assert against(149, 70, Kind.RATE) == "more than double"
    assert against(149, 45, Kind.RATE) == "more than three times"
    assert against(72, 71, Kind.PERCENT) == "in line with" and against(60, 71, Kind.PERCENT) == "below"
    assert against(30, 70, Kind.RATE) == "less than half"
    assert counted("children", "1") == "child" and counted("enquiries", "1") == "enquiry"
    assert counted("children", "2") == "children"
    assert written(1234.5, Kind.COUNT) == "1,234" and written(49.6, Kind.PERCENT) == "50%"


def test_edits_replace_drafts_and_are_flagged_when_the_numbers_change(built, tmp_path):
    drafts = built[0].drafts
    c8 = next(p for p in drafts if p.key == "cp_plans/C8")
    edits_file = tmp_path / "edits.yaml"
    drafted = yaml.safe_load(drafts_file([c8]))
    assert drafted["cp_plans"]["C8"] == {"text": c8.text, "drafted_from": c8.fingerprint}
    drafted["cp_plans"]["C8"]["text"] = "EDITED " + c8.text
    edits_file.write_text(yaml.safe_dump(drafted), encoding="utf-8")
    edits = read_edits(edits_file)
    assert set(edits) == {"cp_plans/C8"}
    [same] = apply_edits([c8], edits)
    assert same.edited and not same.stale and same.text.startswith("EDITED")
    edits_file.write_text("cp_plans:\n  C8:\n    text: Rewritten.\n    drafted_from: 0123456789ab\n")
    [changed] = apply_edits([c8], read_edits(edits_file))
    assert changed.edited and changed.stale and changed.text == "Rewritten."
    edits_file.write_text("cp_plans:\n  C99:\n    text: No such measure.\n")
    with pytest.raises(EditsError, match="no paragraph cp_plans/C99"):
        apply_edits(drafts, read_edits(edits_file), edits_file)
    edits_file.write_text("cp_plans: [not, a, mapping]\n")
    with pytest.raises(EditsError, match="expected a mapping of measures"):
        read_edits(edits_file)


def test_the_ratio_table_compares_the_last_12_months_with_the_published_neighbour_median(built):
    report, figures = built[0].report, built[2]
    cp = next(s for s in report.sections if s.key == "cp_plans")
    [table] = [t for t in cp.tables() if t.key == "ratio_table"]
    assert [r[0] for r in table.rows] == ["Referrals", "s47 enquiries", "ICPCs", "CP plans starting",
                                          "CP plans ending", "Children on CP plans"]
    for (label, mine, median, ratio), ind in zip(table.rows, ("B4", "C3", "C6c", "C9", "C10", "C8"), strict=True):
        window = figures.window(ind, "month" if ind == "C8" else "rolling_12")
        assert mine == window.filter(window["period_end"] == AS_AT)["value"].item(), label
        assert median == figures.benchmarks[ind].neighbour_median
        assert abs(ratio - mine / median) < 1e-12


def test_an_edit_is_stale_when_the_report_is_regenerated_on_changed_figures(built, small_store_path, tmp_path):
    """An edit written against March's draft, laid over the next month's: the numbers changed, so it is flagged;
    laid over March's again (the same figures), it is not."""
    march = next(p for p in built[0].drafts if p.key == "cp_plans/C8")
    edits_file = tmp_path / "edits.yaml"
    edits_file.write_text(yaml.safe_dump({"cp_plans": {"C8": {"text": "Our own words.",
                                                                "drafted_from": march.fingerprint}}}))
    edits = read_edits(edits_file)
    with Store(small_store_path, read_only=True) as store:
        april = build_report(store, "890", dt.date(2025, 4, 30), ReportOptions(charts=False, edits=edits))
        again = build_report(store, "890", AS_AT, ReportOptions(charts=False, edits=edits))
    [later] = [p for s in april.report.sections for p in s.paragraphs() if p.key == "cp_plans/C8"]
    [same] = [p for s in again.report.sections for p in s.paragraphs() if p.key == "cp_plans/C8"]
    assert later.text == same.text == "Our own words."
    assert later.edited and later.stale
    assert same.edited and not same.stale


def test_each_comparison_has_its_own_direction_and_hidden_points_are_left_out():
    import datetime as dt

    from carelens.indicators.api import definition
    from carelens.report.narrative.paragraphs import Draft, Point, _changes

    def point(month: int, n: int, of: int | None = None) -> Point:
        return Point(f"2025-{month:02d}", dt.date(2025, month, 28), 100 * n / of if of else float(n), n, of)

    d = Draft(definition("H1"), None, None)  # a count: open early help episodes
    said = _changes(d, point(12, 644), [("a month earlier", point(11, 637)), ("six months earlier", point(6, 663)),
                                        ("a year earlier", point(1, 644))], d.count)
    assert said == "up from 637 a month earlier, down from 663 six months earlier and the same as 644 a year earlier"
    published = Draft(definition("D9a"), None, 5)  # a percentage: return interviews offered
    said = _changes(published, point(12, 5, 11), [("the month before", point(11, 1, 3)),
                                                   ("a year earlier", point(1, 9, 13))], published.value)
    assert said == "down from 69% a year earlier"  # 1 of 3 is not said, nor which side of it this month is
    assert _changes(published, point(12, 2, 11), [("a year earlier", point(1, 9, 13))], published.value) == ""


def test_a_published_report_refuses_a_stale_edit_or_one_stating_a_small_count(built, small_store_path, tmp_path):
    march = next(p for p in built[0].drafts if p.key == "cp_plans/C8")
    edits_file = tmp_path / "edits.yaml"
    with Store(small_store_path, read_only=True) as store:
        for text, drafted_from, refused in (("Our own words.", "0123456789ab", "written against figures"),
                                            ("There were 3 in March.", march.fingerprint, "states 3"),
                                            ("There were fewer than 5 in March.", march.fingerprint, None)):
            edits_file.write_text(yaml.safe_dump({"cp_plans": {"C8": {"text": text, "drafted_from": drafted_from}}}))
            options = ReportOptions(audience="published", charts=False, edits=read_edits(edits_file),
                                    edits_path=edits_file)
            if refused:
                with pytest.raises(EditsError, match=refused):
                    build_report(store, "890", AS_AT, options)
            else:
                built_ = build_report(store, "890", AS_AT, options)
                assert any(p.text == text for s in built_.report.sections for p in s.paragraphs())
