"""Over generated authorities, from tiny to medium, linked tables are suppressed safely.

The check is independent of the suppression's own audit: a linear programme per suppressed cell
(:mod:`disclosure_recovery`) finds the least and greatest value a reader could give it.
"""

from __future__ import annotations

from disclosure_recovery import intervals
from hypothesis import given, settings
from hypothesis import strategies as st

from carelens.disclosure import TOTAL, Cells, linked, one_way_table, suppress, two_way_table

SIZES = {"tiny": 4, "small": 12, "medium": 80}  # the largest count of a cell


@st.composite
def split(draw, total: int, parts: int) -> list[int]:
    """``total`` children split among ``parts`` categories, any of them possibly empty."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    return [high - low for low, high in zip([0, *cuts], [*cuts, total])]


@st.composite
def authorities(draw) -> Cells:
    """A table by two breakdowns (say age band by sex), perhaps with a row of zeros, linked to other
    tables of the same children: another breakdown of everyone (sharing the grand total), another
    breakdown of one row's children (sharing the row's total), and another two-way table with the
    same rows (sharing every row total, as age by sex and age by category of abuse do)."""
    largest = SIZES[draw(st.sampled_from(list(SIZES)))]
    rows = [f"r{i}" for i in range(draw(st.integers(1, 5)))]
    columns = [f"c{j}" for j in range(draw(st.integers(1, 4)))]
    count = st.integers(0, largest) | st.just(0)
    grid = {(r, c): draw(count) for r in rows for c in columns}
    if draw(st.booleans()):
        zero_row = draw(st.sampled_from(rows))
        grid.update({(zero_row, c): 0 for c in columns})
    main = two_way_table("main", grid)
    tables = [main]
    if draw(st.booleans()):
        parts = draw(split(main.counts[("main", TOTAL, TOTAL)], draw(st.integers(1, 4))))
        tables.append(one_way_table("everyone", dict(enumerate(parts)), total_key=("main", TOTAL, TOTAL)))
    if draw(st.booleans()):
        row = draw(st.sampled_from(rows))
        parts = draw(split(main.counts[("main", row, TOTAL)], draw(st.integers(1, 3))))
        tables.append(one_way_table("one row", dict(enumerate(parts)), total_key=("main", row, TOTAL)))
    if draw(st.booleans()):
        width = draw(st.integers(1, 3))
        other = {}
        for row in rows:
            parts = draw(split(main.counts[("main", row, TOTAL)], width))
            other.update({(row, f"d{j}"): v for j, v in enumerate(parts)})
        shared = {("other", row, TOTAL): ("main", row, TOTAL) for row in rows}
        tables.append(two_way_table("other", other, grand_total_key=("main", TOTAL, TOTAL)).renamed(shared))
    return linked(*tables)


@settings(max_examples=100, deadline=None)
@given(tables=authorities(), threshold=st.sampled_from([3, 5]), suppress_zeros=st.booleans())
def test_no_small_count_is_published_and_no_suppressed_count_can_be_recovered(tables, threshold, suppress_zeros):
    result = suppress(tables, threshold=threshold, suppress_zeros=suppress_zeros)
    lowest_shown = 0 if suppress_zeros else 1
    small = {key for key, value in tables.counts.items() if lowest_shown <= value < threshold}
    assert small == result.primary
    assert not result.primary & result.secondary
    assert all(tables.counts[key] > 0 for key in result.secondary)
    assert result.exposed == set()
    for key, (least, greatest) in intervals(tables, result).items():
        assert least <= tables.counts[key] <= greatest
        # not recovered exactly; and since these tables' vertices are whole numbers, at least two
        # whole numbers remain possible
        assert greatest - least >= 1 - 1e-6, (key, tables.counts[key], least, greatest)
