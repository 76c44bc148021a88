"""Migration 2's records of what an older store already held.

A store of 0.1.0 says where each row came from only in its rows (``source_file``, ``source_year``).
Each distinct source becomes a row of ``store_loads`` with no time, checksum or CareLens version (they
were never kept); a source named ``synthetic:<profile>`` is recorded as that synthetic authority. The
version that records them (version 1, a migration) also records the store's authorities and coverage
(:func:`carelens.model.versions.record_version`).
"""

from __future__ import annotations

import duckdb

from carelens.model.provenance import RECORD_TABLES


def record_earlier_loads(con: duckdb.DuckDBPyConnection) -> None:
    held = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                      "AND database_name = current_database()").fetchall()}
    parts = [f'SELECT la_code, source_file, source_year, child_id FROM "{t.name}"' for t in RECORD_TABLES
             if t.name in held and "child_id" in t.column_names]
    if not parts:
        return
    sources = " UNION ALL ".join(parts)
    # one load per authority and source, oldest return first (the order a stitched history was loaded in)
    con.execute(f"""
        INSERT INTO store_loads
        SELECT row_number() OVER (ORDER BY source_year NULLS LAST, source, la_code), 1, NULL, NULL, source,
               CASE WHEN source LIKE 'synthetic:%' THEN 'synthetic' END, source_year, NULL, la_code, children,
               rows, source LIKE 'synthetic:%',
               CASE WHEN source LIKE 'synthetic:%' THEN substr(source, length('synthetic:') + 1) END,
               NULL, NULL
        FROM (SELECT la_code, coalesce(source_file, '(not recorded)') AS source, source_year,
                     count(DISTINCT child_id) AS children, count(*) AS rows
              FROM ({sources}) GROUP BY ALL)
    """)
