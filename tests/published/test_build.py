"""Building the benchmark database from a DfE download: exact rows stored, suppression marks kept as
statuses, every problem reported with nothing written, newer downloads read the same way."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from published.dfe_download import B1_STEM, write_download
from carelens.published.build import build
from carelens.published.problems import IngestError
from carelens.published.years import normalise_ees_year, normalise_lait_year
from carelens.cli import app


@pytest.fixture()
def download(tmp_path):
    return write_download(tmp_path / "dfe")


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_lait_figures_are_stored_with_normalised_years_areas_and_marks(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    build(download, out)
    stored = rows(out, "SELECT measure_id, year, published_year, year_ending, geography, area_code, area_name, "
                       "value, status FROM figures WHERE source_is_lait ORDER BY ALL"
                  .replace("WHERE source_is_lait", "WHERE measure_id NOT LIKE '%/%'"))
    assert stored == [
        # LAIT's CIN is 'Annual' (31 March): '2018' is the year 2017-18
        ("CIN", "2017-18", "2018", 2018, "england", "E92000001", "England", 345.4, "published"),
        ("CIN", "2017-18", "2018", 2018, "la", "805", "Hartlepool", None, "-"),
        ("CIN", "2017-18", "2018", 2018, "la", "890", "Blackpool", 632.5, "published"),
        # LA Number 981 is LAIT's North West; '379.69999999999999' is 379.7
        ("CIN", "2017-18", "2018", 2018, "region", "E12000002", "North West", 379.7, "published"),
        ("CIN", "2018-19", "2019", 2019, "la", "890", "Blackpool", 805.6, "published"),
        # an academic-year measure keeps its single year
        ("CINPermExclusion", "2018", "2018", 2018, "la", "890", "Blackpool", 0.5, "published"),
        # scientific notation: 7.0000000000000007E-2 = 0.07
        ("CIN_Refferals_NFA", "2017-18", "2018", 2018, "la", "890", "Blackpool", 0.07, "published"),
        # outturn '(OT)' dropped from the year, kept in published_year
        ("LACFinance", "2017-18", "2017-18 (OT)", 2018, "la", "890", "Blackpool", 1234567.0, "published"),
        # LA Number 987 is LAIT's Inner London, ONS code E13000001
        ("LACFinance", "2017-18", "2017-18 (OT)", 2018, "region", "E13000001", "Inner London", None, "-"),
        ("Referrals_AssessedNotNeed", "2017-18", "2018", 2018, "la", "890", "Blackpool", 12.0, "published"),
    ]  # KS2_RWM (Key Stage 2) is not a children's social care topic: left out


def test_lait_measures_keep_both_measures_of_a_shared_code(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    build(download, out)
    assert rows(out, "SELECT measure_id, source, lait_code, topic, polarity, unit, quartiles, year_type "
                     "FROM measures WHERE source = 'LAIT' ORDER BY measure_id") == [
        ("CIN", "LAIT", "171", "Children in Need", "low", "Rate per 10,000", True, "Annual"),
        # listed under two topics in the dictionary: filed under the social care one
        ("CINPermExclusion", "LAIT", "250", "Children in Need", "low", "%", True, "Academic Year"),
        # code 290 is two measures; Polarity '-' is neutral; No_Quartile 'N' means no quartile bands
        ("CIN_Refferals_NFA", "LAIT", "290", "Child Protection", "neutral", "%", False, "Financial Year"),
        ("LACFinance", "LAIT", "11", "Children's Service Finance", "neutral", "£", True, "Financial Year"),
        ("Referrals_AssessedNotNeed", "LAIT", "290", "Child Protection", "low", "%", True, "Financial Year"),
    ]
    # the description's quoted line break survives
    assert rows(out, "SELECT description FROM measures WHERE measure_id = 'CIN'") == [
        ("Children in need at 31 March,\nper 10,000 children.",)]


def test_statistics_files_keep_each_suppression_mark_as_the_status(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    build(download, out)
    assert rows(out, "SELECT measure_id, year, geography, area_code, value, status FROM figures "
                     "WHERE measure_id LIKE 'b1_%' ORDER BY ALL") == [
        ("b1_children_in_need/At31_episodes", "2017-18", "england", "E92000001", 404710.0, "published"),
        ("b1_children_in_need/At31_episodes", "2017-18", "la", "805", None, "z"),
        ("b1_children_in_need/At31_episodes", "2017-18", "la", "890", 1796.0, "published"),
        ("b1_children_in_need/At31_episodes", "2017-18", "region", "E12000002", 61470.0, "published"),
        ("b1_children_in_need/Started_episodes", "2017-18", "england", "E92000001", None, "x"),
        ("b1_children_in_need/Started_episodes", "2017-18", "la", "805", None, "u"),
        ("b1_children_in_need/Started_episodes", "2017-18", "la", "890", None, "c"),
        ("b1_children_in_need/Started_episodes", "2017-18", "region", "E12000002", None, "low"),
    ]
    # breakdown columns name the measure; 'k' is a mark like the others
    assert rows(out, "SELECT measure_id, year, value, status FROM figures "
                     "WHERE measure_id LIKE 'la_care_leavers_activity/17 to 18 years/%' ORDER BY ALL") == [
        ("la_care_leavers_activity/17 to 18 years/In an apprenticeship/care_leaver_count", "2023-24", 2.0,
         "published"),
        ("la_care_leavers_activity/17 to 18 years/In an apprenticeship/care_leaver_percent", "2023-24", None, "k"),
        ("la_care_leavers_activity/17 to 18 years/Total/care_leaver_count", "2023-24", 60.0, "published"),
        ("la_care_leavers_activity/17 to 18 years/Total/care_leaver_percent", "2023-24", 100.0, "published"),
    ]
    # the workforce census is in September: its 2018 stays 2018; a shared service is a group of two
    assert rows(out, "SELECT year, geography, area_code, value FROM figures "
                     "WHERE measure_id = 'csww_indicators/vacancy_rate_fte' ORDER BY ALL") == [
        ("2018", "la", "890", 7.4), ("2018", "la_group", "940/941", 12.0)]
    assert rows(out, "SELECT unit FROM measures WHERE measure_id = 'csww_indicators/vacancy_rate_fte'") == [
        ("percent",)]


def test_authorities_neighbours_population_sources_and_attribution(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    build(download, out)
    assert rows(out, "SELECT * FROM authorities ORDER BY la_code") == [
        # Hartlepool has no published figure in this download, so no years
        ("805", "E06000001", "Hartlepool", "E12000001", "North East", "North East", None, None),
        # Blackpool: published figures 2017-18 (year ending 2018) to the care leavers' 2023-24
        ("890", "E06000009", "Blackpool", "E12000002", "North West", "North West", 2018, 2024),
        # only in the 2021 neighbour file's 'Old SNs' section: kept, with its region
        ("928", None, "Northamptonshire", "E12000004", "East Midlands", None, None, None),
    ]
    assert rows(out, "SELECT rank, neighbour_code, closeness FROM neighbours "
                     "WHERE model = '2025' AND la_code = '890' ORDER BY rank") == [
        (1, "805", "Very close"), (2, "806", "Close"), (3, "394", "Close"), (4, "341", "Close"),
        (5, "393", "Close"), (6, "807", "Close"), (7, "354", "Close"), (8, "880", "Close"),
        (9, "355", "Somewhat close"), (10, "861", "Not close")]
    # the 2021 file repeats 'SNP' after each neighbour column: read by position
    assert rows(out, "SELECT list(neighbour_code ORDER BY rank), list(DISTINCT closeness ORDER BY closeness) "
                     "FROM neighbours WHERE model = '2021' AND la_code = '890'") == [
        (["805", "806", "876", "807", "861", "393", "810", "812", "340", "357"], ["Close", "Very Close"])]
    assert rows(out, "SELECT count(*) FROM neighbours WHERE model = '2021'") == [(20,)]  # 890 and 928
    # Hartlepool's suppressed estimate ('x') is left out
    assert rows(out, "SELECT * FROM population ORDER BY ALL") == [
        ("england", "E92000001", 2017, 11755593), ("la", "890", 2017, 28397)]
    sources = {file: (sha, count) for file, sha, count in rows(out, "SELECT file, sha256, rows FROM sources")}
    assert sources[B1_STEM] == (hashlib.sha256((download / B1_STEM).read_bytes()).hexdigest(), 4)
    assert sources["lait_bds_long.parquet"][1] == 11
    assert len(sources) == 8  # the .ods file is not a source
    about = dict(rows(out, "SELECT key, value FROM about"))
    assert "Open Government Licence v3.0" in about["attribution"]
    assert "© Crown copyright" in about["attribution"]
    assert "Office for National Statistics" in about["attribution"]


def test_a_broken_download_reports_every_problem_and_leaves_the_output_untouched(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    build(download, out)
    before = out.read_bytes()
    b1 = download / B1_STEM
    b1.write_text(b1.read_text(encoding="utf-8").replace(",1796,c", ",abc,c"), encoding="utf-8")
    population = download / "ons_mid-year_population_estimates_2012_to_2024.csv"
    population.write_text(population.read_text(encoding="utf-8").replace(",population_estimate", ",estimate"),
                          encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        build(download, out)
    found = {(p.file, p.location, p.field, p.value) for p in raised.value.problems}
    assert found == {
        # Blackpool is the file's fourth line (header, England, North West, Blackpool)
        (B1_STEM, "row 4", "At31_episodes", "abc"),
        ("ons_mid-year_population_estimates_2012_to_2024.csv", "header", "population_estimate", None),
    }
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_missing_required_file_is_a_problem_reported_with_those_of_the_other_files(download, tmp_path):
    (download / "lait_data_dictionary.csv").unlink()
    b1 = download / B1_STEM
    b1.write_text(b1.read_text(encoding="utf-8").replace(",404710,x", ",4O4710,x"), encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        build(download, tmp_path / "benchmarks.duckdb")
    first, second = raised.value.problems
    assert "LAIT's data dictionary" in first.expected
    assert (second.file, second.location, second.field, second.value) == (B1_STEM, "row 2", "At31_episodes",
                                                                          "4O4710")  # letter O, not zero
    assert not (tmp_path / "benchmarks.duckdb").exists()


def test_a_newer_download_with_another_year_span_and_a_new_authority_is_read_the_same_way(download, tmp_path):
    newer = download / B1_STEM.replace("2013_to_2025", "2013_to_2026")
    shutil.move(download / B1_STEM, newer)
    with newer.open("a", encoding="utf-8") as handle:
        handle.write("2026,Reporting year,Local authority,E92000001,England,E12000002,North West,890,E06000009,"
                     "Blackpool,Children in Need,1700,900\n"
                     "2026,Reporting year,Local authority,E92000001,England,E12000002,North West,999,E06000999,"
                     "New Town,Children in Need,50,c\n")
    out = tmp_path / "benchmarks.duckdb"
    summary = build(download, out)
    assert rows(out, "SELECT measure_id, year, area_code, value, status FROM figures "
                     "WHERE year = '2025-26' ORDER BY ALL") == [
        ("b1_children_in_need/At31_episodes", "2025-26", "890", 1700.0, "published"),
        ("b1_children_in_need/At31_episodes", "2025-26", "999", 50.0, "published"),
        ("b1_children_in_need/Started_episodes", "2025-26", "890", 900.0, "published"),
        ("b1_children_in_need/Started_episodes", "2025-26", "999", None, "c"),
    ]
    assert rows(out, "SELECT la_code, gss_code, name, region_name, first_year, last_year FROM authorities "
                     "WHERE la_code = '999'") == [("999", "E06000999", "New Town", "North West", 2026, 2026)]
    assert summary.years == (2018, 2026)


def test_two_downloads_of_one_file_side_by_side_are_a_problem(download, tmp_path):
    shutil.copy(download / B1_STEM, download / B1_STEM.replace("2013_to_2025", "2013_to_2026"))
    with pytest.raises(IngestError) as raised:
        build(download, tmp_path / "benchmarks.duckdb")
    assert [p.expected for p in raised.value.problems] == ["one download of each statistics file (remove the older)"]


def test_files_not_used_are_reported_without_stopping_the_build(download, tmp_path):
    (download / "notes.csv").write_text("what,why\nthis,that\n", encoding="utf-8")
    summary = build(download, tmp_path / "benchmarks.duckdb")
    assert sorted(p.file for p in summary.skipped) == ["LA_Inspection_Outcomes_as_at_31_March_2025.ods",
                                                       "notes.csv"]


def test_the_command_prints_a_summary_or_the_problems(download, tmp_path):
    out = tmp_path / "benchmarks.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["benchmarks", "build", "--from", str(download), "--out", str(out)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "measures" in result.output and "15" in result.output  # 5 LAIT + 10 from the statistics files
    assert "LA_Inspection_Outcomes" in result.output
    (download / "sn_model_2025_wide.csv").unlink()
    result = runner.invoke(app, ["benchmarks", "build", "--from", str(download), "--out", str(out)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert "was not changed" in result.output and "statistical neighbour model" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("label", "year_type", "expected"), [
    ("2018", "Annual", ("2017-18", 2018)),
    ("2018", "Financial Year", ("2017-18", 2018)),
    ("2018", "Academic Year", ("2018", 2018)),
    ("2018 (Rev)", "Academic Year", ("2018", 2018)),
    ("2017/18", "Academic Year", ("2017-18", 2018)),
    ("2016-17 (OT)", "Financial Year", ("2016-17", 2017)),
    ("2014-16", "Calendar Year", ("2014-16", 2016)),  # three calendar years ending 2016
    ("2013/14-15/16", "Financial Year", ("2013/14-15/16", 2016)),
    ("0", "Academic Year", ("0", None)),
])
def test_lait_year_labels(label, year_type, expected):
    assert normalise_lait_year(label, year_type) == expected


def test_statistics_file_years():
    assert normalise_ees_year("2018", True) == ("2017-18", 2018)
    assert normalise_ees_year("2018", False) == ("2018", 2018)
    assert normalise_ees_year("201718", False) == ("2017-18", 2018)
