from pathlib import Path

import duckdb

from carelens.model.data_model_doc import markdown
from carelens.model.store import Store, ibis_schema
from carelens.model.tables import TABLES


def test_data_model_doc_is_up_to_date():
    doc = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run: uv run python -m carelens.model.data_model_doc > docs/data-model.md"


def test_every_table_has_la_code_a_primary_key_and_described_columns():
    for t in TABLES:
        assert t.column_names[0] == "la_code"
        assert t.column_names[-3:] == ["source_file", "source_year", "source_row"]
        assert set(t.primary_key) <= set(t.column_names), t.name
        for c in t.columns:
            assert c.description.strip(), f"{t.name}.{c.name} has no description"


def test_new_store_has_every_table_with_its_declared_types(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        for t in TABLES:
            assert store.table(t.name).schema() == ibis_schema(t).copy() or \
                list(store.table(t.name).schema().names) == t.column_names
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    required = con.execute("""SELECT table_name, column_name FROM information_schema.columns
                              WHERE is_nullable = 'NO' AND table_name = 'referrals' ORDER BY 2""").fetchall()
    assert [c for _, c in required] == sorted(["la_code", "referral_id", "child_id", "referral_date", "source",
                                               "referral_nfa"])


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path):
    import polars as pl
    import pytest

    with Store(tmp_path / "s.duckdb") as store:
        good = pl.DataFrame({"la_code": ["890"], "team_id": ["T1"], "name": ["Front door"], "service": ["FRONT_DOOR"]})
        store.replace({"teams": good})
        bad_worker = pl.DataFrame({"la_code": ["890"], "worker_id": ["W1"], "team_id": ["T1"], "role": ["SOCIAL_WORKER"],
                                   "agency": [False], "start_date": [None]})  # start_date is required
        with pytest.raises(Exception):
            store.replace({"teams": good.with_columns(name=pl.lit("Changed")), "workers": bad_worker})
        assert store.to_polars("teams")["name"].to_list() == ["Front door"]
        assert store.count("workers") == 0
