"""The ratio table of report §5.5.3 (catalogue C17), checked by hand against the raw DfE files."""

from __future__ import annotations

import pytest

from carelens.published.figures_file import open_published, shipped_file
from carelens.published.ratio_table import (
    RATIO_ROWS,
    latest_published_year,
    published_ratio_table,
    ratio_measures,
)

pytestmark = pytest.mark.skipif(not shipped_file().is_file(), reason="the shipped benchmark file is not built")


def test_rows_follow_the_report_and_name_their_dfe_measures():
    assert [label for label, _ in RATIO_ROWS] == ["Referrals", "s47 enquiries", "ICPCs", "CP plans starting",
                                                  "CP plans ending", "Children on CP plans"]
    assert ratio_measures() == {"B4": "CPP_Total_Rateper10,000", "C3": "Section_47", "C6c": "ISCP_Conf",
                                "C9": "CPP_Abuse_Rate", "C10": "DeRegCPR", "C8": "CPP_rate"}


def test_blackpool_2017_18_against_the_raw_lait_figures():
    # From lait_bds_long.parquet, Years '2018' (year ending March 2018), Blackpool (890) and its ten
    # neighbours in the April 2021 model (the one in force when 2017-18 was published):
    # 805 806 876 807 861 393 810 812 340 357.
    # Referrals (CPP_Total_Rateper10,000): 614.9 857.2 428.6 492.2 810.4 740 900.7 617.6 476.4 898.3
    #   sorted 428.6 476.4 492.2 614.9 617.6 | 740 810.4 857.2 898.3 900.7 -> median (617.6 + 740) / 2 = 678.8
    #   Blackpool 971.9 -> ratio 971.9 / 678.8 = 1.4318
    # s47 (Section_47): 181.1 182 182.7 263.7 281.9 | 287.5 290.4 308.4 310.2 444.7 -> (281.9 + 287.5) / 2 = 284.7
    # ICPCs (ISCP_Conf): 68.7 77.9 89.3 93.2 93.3 | 97.8 103.3 110.9 117 129.2 -> (93.3 + 97.8) / 2 = 95.55
    # CP plans starting (CPP_Abuse_Rate): 62.8 72 81.7 84 85.2 | 88 92.6 93 96.9 115.4 -> (85.2 + 88) / 2 = 86.6
    # CP plans ending (DeRegCPR): 68.2 73 77 77.5 80.9 | 82.5 85.8 90.5 93 97.7 -> (80.9 + 82.5) / 2 = 81.7
    # Children on plans (CPP_rate): 48.6 56.9 57.2 64.3 75 | 78.4 78.7 81.8 84.5 97.2 -> (75 + 78.4) / 2 = 76.7
    # (The report's own table, from its 2019 rolling figures and an older neighbour model: 1247/662,
    # 442/278, 221/101, 190/89, 110/80, 149/70.)
    with open_published() as data:
        table = published_ratio_table(data, "890", "2017-18")
    rows = {r["row"]: r for r in table.iter_rows(named=True)}
    expected = {"Referrals": (971.9, 678.8), "s47 enquiries": (488.4, 284.7), "ICPCs": (162.3, 95.55),
                "CP plans starting": (157.8, 86.6), "CP plans ending": (188.4, 81.7),
                "Children on CP plans": (96.8, 76.7)}
    for label, (mine, median) in expected.items():
        r = rows[label]
        assert r["la_value"] == pytest.approx(mine) and r["sn_median"] == pytest.approx(median), label
        assert r["ratio"] == pytest.approx(mine / median), label
        assert (r["sn_used"], r["sn_total"], r["neighbour_model"]) == (10, 10, "2021")
    assert rows["Referrals"]["ratio"] == pytest.approx(1.4318, abs=1e-4)


def test_computed_values_against_a_real_authoritys_neighbours():
    # a synthetic authority's computed rates take the place of Blackpool's own; the medians stay
    computed = {"B4": 1247.0, "C3": 442.0, "C6c": 221.0, "C9": 190.0, "C10": 110.0, "C8": 149.0}
    with open_published() as data:
        table = published_ratio_table(data, "890", "2017-18", computed=computed)
        assert latest_published_year(data, "890") == "2024-25"
    r = {r["indicator"]: r for r in table.iter_rows(named=True)}
    assert r["B4"]["la_value"] == 1247 and r["B4"]["sn_median"] == pytest.approx(678.8)
    assert r["B4"]["ratio"] == pytest.approx(1247 / 678.8)  # 1.837
    assert r["C8"]["ratio"] == pytest.approx(149 / 76.7)  # 1.943
