"""The engine's paths follow from what an indicator declares, never from trying to build its expression: a
mistake in a measure raises, naming the indicator, rather than sending it quietly down another path."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from ibis.common.exceptions import IbisError

from carelens.indicators.catalogue import CATALOGUE, indicator
# private on purpose: the probe below builds a measure's rows from the windows of the last-day path, to
# hold each declaration to what its measure reads
from carelens.indicators.engine import (
    EnginePath,
    MeasureError,
    _windows_table,
    context,
    engine_path,
    evaluate_series,
)
from carelens.indicators.indicator import OPEN_ON_THE_DAY, CountingUnit, Indicator, Polarity, Unit
from carelens.indicators.measures import Context, Custom, Stock
from carelens.indicators.periods import Period

YEAR = [Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31), "2024-25", "financial_year")]


def _plans_open_on(ctx, windows):
    t = ctx.table("cp_plans")
    j = t.join(windows, (t.start_date <= windows.window_end)
               & (t.end_date.fill_null(ibis.date(9999, 12, 31)) > windows.window_end))
    return j.select("period_id", "child_id", counting_day=j.window_end, numerator=ibis.literal(True),
                    amount=ibis.null("float64"))


def _declared(measure, **kw) -> Indicator:
    return Indicator(id="X1", name="test_measure", title="t", definition="d", measure=measure,
                     counting_unit="children", unit=kw.pop("unit", "count"), polarity="neutral",
                     history=OPEN_ON_THE_DAY, **kw)


def test_every_custom_measure_declares_the_path_its_rows_allow(small_store):
    """``on_last_day=True`` exactly when the rows can be built from windows without ``window_start``: the
    declaration is neither wrong (it would raise) nor missing the faster path."""
    day = dt.date(2025, 3, 31)
    last_days = _windows_table([Period(day, day, "", "as_at")]).drop("window_start")
    for ind in CATALOGUE:
        m = ind.measure
        if not isinstance(m, Custom):
            continue
        try:
            m.rows(context(small_store, ind, "890"), last_days)
            builds = True
        except (AttributeError, IbisError):
            builds = False
        assert m.on_last_day == builds, ind.id


def test_every_stock_declares_whether_its_numerator_reads_the_day(small_store):
    for ind in CATALOGUE:
        m = ind.measure
        if not isinstance(m, Stock) or m.during:
            continue
        ctx = context(small_store, ind, "890")
        t = m.intervals(ctx)
        try:
            m.numerator_of(t, ctx)
            reads_day = False
        except (AttributeError, IbisError):
            reads_day = True
        assert m.numerator_uses_day == reads_day, ind.id


def test_the_paths_of_the_catalogue_follow_from_the_declarations(small_store):
    def path(ind_id, breakdown="all"):
        ind = indicator(ind_id)
        return engine_path(ind, context(small_store, ind, "890"), breakdown)

    assert path("B4") == EnginePath.EVENT_DAYS  # referrals: a flow of events
    assert path("C8") == EnginePath.SWEEP  # children on plans: a stock
    assert path("C8", "age_band") == EnginePath.LAST_DAYS
    assert path("C14") == EnginePath.LAST_DAYS  # plans lasting two years on the day: numerator_uses_day
    assert path("D7") == EnginePath.SWEEP and path("D7", "sex") == EnginePath.LAST_DAYS  # on_day, on_last_day
    assert path("D9") == EnginePath.WINDOWS  # a cohort over the window: on_last_day not declared


def test_a_last_day_measure_reading_window_start_raises_rather_than_counting_over_every_window(small_store):
    def misspelt(ctx, windows):  # meant window_end
        rows = _plans_open_on(ctx, windows)
        return rows.mutate(counting_day=windows.window_start)

    ind = _declared(Custom(misspelt, "t", on_last_day=True))
    with pytest.raises(MeasureError, match=r"indicator X1 \(test_measure\), counted by last days in the all "
                                           r"breakdown: .*window_start"):
        evaluate_series(small_store, [ind], YEAR, "890", every_window=True, flags=False)


def test_a_misspelt_column_in_a_measure_raises_naming_the_indicator(small_store):
    def misspelt(ctx, windows):
        t = ctx.table("cp_plans")
        return _plans_open_on(ctx, windows).filter(t.strat_date.notnull())

    for measure in (Custom(misspelt, "t", on_last_day=True), Custom(misspelt, "t"),
                    Stock("cp_plans", numerator=lambda t, ctx: t.strat_date <= t.window_end, numerator_uses_day=True)):
        with pytest.raises(MeasureError, match=r"indicator X1 \(test_measure\).*strat_date"):
            evaluate_series(small_store, [_declared(measure)], YEAR, "890", every_window=True, flags=False)


def test_a_stock_numerator_reading_the_day_undeclared_raises_rather_than_leaving_the_sweep(small_store):
    two_years = Stock("cp_plans", numerator=lambda t, ctx: t.start_date <= t.window_end - ibis.interval(days=730))
    with pytest.raises(MeasureError, match=r"indicator X1 \(test_measure\), counted by sweep.*window_end"):
        evaluate_series(small_store, [_declared(two_years, unit="percent")], YEAR, "890", every_window=True,
                        flags=False)
    declared = Stock("cp_plans", numerator=two_years.numerator, numerator_uses_day=True)
    out = evaluate_series(small_store, [_declared(declared, unit="percent")], YEAR, "890", every_window=True,
                          flags=False)
    assert out.height == 1 and out["denominator"][0] > 0


def test_a_path_field_is_checked_at_declaration():
    with pytest.raises(ValueError, match="declare on_last_day=True"):
        Custom(_plans_open_on, "t", on_day=lambda ctx: ([], []))
    with pytest.raises(TypeError, match=r"on_last_day='yes'\): expected True or False"):
        Custom(_plans_open_on, "t", on_last_day="yes")
    with pytest.raises(ValueError, match="only a numerator function can read the day"):
        Stock("cp_plans", numerator="flag", numerator_uses_day=True)


def test_an_indicator_is_declared_with_keywords_and_checked_units():
    ind = _declared(Stock("cp_plans"))
    assert ind.unit is Unit.COUNT and ind.polarity is Polarity.NEUTRAL and ind.counting_unit is CountingUnit.CHILDREN
    assert ind.unit == "count" and f"{ind.unit}" == "count"  # the members are their strings, in the pages too
    with pytest.raises(TypeError):
        Indicator("X1", "test_measure", "t", "d", Stock("cp_plans"), "children", "count", "neutral",
                  history=OPEN_ON_THE_DAY)
    for field, wrong in (("unit", "percentage"), ("polarity", "up"), ("counting_unit", "child")):
        kw = dict(id="X1", name="test_measure", title="t", definition="d", measure=Stock("cp_plans"),
                  counting_unit="children", unit="count", polarity="neutral", history=OPEN_ON_THE_DAY)
        with pytest.raises(ValueError, match=rf"indicator X1 \(test_measure\): {field}='{wrong}' is not one of"):
            Indicator(**{**kw, field: wrong})


def test_la_code_is_a_tuple_inside_the_engine_whatever_callers_pass(small_store):
    ind = indicator("C8")
    assert context(small_store, ind, "890").la_code == ("890",)
    assert context(small_store, ind, ["890"]).la_code == ("890",)
    with pytest.raises(TypeError, match="expected a tuple of authority codes"):
        Context(small_store, "890")
    one = evaluate_series(small_store, [ind], YEAR, "890", every_window=True, flags=False)
    listed = evaluate_series(small_store, [ind], YEAR, ["890"], every_window=True, flags=False)
    assert "la_code" not in one.columns and listed["la_code"].to_list() == ["890"]
    assert listed.drop("la_code").equals(one)
