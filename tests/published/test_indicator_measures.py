"""Each catalogue indicator with a DfE code names one LAIT measure (by Measure_short), and that measure
has the same code and the same kind of unit as ours (the code alone is ambiguous: 290, 287, 3 …)."""

from __future__ import annotations

import polars as pl
import pytest

from carelens.indicators.catalogue import CATALOGUE
from shared_material import SHARED

DICTIONARY = SHARED / "benchmarks" / "dfe" / "lait_data_dictionary.csv"
BENCHMARKED = [i for i in CATALOGUE if i.dfe_measure]


def test_every_indicator_with_a_code_names_its_measure_or_says_why_not():
    for ind in BENCHMARKED:
        assert ind.dfe_short or ind.dfe_note, f"{ind.id}: LAIT {ind.dfe_measure} names several measures"
        if not ind.dfe_comparable:
            assert ind.dfe_note, f"{ind.id}: say why the computed value may differ from DfE's"


@pytest.mark.skipif(not DICTIONARY.exists(), reason=f"the LAIT data dictionary is not at {DICTIONARY}")
def test_each_pairing_matches_the_lait_dictionary_code_and_unit():
    d = pl.read_csv(DICTIONARY, infer_schema_length=0)
    by_short = {r["Measure_short"]: r for r in d.iter_rows(named=True)}
    for ind in BENCHMARKED:
        if not ind.dfe_short:
            continue
        row = by_short.get(ind.dfe_short)
        assert row is not None, f"{ind.id}: {ind.dfe_short!r} is not a LAIT Measure_short"
        assert row["Measure_code"] == ind.dfe_measure, (ind.id, row["Measure_code"])
        axis = row["y_axis_name"].lower()
        expected = {"rate": "rate per 10,000", "percent": "%", "count": "number"}[ind.unit]
        assert expected in axis, f"{ind.id} is a {ind.unit}; LAIT {ind.dfe_short} is in {row['y_axis_name']!r}"
