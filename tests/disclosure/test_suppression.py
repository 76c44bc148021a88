"""Primary and secondary suppression on tables worked out by hand."""

from __future__ import annotations

import pytest
from disclosure_recovery import intervals, recovered

from carelens.disclosure import (
    TOTAL,
    Cells,
    Relation,
    linked,
    one_way_table,
    rounded,
    suppress,
    two_way_table,
)


def grid(name, rows):
    """A two-way table from a list of rows, with rows a, b, c… and columns x, y, z…"""
    return two_way_table(name, {(r, c): v for r, row in zip("abcdefgh", rows) for c, v in zip("xyzuvw", row)})


def test_one_small_cell_in_a_three_by_three_table_hides_a_rectangle_of_four():
    table = grid("t", [[3, 10, 12], [8, 20, 15], [9, 11, 30]])
    result = suppress(table)
    assert result.primary == {("t", "a", "x")}
    # the smallest other cell of its row (10) and of its column (8), and the cell closing both (20)
    assert result.secondary == {("t", "a", "y"), ("t", "b", "x"), ("t", "b", "y")}
    assert all(result.shown(key) for key in table.counts if TOTAL in key)
    assert recovered(table, result) == {}
    # a reader knows the small cell and the 8 below it add up to 11 (column x: 20 - 9), and the other
    # sums allow any split: so it lies between 0 and 11, and that is all
    assert intervals(table, result)[("t", "a", "x")] == pytest.approx((0.0, 11.0))


def test_a_small_cell_in_a_breakdown_hides_the_smallest_other_part_not_the_total():
    table = one_way_table("age", {"0-4": 3, "5-9": 7, "10-15": 20})
    result = suppress(table)
    assert result.primary == {("age", "0-4")}
    assert result.secondary == {("age", "5-9")}
    assert result.shown(("age", TOTAL)) and table.counts[("age", TOTAL)] == 30


def test_a_small_total_is_hidden_with_its_small_parts_and_its_zeros_are_shown():
    table = one_way_table("age", {"0-4": 2, "5-9": 1, "10-15": 0})
    result = suppress(table)
    assert result.primary == {("age", "0-4"), ("age", "5-9"), ("age", TOTAL)}
    assert result.secondary == set()
    assert result.shown(("age", "10-15"))
    assert recovered(table, result) == {}


def test_zeros_can_be_suppressed_too():
    table = one_way_table("age", {"0-4": 2, "5-9": 9, "10-15": 0})
    result = suppress(table, suppress_zeros=True)
    assert result.primary == {("age", "0-4"), ("age", "10-15")}
    assert result.secondary == set()  # the hidden zero already keeps the 2 from being worked out
    assert recovered(table, result) == {}


def test_a_zero_row_is_shown_and_the_rectangle_is_made_with_another_row():
    table = grid("t", [[3, 10, 12], [0, 0, 0], [8, 20, 15]])
    result = suppress(table)
    assert result.primary == {("t", "a", "x")}
    assert result.secondary == {("t", "a", "y"), ("t", "c", "x"), ("t", "c", "y")}
    assert all(result.shown(("t", "b", column)) for column in ["x", "y", "z", TOTAL])


def test_a_zero_row_with_zeros_suppressed_leaves_nothing_recoverable():
    table = grid("t", [[3, 10, 12], [0, 0, 0], [8, 20, 15]])
    result = suppress(table, suppress_zeros=True)
    assert {("t", "b", column) for column in ["x", "y", "z", TOTAL]} <= result.primary
    assert recovered(table, result) == {}
    assert result.exposed == set()


def test_two_tables_sharing_their_total_are_suppressed_as_one():
    # every figure of a tiny authority is small; the two breakdowns share the all-children total
    by_age = one_way_table("age", {"under 10": 1, "10 and over": 3}, total_key="all children")
    by_sex = one_way_table("sex", {"female": 4, "male": 0}, total_key="all children")
    tables = linked(by_age, by_sex)
    assert tables.counts["all children"] == 4 and len(tables.relations) == 2
    result = suppress(tables)
    assert result.primary == {("age", "under 10"), ("age", "10 and over"), ("sex", "female"), "all children"}
    assert recovered(tables, result) == {}


def test_a_shared_cell_must_have_one_count():
    with pytest.raises(ValueError, match="is 4 in one table and 5 in another"):
        linked(one_way_table("age", {"a": 4}, total_key="all"), one_way_table("sex", {"f": 5}, total_key="all"))


def test_a_difference_between_two_published_totals_is_protected_as_a_relation():
    # children in care (40) and children in care other than unaccompanied asylum seekers (37), in two
    # tables: the difference, 3 asylum seekers, is printed nowhere but a reader can take it
    legal_status = one_way_table("legal status", {"care order": 30, "section 20": 10}, total_key="in care")
    placement = one_way_table("placement", {"foster": 25, "residential": 12}, total_key="in care, not UASC")
    tables = linked(legal_status, placement, Cells({"in care": 40, "in care, not UASC": 37, "UASC": 3},
                                                    (Relation("in care", ("in care, not UASC", "UASC")),)))
    result = suppress(tables)
    assert result.primary == {"UASC"}
    # the smaller total that would give the 3 away, then the smaller placement that would give that total away
    assert result.secondary == {"in care, not UASC", ("placement", "residential")}
    assert result.shown("in care")
    assert recovered(tables, result) == {}


def test_the_audit_finds_a_cell_that_no_single_relation_gives_away():
    # a + b = 9, b + c = 43 - 30 and a + c = 10: every relation has two hidden cells after the first
    # step, but together they give a = 3, so the audit hides one more (the smaller total, 9)
    counts = {"a": 3, "b": 6, "c": 7, "p": 30, "T1": 9, "T2": 43, "T3": 10}
    relations = (Relation("T1", ("a", "b")), Relation("T2", ("b", "c", "p")), Relation("T3", ("a", "c")))
    tables = Cells(counts, relations)
    result = suppress(tables)
    assert result.primary == {"a"}
    assert result.secondary == {"b", "c", "T1"}
    assert recovered(tables, result) == {}


def test_a_cell_not_available_hides_like_a_suppressed_one_and_is_never_chosen():
    table = Cells({"total": 20, "a": 3, "b": None, "c": 12}, (Relation("total", ("a", "b", "c")),))
    result = suppress(table)
    assert result.primary == {"a"} and result.secondary == set()


def test_rates_and_percentages_of_suppressed_counts_are_suppressed():
    table = one_way_table("cp", {"neglect": 3, "emotional": 7, "physical": 20})
    derived = {"neglect %": [("cp", "neglect"), ("cp", TOTAL)], "emotional %": [("cp", "emotional"), ("cp", TOTAL)],
               "physical %": [("cp", "physical"), ("cp", TOTAL)], "rate": [("cp", TOTAL), "population"],
               "neglect % of rate": ["neglect %", "rate"]}
    result = suppress(table, derived=derived)
    assert result.derived == {"neglect %", "emotional %", "neglect % of rate"}
    assert not result.shown("neglect % of rate") and result.shown("physical %") and result.shown("rate")


def test_the_threshold_is_a_parameter():
    table = one_way_table("age", {"a": 7, "b": 12, "c": 30})
    assert suppress(table).suppressed == set()
    assert suppress(table, threshold=10).primary == {("age", "a")}
    assert suppress(table, threshold=10).secondary == {("age", "b")}
    with pytest.raises(ValueError, match="threshold is 0"):
        suppress(table, threshold=0)


def test_relations_that_do_not_hold_and_counts_that_are_not_counts_are_refused():
    with pytest.raises(ValueError, match="the total is 10 but its parts add up to 9"):
        suppress(Cells({"t": 10, "a": 4, "b": 5}, (Relation("t", ("a", "b")),)))
    with pytest.raises(ValueError, match="a count must be a whole number"):
        suppress({"a": 2.5})
    with pytest.raises(ValueError, match="the total of 'age' is 8 but its parts add up to 7"):
        one_way_table("age", {"a": 3, "b": 4}, total=8)


def test_rounding_to_the_nearest_five_shows_every_cell_and_does_not_keep_totals_adding_up():
    table = one_way_table("team", {"a": 2, "b": 3, "c": 7, "d": 8, "e": None})
    shown = rounded({key: value for key, value in table.counts.items() if key != ("team", TOTAL)} | {"total": 20})
    assert shown == {("team", "a"): 0, ("team", "b"): 5, ("team", "c"): 5, ("team", "d"): 10, ("team", "e"): None,
                     "total": 20}
    assert rounded({"x": 15, "y": 14}, base=10) == {"x": 20, "y": 10}
    with pytest.raises(ValueError, match="rounding base is 1"):
        rounded({"x": 3}, base=1)
