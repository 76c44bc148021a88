"""How long suppressing a whole published report takes: 50 tables of up to 20 x 10 cells.

The tables are random counts from a small authority (many below 5, some zero rows), each a two-way
table with margins; every fifth is linked to the one before by a shared grand total, as breakdowns
of the same children are. Run: ``uv run --frozen python benchmarks/disclosure_speed.py``.
"""

from __future__ import annotations

import random
import time

from carelens.disclosure import TOTAL, linked, one_way_table, suppress, two_way_table


def report_tables(seed: int = 15, tables: int = 50):
    rng = random.Random(seed)
    made = []
    for t in range(tables):
        rows, columns = rng.randint(2, 20), rng.randint(2, 10)
        largest = rng.choice([6, 15, 60])
        grid = {(r, c): (0 if rng.random() < 0.2 else rng.randint(0, largest))
                for r in range(rows) for c in range(columns)}
        table = two_way_table(f"table {t}", grid)
        made.append(table)
        if t % 5 == 4:
            total = table.counts[(f"table {t}", TOTAL, TOTAL)]
            girls = rng.randint(0, total)
            made.append(one_way_table(f"by sex {t}", {"female": girls, "male": total - girls},
                                      total_key=(f"table {t}", TOTAL, TOTAL)))
    return linked(*made)


def main() -> None:
    cells = report_tables()
    start = time.perf_counter()
    result = suppress(cells)
    took = time.perf_counter() - start
    print(f"{len(cells.counts)} cells in {len(cells.relations)} relations: {len(result.primary)} primary, "
          f"{len(result.secondary)} secondary, in {took:.3f} s")


if __name__ == "__main__":
    main()
