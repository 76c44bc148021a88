"""Running the catalogue on another engine: PostgreSQL, or Spark for the scale-out path.

The indicators are Ibis expressions over tables named as in the store, so any Ibis backend that
holds those tables can compute them. DuckDB (the store itself) is the default. This module gives:

- :class:`BackendTables`: the ``table(name)`` view of any Ibis connection, which is all the engine
  needs (``evaluate_series(BackendTables(con), ...)``);
- :func:`copy_store`: copy the store's tables (or some of them) into another backend, with the
  store's column types, so that a council can run the catalogue where its data already lives or
  test that an engine gives the same answers;
- :func:`spark_local`: a local PySpark session tuned for this workload (few shuffle partitions:
  the tables are small per authority, and Spark's default of 200 partitions only adds overhead).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from carelens.model.store import Store
from carelens.model.tables import TABLES

INDICATOR_TABLES = tuple(t.name for t in TABLES)


class BackendTables:
    """The store's tables as held by another Ibis backend."""

    def __init__(self, con: ibis.BaseBackend):
        self.con = con

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)


def copy_store(store: Store, con: ibis.BaseBackend, tables: Iterable[str] = INDICATOR_TABLES,
               la_code: str | None = None) -> BackendTables:
    """Copy tables from the store into ``con`` (replacing any of the same name); optionally one authority's rows.

    A table the store does not have is left out: a store made before ``held_back_children`` existed, opened
    read-only, lacks it, and the engine then counts no child held back, as on the store itself.
    """
    held = {r[0] for r in store.sql("SELECT table_name FROM information_schema.tables")}
    for name in tables:
        if name not in held:
            continue
        t = store.table(name)
        if la_code is not None:
            t = t.filter(t.la_code == la_code)
        data = t.to_pyarrow()
        if con.name == "pyspark":
            # a temporary view: nothing written to a warehouse folder, gone with the session
            con._session.createDataFrame(data).createOrReplaceTempView(name)
        elif con.name == "postgres":
            _copy_into_postgres(con, name, t.schema(), data)
        else:
            con.create_table(name, data, overwrite=True)
    return BackendTables(con)


def spark_local(cores: int = 2, memory: str = "2g") -> ibis.BaseBackend:
    """An Ibis connection to a local Spark session (Java 17 or later must be installed)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(f"local[{cores}]").appName("carelens")
               .config("spark.driver.memory", memory)
               .config("spark.sql.shuffle.partitions", str(cores * 2))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="carelens-spark-"))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def postgres(host: str, port: int, user: str, database: str, password: str | None = None) -> ibis.BaseBackend:
    return ibis.postgres.connect(host=host, port=port, user=user, database=database, password=password)


def _copy_into_postgres(con: ibis.BaseBackend, name: str, schema: ibis.Schema, data) -> None:
    """Bulk-load with COPY: row-by-row INSERTs (Ibis's default) take minutes for a large authority."""
    import io

    import polars as pl

    con.create_table(name, schema=schema, overwrite=True)
    buffer = io.BytesIO()
    pl.from_arrow(data).write_csv(buffer, include_header=False, null_value="\\N")
    columns = ", ".join(f'"{c}"' for c in schema.names)
    with con.con.cursor() as cur:
        with cur.copy(f'COPY "{name}" ({columns}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')') as copy:
            copy.write(buffer.getvalue())
        # fresh statistics: without them the planner guesses tiny tables and nests loops over joins
        cur.execute(f'ANALYZE "{name}"')
    con.con.commit()
