"""A whole report's suppression is quick: 50 linked tables of 20 x 10 cells (benchmarks/disclosure_speed.py
times it; about 0.05 s on the 2-core development machine, where this bound leaves room for a busy one)."""

from __future__ import annotations

import random
import time

from carelens.disclosure import linked, suppress, two_way_table


def test_fifty_tables_of_twenty_by_ten_are_suppressed_in_well_under_half_a_second():
    rng = random.Random(15)
    tables = [two_way_table(t, {(r, c): rng.randint(0, rng.choice([6, 15, 60])) for r in range(20) for c in range(10)})
              for t in range(50)]
    cells = linked(*tables)
    start = time.perf_counter()
    result = suppress(cells)
    assert time.perf_counter() - start < 1.0
    assert result.primary and result.secondary and not result.exposed
