"""G. Workforce and caseloads on a hand-made store, with every expected figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import indicator, workforce
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # counted on 31 March 2025 (stocks); 1 April 2024 - 31 March 2025 (flows)
DAY = D(2025, 3, 31)


def _worker(wid, team, start, end=None, agency=False, registered=True, role="SOCIAL_WORKER"):
    return {"worker_id": wid, "team_id": team, "start_date": start, "end_date": end, "agency": agency,
            "swe_registration": f"SW{wid}" if registered else None, "role": role, "fte": 1.0}


def _alloc(aid, child, worker, team, start, end=None):
    return {"allocation_id": aid, "child_id": child, "worker_id": worker, "team_id": team, "start_date": start,
            "end_date": end}


# the cases open on 31 March 2025, by worker (allocation team in brackets)
#   W1 (T1): a b c x          4
#   W2 (T1): d e              2   (d moved from W1 to W2 that day)
#   W3 (T2): f                1   (W3 has since moved to team T1: the allocation's team counts)
#   W7 (T1): j k l m o p      6
#   W5 (T2, early help, not registered): h i
#   W8 (T2, not in the workers table): n
CASES = {"W1": ("T1", "abcx"), "W2": ("T1", "de"), "W3": ("T2", "f"), "W7": ("T1", "jklmop"), "W5": ("T2", "hi"),
         "W8": ("T2", "n")}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("wf") / "s.duckdb"
    allocations = [_alloc(f"{w}{c}", c, w, team, D(2025, 3, 31) if (w, c) == ("W2", "d") else D(2024, 1, 1))
                   for w, (team, children) in CASES.items() for c in children]
    allocations += [
        _alloc("W1d", "d", "W1", "T1", D(2024, 1, 1), D(2025, 3, 31)),  # ended on the day: not open
        _alloc("W1w", "w", "W1", "T1", D(2024, 1, 1), D(2025, 3, 31)),
    ]
    open_children = sorted(set("abcdefjklmopnxu"))  # u: open referral, nobody allocated
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "sex": "M", "date_of_birth": D(2015, 1, 1)}
                              for c in open_children + ["h", "i", "v", "w"]], la_code="890", ethnicity="WBRI",
                             uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "teams": _frame([{"team_id": "T1", "name": "Assessment 1", "service": "ASSESSMENT"},
                             {"team_id": "T2", "name": "Safeguarding 1", "service": "SAFEGUARDING"}], la_code="890"),
            "workers": _frame([
                _worker("W1", "T1", D(2020, 1, 1)),
                _worker("W2", "T1", D(2024, 6, 1), agency=True),
                _worker("W3", "T1", D(2023, 1, 1), D(2025, 3, 31)),  # last day in post is the day counted
                _worker("W4", "T2", D(2022, 1, 1), D(2025, 3, 30)),  # left the day before
                _worker("W5", "T2", D(2021, 1, 1), registered=False, role="EARLY_HELP_PRACTITIONER"),
                _worker("W6", "T1", D(2025, 3, 31)),  # started on the day counted, no cases yet
                _worker("W7", "T1", D(2024, 4, 1), agency=True),  # started on the year's first day
            ], la_code="890"),
            "allocations": _frame(allocations, la_code="890"),
            "referrals": _frame([
                {"referral_id": f"R{c}", "child_id": c, "referral_date": D(2024, 1, 1), "closure_date": None}
                for c in open_children] + [
                {"referral_id": "Rw", "child_id": "w", "referral_date": D(2024, 1, 1), "closure_date": DAY}],
                la_code="890", source="1A", referral_nfa=False),
            # x is also on a CP plan and looked after: still one open case; v is looked after, nobody allocated
            "cp_plans": _frame([{"cp_plan_id": "Cx", "child_id": "x", "referral_id": "Rx",
                                 "start_date": D(2024, 2, 1), "end_date": None}], la_code="890",
                               initial_category="NEG", latest_category="NEG"),
            "periods_of_care": _frame([
                {"period_id": "Px", "child_id": "x", "start_date": D(2024, 3, 1), "end_date": None},
                {"period_id": "Pv", "child_id": "v", "start_date": D(2024, 3, 1), "end_date": None}],
                la_code="890"),
            "early_help_episodes": _frame([{"early_help_id": f"Y{c}", "child_id": c, "start_date": D(2024, 1, 1)}
                                           for c in "hi"], la_code="890"),
        })
        # another authority's worker and case in the same pool must never be counted
        s.append({"workers": _frame([_worker("Z1", "TZ", D(2020, 1, 1), agency=True)], la_code="999"),
                  "allocations": _frame([_alloc("Zz", "z", "Z1", "TZ", D(2024, 1, 1))], la_code="999"),
                  "referrals": _frame([{"referral_id": "Rz", "child_id": "z", "referral_date": D(2024, 1, 1)}],
                                      la_code="999", source="1A", referral_nfa=False)})
    with Store(path, read_only=True) as s:
        yield s


def _groups(store, ind_id, breakdown, column="value", params=None):
    out = evaluate_by(store, indicator(ind_id), FY2025, "890", breakdown, params)
    return dict(zip(out["group"], out[column]))


def test_mean_and_median_caseload(store):
    # registered case-holders: W1 4, W2 2, W3 1, W7 6 -> mean 13/4, median (2 + 4)/2
    mean = evaluate(store, indicator("G1"), FY2025, "890")
    median = evaluate(store, indicator("G1a"), FY2025, "890")
    assert (mean.numerator, mean.value) == (4, pytest.approx(3.25))
    assert (median.numerator, median.value) == (4, pytest.approx(3.0))
    # by team: T1 holds W1, W2, W7 (4, 2, 6); T2 holds W3 by the allocation's team
    assert _groups(store, "G1", "team") == {"T1": pytest.approx(4.0), "T2": pytest.approx(1.0)}
    assert _groups(store, "G1a", "team") == {"T1": pytest.approx(4.0), "T2": pytest.approx(1.0)}
    assert _groups(store, "G1", "worker", "numerator") == {"W1": 1, "W2": 1, "W3": 1, "W7": 1}
    rows = counted_rows(store, indicator("G1"), FY2025, "890").to_polars()
    assert rows["child_id"].is_null().all() and sorted(rows["amount"]) == [1.0, 2.0, 4.0, 6.0]


def test_every_worker_when_not_only_social_workers(store):
    # + W5 (early help, 2 cases) and W8 (not in workers, 1 case, team from the allocation): 16 cases, 6 workers
    params = {"social_workers_only": False}
    v = evaluate(store, indicator("G1"), FY2025, "890", params)
    assert (v.numerator, v.value) == (6, pytest.approx(16 / 6))
    assert _groups(store, "G1", "team", "numerator", params) == {"T1": 3, "T2": 3}


def test_caseload_bands(store):
    assert _groups(store, "G1b", "caseload_band", "numerator") == {"1-9": 4}
    # bands 1, 2-3, 4 and over: W3 | W2 | W1, W7
    bands = _groups(store, "G1b", "caseload_band", "numerator", {"band_edges": (2, 4)})
    assert bands == {"1-1": 1, "2-3": 1, "4+": 2}


def test_social_workers_holding_cases(store):
    # registered and in post on 31 March 2025: W1, W2, W3 (last day), W6 (first day), W7; W4 left the day before
    # holding cases: all but W6 -> 4 of 5
    v = evaluate(store, indicator("G1c"), FY2025, "890")
    assert (v.numerator, v.denominator, v.value) == (4, 5, pytest.approx(80.0))


def test_open_cases_and_unallocated(store):
    # open on 31 March 2025: a b c d e f j k l m o p n x u (open referrals; x also on a plan and looked after)
    # and v (looked after); w's referral closed that day; h and i are early help only
    assert evaluate(store, indicator("G2"), FY2025, "890").numerator == 16
    # by the team allocated that day: T1 a b c x d e j k l m o p; T2 f n; nobody for u and v
    assert _groups(store, "G2", "team", "numerator") == {"T1": 12, "T2": 2, "unallocated": 2}
    v = evaluate(store, indicator("G2a"), FY2025, "890")
    assert (v.numerator, v.denominator, v.value) == (2, 16, pytest.approx(12.5))
    unallocated = counted_rows(store, indicator("G2a"), FY2025, "890").to_polars().filter(pl.col("numerator"))
    assert sorted(unallocated["child_id"]) == ["u", "v"]


def test_agency_share_starters_and_leavers(store):
    # in post: W1, W2 (agency), W3, W6, W7 (agency) -> 2 of 5
    v = evaluate(store, indicator("G3"), FY2025, "890")
    assert (v.numerator, v.denominator, v.value) == (2, 5, pytest.approx(40.0))
    assert _groups(store, "G3", "team", "denominator") == {"T1": 5}  # the workers' own team
    # started in the year: W7 (1 April 2024), W2, W6 (31 March 2025)
    assert evaluate(store, indicator("G3a"), FY2025, "890").numerator == 3
    assert _groups(store, "G3a", "employment", "numerator") == {"agency": 2, "employed": 1}
    # left in the year: W4 (30 March), W3 (31 March); W5 is not a registered social worker
    assert evaluate(store, indicator("G3b"), FY2025, "890").numerator == 2
    assert evaluate(store, indicator("G3b"), Period.month(2025, 4), "890").numerator == 0


def test_a_week_earlier(store):
    # 24 March 2025: d was still W1's, W6 had not started, W4 was in post without cases; n, w open
    week = Period.as_at(D(2025, 3, 24))
    v = evaluate(store, indicator("G1"), week, "890")
    assert (v.numerator, v.value) == (4, pytest.approx((6 + 1 + 1 + 6) / 4))  # W1 a b c x d w; W2 e; W3 f; W7
    assert evaluate(store, indicator("G1c"), week, "890").denominator == 5  # W1 W2 W3 W4 W7
    assert evaluate(store, indicator("G2"), week, "890").numerator == 17  # + w


@pytest.mark.slow
def test_every_workforce_indicator_runs_over_the_standard_windows(small_store):
    """Every indicator, window and breakdown on the synthetic authority, with plausible values."""
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in workforce.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"]) <= set(ind.all_breakdowns), ind.id
        every = out.filter(pl.col("breakdown") == "all")
        assert set(every["period_kind"]) == set(ind.series), ind.id
        assert out.filter((pl.col("numerator") < 0) | (pl.col("value") < 0)).is_empty(), ind.id
        if ind.unit == "percent":
            assert out.filter(pl.col("value") > 100).is_empty(), ind.id
        if ind.id in ("G1", "G1a"):  # plausible caseloads
            assert every["value"].is_between(1, 60).all(), ind.id
