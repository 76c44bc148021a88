"""The SSDA903 reader: what a return carries comes back as the store held it, whatever the files look like.

1. Round trip: small synthetic authorities (a few seeds) → the 903 writer (2024, 2025, 2026) →
   the reader → the canonical content each return carries equals the store's, read the way the
   writer's documentation says it writes (as at 31 March; identical consecutive episodes merged;
   placement types recoded for the year).
2. Tolerance: column order, header case, padding, byte-order mark, Windows-1252, file names.
3. Bad input: every problem reported with its file, row, field, value and what was expected.
4. Fuzzing: whatever happens to the bytes or cells of a valid return, the reader either reads it
   or raises IngestError — never anything else.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carelens.ingest.looked_after_history import derive_from_episodes
from carelens.ingest.ssda903 import read_ssda903
from carelens.model.store import Store
from carelens.problems import IngestError
from carelens.returns.ssda903 import write_ssda903
from carelens.synth import AuthoritySpec, load_profile, synthesise
from ssda903_xml import to_xml

LA = "890"
YEARS = (2024, 2025, 2026)
SEEDS = (1, 2, 3)
SHORT_BREAK = ("V3", "V4")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
OTHER = ("Z1", "Z11", "Z12", "Z13", "Z14")
NO_PROVIDER = TEMPORARY + OTHER  # docs/returns/ssda903.md: PLACE_PROVIDER blank for these
NO_URN = ("P1", "P2", "P3", "R1", "R2", "R5") + TEMPORARY + OTHER  # … and URN blank for these
Z_OTHER = {"Z11": "Z1", "Z12": "Z1", "Z13": "Z1", "Z14": "Z1"}
RECODE = {2024: {"K3": "H5", **Z_OTHER}, 2025: {"H5": "K3", **Z_OTHER}, 2026: {"H5": "K3"}}
STORE_TABLES = ("person", "looked_after_episodes", "placements", "periods_of_care", "looked_after_reviews",
                "missing_episodes", "annual_outcomes", "care_leaver_contacts", "permanence",
                "previous_permanence", "allocations", "workers")


def period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


# ------------------------------------------------------------------------------------ fixtures
# the fast lane reads back the first seed's authority; the full run every seed's
@pytest.fixture(scope="module", params=[SEEDS[0], *(pytest.param(s, marks=pytest.mark.slow) for s in SEEDS[1:])])
def authority(request, tmp_path_factory):
    """A small synthetic authority: its store tables, and its returns for 2024-2026 read back."""
    d = tmp_path_factory.mktemp(f"903seed{request.param}")
    spec = AuthoritySpec(LA, "Coastal (synthetic)", load_profile("england"), children=3000)
    synthesise(d / "s.duckdb", [spec], years=5, seed=request.param)
    with Store(d / "s.duckdb", read_only=True) as store:
        tables = {t: store.to_polars(t) for t in STORE_TABLES}
        for year in YEARS:
            write_ssda903(store, year, d / str(year))
    return tables, {year: read_ssda903([d / str(year)]) for year in YEARS}, d


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One small return (2025) to mangle."""
    d = tmp_path_factory.mktemp("903clean")
    spec = AuthoritySpec(LA, "Coastal (synthetic)", load_profile("england"), children=3000)
    synthesise(d / "s.duckdb", [spec], years=5, seed=11)
    with Store(d / "s.duckdb", read_only=True) as store:
        write_ssda903(store, 2025, d / "2025")
    return d / "2025"


@pytest.fixture()
def ret(written, tmp_path):
    """A fresh copy of the clean return."""
    return Path(shutil.copytree(written, tmp_path / "ret"))


def natural(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    return sorted(frame.select(columns).rows(), key=repr)


# ---------------------------------------------------------------------- what each return carries
def expected_episodes(t: dict[str, pl.DataFrame], year: int) -> pl.DataFrame:
    """The store's episodes as the 903 writes them for ``year`` (docs/returns/ssda903.md)."""
    start, end = period(year)
    person = t["person"].select("child_id", pl.col("home_postcode").alias("p_home"))
    places = t["placements"].select("placement_id", pl.col("postcode").alias("pl_post"),
                                    pl.col("urn").alias("pl_urn"), pl.col("provider").alias("pl_provider"))
    short = pl.col("legal_status").is_in(SHORT_BREAK)

    def pc(c):
        return pl.col(c).str.to_uppercase().str.replace_all(r"\s+", " ")

    e = (t["looked_after_episodes"].join(places, on="placement_id", how="left").join(person, on="child_id", how="left")
         .with_columns(place=pl.col("placement_type").replace(RECODE[year]))
         .with_columns(
             provider=pl.when(~pl.col("place").is_in(NO_PROVIDER))
             .then(pl.coalesce("placement_provider", "pl_provider")),
             urn_=pl.when(~short & ~pl.col("place").is_in(NO_URN)).then(pl.coalesce("urn", "pl_urn")),
             post=pl.when(~short).then(pc("placement_postcode").fill_null(pc("pl_post"))),
             home=pl.when(~short).then(pc("home_postcode").fill_null(pc("p_home"))))
         .sort("child_id", "start_date"))
    key = ["legal_status", "cin_category", "place", "provider", "urn_", "post", "home"]
    prev = lambda c: pl.col(c).shift(1).over("period_id")  # noqa: E731
    same = (prev("end_date") == pl.col("start_date")) & (prev("reason_ceased").is_null()
                                                          | (prev("reason_ceased") == "X1"))
    for c in key:
        same = same & prev(c).eq_missing(pl.col(c))
    e = e.with_columns(group=(~same.fill_null(False)).cast(pl.Int32).cum_sum())
    e = e.group_by("group", maintain_order=True).agg(
        pl.col("child_id", "start_date", "reason_new_episode", *key).first(),
        pl.col("end_date", "reason_ceased").last())
    e = e.filter((pl.col("start_date") <= end) & (pl.col("end_date").is_null() | (pl.col("end_date") >= start)))
    return e.with_columns(end_date=pl.when(pl.col("end_date") <= end).then(pl.col("end_date"))).with_columns(
        reason_ceased=pl.when(pl.col("end_date").is_not_null()).then(pl.col("reason_ceased")))


def in_year(frame: pl.DataFrame, s: str, e: str | None, year: int) -> pl.DataFrame:
    start, end = period(year)
    if e is None:
        return frame.filter(pl.col(s).is_between(start, end))
    return frame.filter((pl.col(s) <= end) & (pl.col(e).is_null() | (pl.col(e) >= start)))


@pytest.mark.parametrize("year", YEARS)
def test_episodes_come_back_as_written(authority, year):
    t, extracts, _ = authority
    read = extracts[year].frames["looked_after_episodes"]
    want = expected_episodes(t, year)
    assert len(read) == len(want) > 0
    cols = ["child_id", "start_date", "reason_new_episode", "legal_status", "cin_category", "end_date",
            "reason_ceased"]
    assert natural(read, cols) == natural(want, cols)
    assert natural(read, ["child_id", "start_date", "placement_type", "placement_provider", "urn",
                          "placement_postcode"]) == \
        natural(want.rename({"place": "placement_type", "provider": "placement_provider", "urn_": "urn",
                             "post": "placement_postcode"}),
                ["child_id", "start_date", "placement_type", "placement_provider", "urn", "placement_postcode"])
    # the writer leaves out the home postcode of UASC children; every other one comes back
    got = read.join(want.select("child_id", "start_date", "home"), on=["child_id", "start_date"])
    assert got.filter(pl.col("home_postcode").is_not_null() & ~pl.col("home_postcode").eq_missing(
        pl.col("home"))).is_empty()
    # every row says where it came from
    assert read["source_file"].str.ends_with("episodes.csv").all()
    assert (read["source_year"] == year).all() and read["source_row"].min() == 2
    assert read["episode_id"].n_unique() == len(read)


@pytest.mark.parametrize("year", YEARS)
def test_derived_periods_match_the_store(authority, year):
    """Each period derived from the year's episodes is a store period, seen from inside the year."""
    t, extracts, _ = authority
    start, end = period(year)
    read = extracts[year].frames["periods_of_care"]
    store = in_year(t["periods_of_care"], "start_date", "end_date", year).with_columns(
        end_date=pl.when(pl.col("end_date") <= end).then(pl.col("end_date")))
    store = store.with_columns(reason_ceased=pl.when(pl.col("end_date").is_not_null()).then(pl.col("reason_ceased")))
    j = read.join(store, on="child_id", suffix="_s").filter(
        (pl.col("start_date_s") <= pl.col("start_date")) & pl.col("end_date").eq_missing(pl.col("end_date_s")))
    assert j["period_id"].n_unique() == len(read) == len(store)
    assert (j["reason_ceased"].eq_missing(j["reason_ceased_s"])).all()
    started_in_year = j.filter(pl.col("start_date_s") >= start)
    assert (started_in_year["start_date"] == started_in_year["start_date_s"]).all()
    eps = extracts[year].frames["looked_after_episodes"]
    assert set(eps["period_id"]) == set(read["period_id"])
    assert set(eps["placement_id"]) == set(extracts[year].frames["placements"]["placement_id"])
    assert not eps["period_id"].is_null().any() and not eps["placement_id"].is_null().any()


def test_stitched_years_give_the_stores_periods(authority):
    """Episodes of three returns stitched (newest year wins) give the store's periods back."""
    t, extracts, _ = authority
    eps = pl.concat([extracts[y].frames["looked_after_episodes"] for y in YEARS])
    eps = eps.sort("source_year").unique("episode_id", keep="last")
    derived = derive_from_episodes(eps)["periods_of_care"]
    first, last = period(YEARS[0])[0], period(YEARS[-1])[1]
    store = t["periods_of_care"].filter(pl.col("start_date") >= first).with_columns(
        end_date=pl.when(pl.col("end_date") <= last).then(pl.col("end_date")))
    store = store.with_columns(reason_ceased=pl.when(pl.col("end_date").is_not_null()).then(pl.col("reason_ceased")))
    got = derived.filter(pl.col("start_date") >= first)
    cols = ["child_id", "start_date", "end_date", "reason_ceased"]
    assert natural(got, cols) == natural(store, cols)


@pytest.mark.parametrize("year", YEARS)
def test_people_come_back(authority, year):
    t, extracts, _ = authority
    start, end = period(year)
    read = extracts[year].frames["person"]
    store = t["person"].join(read.select("child_id"), on="child_id")
    assert len(store) == len(read)
    cols = ["child_id", "sex", "date_of_birth", "ethnicity", "upn", "upn_unknown"]
    assert natural(read, cols) == natural(store, cols)
    cohort = set(in_year(t["looked_after_episodes"], "start_date", "end_date", year)["child_id"])
    assert cohort <= set(read["child_id"])
    assert set(read["child_id"]) - cohort <= set(t["care_leaver_contacts"]["child_id"])
    uasc = store.filter(pl.col("uasc") & pl.col("child_id").is_in(list(cohort))
                        & (pl.col("uasc_ceased_date").is_null() | (pl.col("uasc_ceased_date") >= start)))
    assert set(read.filter("uasc")["child_id"]) == set(uasc["child_id"])
    mothers = read.filter(pl.col("is_mother").fill_null(False)).join(store, on="child_id", suffix="_s")
    assert mothers["is_mother_s"].all()
    assert (mothers["mother_child_date_of_birth"].eq_missing(mothers["mother_child_date_of_birth_s"])).all()
    assert (read["la_code"] == LA).all()


@pytest.mark.parametrize("year", YEARS)
def test_reviews_missing_and_outcomes_come_back(authority, year):
    t, extracts, _ = authority
    f = extracts[year].frames
    start, end = period(year)
    eps = in_year(t["looked_after_episodes"], "start_date", "end_date", year)
    cohort = list(set(eps["child_id"]))
    not_short = list(set(eps.filter(~pl.col("legal_status").is_in(SHORT_BREAK))["child_id"]))
    # reviews held in the year inside a period of care, of children not only on short breaks
    periods = t["periods_of_care"]
    rv = in_year(t["looked_after_reviews"], "review_date", None, year).filter(pl.col("child_id").is_in(not_short))
    rv = rv.join(periods, on="child_id", suffix="_p").filter(
        (pl.col("review_date") >= pl.col("start_date")) & (pl.col("end_date").is_null()
                                                            | (pl.col("review_date") <= pl.col("end_date"))))
    cols = ["child_id", "review_date", "participation"]
    assert natural(f["looked_after_reviews"], cols) == natural(rv.unique(["child_id", "review_date"]), cols)
    assert not f["looked_after_reviews"]["period_id"].is_null().any()
    # missing spells open in the year, as at 31 March
    ms = in_year(t["missing_episodes"], "start_date", "end_date", year).filter(pl.col("child_id").is_in(cohort))
    ms = ms.with_columns(end_date=pl.when(pl.col("end_date") <= end).then(pl.col("end_date")))
    cols = ["child_id", "missing_type", "start_date", "end_date"]
    assert natural(f["missing_episodes"], cols) == natural(ms, cols)
    # annual outcomes for the year: the items written for every child in the cohort
    oc2 = f["annual_outcomes"]
    assert (oc2["year_ending"] == end).all()
    store = t["annual_outcomes"].filter(pl.col("year_ending") == end).join(oc2.select("child_id"), on="child_id")
    cols = ["child_id", "immunisations_up_to_date", "teeth_checked", "health_assessment_up_to_date",
            "substance_misuse"]
    assert len(store) == len(oc2)
    assert natural(oc2, cols) == natural(store, cols)
    scored = oc2.filter(pl.col("sdq_score").is_not_null()).join(store, on="child_id", suffix="_s")
    assert (scored["sdq_score"] == scored["sdq_score_s"]).all()


@pytest.mark.parametrize("year", YEARS)
def test_care_leavers_permanence_and_social_workers_come_back(authority, year):
    t, extracts, _ = authority
    f = extracts[year].frames
    start, end = period(year)
    # care leavers: the birthday that falls in the year
    cl = f["care_leaver_contacts"].join(t["care_leaver_contacts"], on=["child_id", "birthday_age"], suffix="_s")
    assert len(cl) == len(f["care_leaver_contacts"])
    assert (cl["in_touch"] == cl["in_touch_s"]).all()
    yes = cl.filter(pl.col("in_touch") == "YES")
    assert (yes["activity"] == yes["activity_s"]).all() and (yes["accommodation"] == yes["accommodation_s"]).all()
    # adoption decisions and adoptions
    pm = f["permanence"].join(t["permanence"], on=["child_id", "adoption_decision_date"], suffix="_s")
    assert len(pm) == len(f["permanence"])
    reversed_ = pm.filter(pl.col("decision_reversed_date").is_not_null())
    assert (reversed_["decision_reversed_date"] == reversed_["decision_reversed_date_s"]).all()
    adopted = pm.filter(pl.col("order_type") == "ADOPTION")
    for c in ("matched_date", "number_of_adopters", "adopter_sex", "adopter_legal_status", "order_date"):
        assert (adopted[c] == adopted[f"{c}_s"]).all(), c
    # previous permanence of the children who started a period in the year
    pp = f["previous_permanence"].join(t["previous_permanence"], on=["child_id", "option"], suffix="_s")
    assert pp["child_id"].n_unique() == len(f["previous_permanence"])
    # social workers: allocations of children looked after on 31 March, open in the year
    workers = t["workers"].select("worker_id", pl.coalesce("swe_registration", "worker_id").alias("sw_id"))
    at_end = in_year(t["looked_after_episodes"], "start_date", "end_date", year).filter(
        (pl.col("end_date").is_null() | (pl.col("end_date") > end)) & ~pl.col("legal_status").is_in(SHORT_BREAK))
    al = (in_year(t["allocations"], "start_date", "end_date", year)
          .filter(pl.col("child_id").is_in(list(set(at_end["child_id"]))))
          .join(workers, on="worker_id").with_columns(end_date=pl.when(pl.col("end_date") <= end)
                                                      .then(pl.col("end_date"))))
    al = al.filter(pl.col("sw_id").str.starts_with("SW") | pl.col("sw_id").str.starts_with("XX"))
    cols = ["child_id", "worker_id", "start_date", "end_date"]
    assert natural(f["allocations"], cols) == natural(al.with_columns(worker_id="sw_id"), cols)
    reasons = f["allocations"].filter(pl.col("change_reason").is_not_null()).join(
        al.with_columns(worker_id="sw_id"), on=["child_id", "start_date"], suffix="_s")
    assert (reasons["change_reason"] == reasons["change_reason_s"]).all()
    assert set(f["workers"]["worker_id"]) == set(f["allocations"]["worker_id"])
    assert (f["allocations"]["team_id"] == "UNKNOWN").all()


def test_the_extract_says_what_it_covers(authority):
    _, extracts, d = authority
    e = extracts[2025]
    assert (e.kind, e.la_code, e.collection_year) == ("ssda903", LA, 2025)
    assert (e.period_start, e.period_end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert len(e.files) == 11 and e.children() == len(e.frames["person"])
    # the year and the authority given are used as they are
    again = read_ssda903(sorted((d / "2025").iterdir()), year=2025, la_code="890")
    for name, frame in e.frames.items():
        assert again.frames[name].equals(frame), name


# ---------------------------------------------------------------------------------- tolerance
def frames_without_files(extract) -> dict[str, pl.DataFrame]:
    return {n: f.drop("source_file") for n, f in extract.frames.items()}


def rewrite(path: Path, transform, encoding="utf-8") -> None:
    frame = pl.read_csv(path, infer_schema=False)
    text = transform(frame)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)


def test_columns_in_any_order_case_padding_bom_and_names(ret):
    clean = read_ssda903([ret])
    rng = random.Random(5)
    for i, f in enumerate(sorted(ret.iterdir())):
        frame = pl.read_csv(f, infer_schema=False)
        cols = frame.columns[:]
        rng.shuffle(cols)
        frame = frame.select(cols)
        header = ",".join(f"  {c.lower()} " if j % 2 else f'"{c.title()}"' for j, c in enumerate(cols))
        rows = [",".join("" if v is None else f" {v}  " for v in r) for r in frame.rows()]
        f.unlink()
        (ret / f"export_{i}.txt").write_bytes(b"\xef\xbb\xbf" + "\r\n".join([header, *rows, ""]).encode())
    tolerant = read_ssda903([ret])
    a, b = frames_without_files(clean), frames_without_files(tolerant)
    for name in a:
        assert a[name].equals(b[name]), name


def test_windows_1252_with_a_non_ascii_character_and_extra_columns(ret):
    clean = read_ssda903([ret])
    header = ret / "header.csv"
    rewrite(header, lambda f: f.with_columns(NOTES=pl.lit("Zoë’s note – café")).write_csv(), encoding="cp1252")
    pp = ret / "previous_permanence.csv"
    frame = pl.read_csv(pp, infer_schema=False)
    assert len(frame)
    frame = frame.with_columns(LA_PERM=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("Cumbría"))
                               .otherwise(pl.col("LA_PERM")), EXTRA=pl.lit("x"))
    frame = frame.with_columns(PREV_PERM=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("P4"))
                               .otherwise(pl.col("PREV_PERM")))
    pp.write_bytes(frame.write_csv().encode("cp1252"))
    read = read_ssda903([ret])
    assert read.frames["person"].drop("source_file").equals(clean.frames["person"].drop("source_file"))
    assert "Cumbría" in read.frames["previous_permanence"]["order_la"].to_list()


# ------------------------------------------------------------------------------- bad input
def problems_of(paths, **kw) -> list:
    with pytest.raises(IngestError) as e:
        read_ssda903(paths, **kw)
    assert e.value.problems
    return e.value.problems


def test_a_file_cut_mid_row(ret):
    eps = ret / "episodes.csv"
    text = eps.read_text()
    lines = text.splitlines()
    cut = lines[-1][:16]  # e.g. "8900001736,31/01"
    eps.write_text("\n".join(lines[:-1]) + "\n" + cut)
    ps = problems_of([ret])
    assert {p.file for p in ps} == {str(eps)}
    assert {p.location for p in ps} == {f"row {len(lines)}"}
    by_field = {p.field: p for p in ps}
    assert by_field["DECOM"].value == cut.split(",")[1] and "date" in by_field["DECOM"].expected
    assert "required" in by_field["RNE"].expected


def test_utf16_is_the_wrong_encoding(ret):
    header = ret / "header.csv"
    header.write_bytes(header.read_text().encode("utf-16"))
    (p,) = problems_of([ret])
    assert p.file == str(header) and "UTF-8" in p.expected and p.location == ""


def test_missing_columns_name_the_closest_table(ret):
    rewrite(ret / "episodes.csv", lambda f: f.drop("URN", "PL_POST").write_csv())
    (p,) = problems_of([ret])
    assert p.file == str(ret / "episodes.csv") and p.location == "row 1"
    assert "episodes" in p.expected and "PL_POST" in p.expected and "URN" in p.expected


def test_a_file_matching_no_table_and_two_files_for_one(ret):
    (ret / "notes.csv").write_text("WHAT,WHEN\nx,y\n")
    shutil.copy(ret / "reviews.csv", ret / "reviews_copy.csv")
    ps = problems_of([ret])
    assert {p.file for p in ps} == {str(ret / "notes.csv"), str(ret / "reviews_copy.csv")}
    (dup,) = [p for p in ps if p.file.endswith("reviews_copy.csv")]
    assert "one file per table" in dup.expected and "reviews.csv" in dup.expected


def test_extra_columns_are_ignored(ret):
    clean = read_ssda903([ret])
    for f in ret.iterdir():
        rewrite(f, lambda fr: fr.with_columns(LOCAL_ID=pl.lit("123"), UASC=pl.lit("0")).write_csv())
    assert frames_without_files(read_ssda903([ret])).keys() == frames_without_files(clean).keys()
    for name, frame in read_ssda903([ret]).frames.items():
        assert frame.equals(clean.frames[name]), name


def set_cell(path: Path, column: str, row: int, value: str) -> int:
    """Put ``value`` in ``column`` of data row ``row`` (0-based); returns its spreadsheet row number."""
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value))
                               .otherwise(pl.col(column)).alias(column))
    path.write_text(frame.write_csv())
    return row + 2


def test_codes_must_be_valid_for_the_year(ret):
    eps = ret / "episodes.csv"
    frame = pl.read_csv(eps, infer_schema=False)
    open_row = frame.with_row_index().filter(pl.col("DEC").is_null())["index"][0]
    r1 = set_cell(eps, "PLACE", open_row, "P2")  # no P2 from 2025
    r2 = set_cell(eps, "RNE", 0, "X")
    r3 = set_cell(ret / "header.csv", "ETHNIC", 0, "WXYZ")
    ps = problems_of([ret])
    got = {(Path(p.file).name, p.location, p.field, p.value) for p in ps}
    assert got == {("episodes.csv", f"row {r1}", "PLACE", "P2"), ("episodes.csv", f"row {r2}", "RNE", "X"),
                   ("header.csv", f"row {r3}", "ETHNIC", "WXYZ")}
    place = next(p for p in ps if p.field == "PLACE")
    assert "2025" in place.expected and "K3" in place.expected and "P2" in place.expected  # (the 2024 clause)
    # the same code on an episode that ended on 1 April 2024 is last year's, and fine
    set_cell(eps, "RNE", 0, frame["RNE"][0])
    set_cell(ret / "header.csv", "ETHNIC", 0, "WBRI")
    set_cell(eps, "DEC", open_row, "01/04/2024")
    set_cell(eps, "DECOM", open_row, "01/03/2024")
    set_cell(eps, "REC", open_row, "E4A")
    ps = problems_of([ret])  # (the later episodes of that child now start after it ended: fine, or overlap)
    assert not any(p.field == "PLACE" for p in ps)


def test_sex_in_either_form_is_stored_as_letters(ret):
    header = ret / "header.csv"
    frame = pl.read_csv(header, infer_schema=False)
    sexes = frame["SEX"].to_list()
    header.write_text(frame.with_columns(SEX=pl.col("SEX").replace({"M": "1", "F": "2"})).write_csv())
    read = read_ssda903([ret])
    assert read.frames["person"]["sex"].to_list() == sexes


def test_impossible_dates_and_dates_after_the_year(ret):
    eps = ret / "episodes.csv"
    r1 = set_cell(eps, "DECOM", 0, "31/02/2024")
    r2 = set_cell(ret / "reviews.csv", "REVIEW", 0, "01/01/99999")
    r3 = set_cell(ret / "header.csv", "DOB", 0, "2010-05-01")
    ps = problems_of([ret], year=2025)
    got = {(Path(p.file).name, p.location, p.field, p.value) for p in ps}
    assert ("episodes.csv", f"row {r1}", "DECOM", "31/02/2024") in got
    assert ("reviews.csv", f"row {r2}", "REVIEW", "01/01/99999") in got
    assert ("header.csv", f"row {r3}", "DOB", "2010-05-01") in got
    assert all("DD/MM/YYYY" in p.expected for p in ps if p.value in ("31/02/2024", "01/01/99999", "2010-05-01"))


def test_episode_checks(ret):
    eps = ret / "episodes.csv"
    frame = pl.read_csv(eps, infer_schema=False).with_row_index()
    ended = frame.filter(pl.col("DEC").is_not_null())["index"][0]
    set_cell(eps, "DEC", ended, "01/01/2000")  # before DECOM
    dob_row = set_cell(ret / "header.csv", "DOB", 0, "01/01/2025")  # born after the first episode began
    ps = problems_of([ret])
    assert any(p.field == "DEC" and p.location == f"row {ended + 2}" and "on or after DECOM" in p.expected for p in ps)
    child = pl.read_csv(ret / "header.csv", infer_schema=False)["CHILD"][0]
    first_ep = frame.filter(pl.col("CHILD") == child)["index"][0]
    assert any(p.field == "DECOM" and p.location == f"row {first_ep + 2}" and "date of birth" in p.expected
               for p in ps)
    assert dob_row == 2


def test_overlapping_episodes(ret):
    eps = ret / "episodes.csv"
    frame = pl.read_csv(eps, infer_schema=False)
    extra = frame.head(1).with_columns(RNE=pl.lit("P"))
    eps.write_text(pl.concat([frame, extra]).write_csv())
    ps = problems_of([ret])
    assert any(p.field == "DECOM" and p.location == f"row {len(frame) + 2}" and "overlap" in p.expected for p in ps)


def test_duplicate_children_in_the_header(ret):
    header = ret / "header.csv"
    frame = pl.read_csv(header, infer_schema=False)
    header.write_text(pl.concat([frame, frame.slice(2, 1)]).write_csv())
    (p,) = problems_of([ret])
    assert (p.file, p.location, p.field, p.value) == (str(header), f"row {len(frame) + 2}", "CHILD",
                                                      frame["CHILD"][2])
    assert "once" in p.expected


@pytest.mark.parametrize("blank", [b"", b"\n", b"\r\n", b"\xef\xbb\xbf\r\n"], ids=["0 bytes", "LF", "CRLF", "BOM"])
def test_a_blank_file_is_an_empty_table(ret, blank):
    """Case systems write a table with no records that year as a file holding only a line break."""
    clean = read_ssda903([ret])
    (ret / "oc2.csv").write_bytes(blank)
    read = read_ssda903([ret])
    assert "ret: oc2.csv is empty (no rows)" in read.notes and "ret: oc2.csv is empty (no rows)" not in clean.notes
    assert read.frames["annual_outcomes"].is_empty() and len(clean.frames["annual_outcomes"])
    assert read.frames["person"].equals(clean.frames["person"])


def test_a_header_only_file_is_an_empty_table_and_a_blank_episodes_file_is_missing(ret):
    (ret / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START,MIS_END\n")
    read = read_ssda903([ret])
    assert "ret: missing.csv is empty (no rows)" in read.notes and read.frames["missing_episodes"].is_empty()
    (ret / "episodes.csv").write_text("\n")
    (p,) = problems_of([ret], year=2025)
    assert "episodes table" in p.expected


def test_enormous_values_are_problems_not_memory(ret):
    big = "X" * 5_000_000
    row = set_cell(ret / "episodes.csv", "URN", 0, big)
    set_cell(ret / "header.csv", "UPN", 1, "Y" * 101)
    ps = problems_of([ret])
    # a row over 1 MiB is refused as it is read, before the CSV parser holds it
    (long,) = [p for p in ps if p.file.endswith("episodes.csv")]
    assert long.location == f"row {row}" and long.expected.startswith("rows of at most 1,048,576 bytes")
    big = "X" * 5_000
    set_cell(ret / "episodes.csv", "URN", 0, big)
    ps = problems_of([ret])
    urn = next(p for p in ps if p.field == "URN")
    assert urn.location == f"row {row}" and len(urn.value) < 100 and "100 characters" in urn.expected
    assert any(p.field == "UPN" and p.location == "row 3" for p in ps)
    with pytest.raises(IngestError) as e:
        read_ssda903([ret])
    assert len(str(e.value)) < 2000


def test_year_and_authority(ret, tmp_path):
    assert read_ssda903([ret]).collection_year == 2025  # latest date 31 March 2025 at the latest
    (p,) = problems_of([ret], year=2031)
    assert p.field == "year"
    (p,) = problems_of([ret], la_code="89")
    assert p.field == "la_code"
    header = ret / "header.csv"
    frame = pl.read_csv(header, infer_schema=False)
    ids = {c: f"C{i}" for i, c in enumerate(frame["CHILD"])}
    for f in ret.iterdir():
        rewrite(f, lambda fr: fr.with_columns(CHILD=pl.col("CHILD").replace(ids)).write_csv())
    (p,) = problems_of([ret])
    assert p.field == "la_code" and "la_code" in p.expected
    assert read_ssda903([ret], la_code="890").la_code == "890"
    # a year before this return's dates: they fall after its end
    ps = problems_of([ret], la_code="890", year=2024)
    assert any(p.field == "DECOM" and "on or before 31/03/2024" in p.expected for p in ps)


def test_one_stray_date_does_not_move_the_year(ret):
    """A review keyed as 2027 in the 2024/25 return: the return stays 2025 and that one date is the problem."""
    clean = read_ssda903([ret])
    frame = pl.read_csv(ret / "reviews.csv", infer_schema=False)
    row = set_cell(ret / "reviews.csv", "REVIEW", 0, "13/01/2027")
    (p,) = problems_of([ret])
    assert (Path(p.file).name, p.location, p.field, p.value, p.child) == ("reviews.csv", f"row {row}", "REVIEW",
                                                                         "13/01/2027", frame["CHILD"][0])
    assert "on or before 31/03/2025, the end of the 2025 collection year" in p.expected
    # held back, the child is in no table of the return; everyone else is as before
    read = read_ssda903([ret], hold_back=True)
    (held,) = read.held_back
    assert (held.child_id, held.problem_count, held.problems) == (frame["CHILD"][0], 1, [p])
    assert read.collection_year == 2025
    for name, f in read.frames.items():
        if "child_id" in f.columns:
            assert held.child_id not in f["child_id"].to_list(), name
            assert f.equals(clean.frames[name].filter(pl.col("child_id") != held.child_id)), name


@pytest.mark.parametrize("wrong, right", [("ssda903_2023-24", "ssda903_2024-25"), ("903_2024", "903_2025"),
                                          ("SSDA903 202324", "SSDA903 202425"), ("2023_2024", "2024_2025")])
def test_a_year_in_the_folder_name(ret, tmp_path, wrong, right):
    """A council names each year's folder for its year; a name the dates contradict is refused, not trusted."""
    folder = ret.rename(tmp_path / wrong)
    (p,) = problems_of([folder])  # this folder holds the 2024/25 return
    assert (p.field, p.value) == ("year", "2024") and "2024/25" in p.expected and "--year" in p.expected
    assert read_ssda903([folder], year=2025).collection_year == 2025  # --year decides
    assert read_ssda903([folder.rename(tmp_path / right)]).collection_year == 2025


def test_a_problem_with_a_file_cannot_be_held_back(ret):
    """Only a child's problems can be held back; a file that cannot be read refuses the whole return."""
    (ret / "notes.csv").write_text("WHAT,WHEN\nx,y\n")
    set_cell(ret / "header.csv", "SEX", 0, "X")
    ps = problems_of([ret], hold_back=True)
    assert {(Path(p.file).name, p.field) for p in ps} == {("notes.csv", None), ("header.csv", "SEX")}
    (ret / "notes.csv").unlink()
    set_cell(ret / "header.csv", "CHILD", 1, "")  # a row that names no child cannot be held back either
    ps = problems_of([ret], hold_back=True)
    assert any(p.field == "CHILD" and p.child is None for p in ps)


def test_no_files_or_no_header(tmp_path, ret):
    (p,) = problems_of([tmp_path / "nowhere"])
    assert "exists" in p.expected
    (ret / "header.csv").unlink()
    (p,) = problems_of([ret])
    assert "header table" in p.expected


# ------------------------------------------------------------------------------------- XML
def test_xml_return_reads_like_the_csv_files(ret, tmp_path):
    clean = read_ssda903([ret])
    xml = tmp_path / "return.xml"
    xml.write_text(to_xml(ret))
    read = read_ssda903([xml])
    for name, frame in clean.frames.items():
        cols = [c for c in frame.columns if c not in ("source_file", "source_row")]
        assert natural(read.frames[name], cols) == natural(frame, cols), name
    assert (read.frames["looked_after_episodes"]["source_file"] == str(xml)).all()
    lines = xml.read_text().splitlines()
    first = read.frames["looked_after_episodes"].sort("source_row").row(0, named=True)
    assert lines[first["source_row"] - 1].startswith("<EPISODE>")


def test_xml_problems_give_the_line(ret, tmp_path):
    xml = tmp_path / "return.xml"
    text = to_xml(ret)
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("<EPISODE>"))
    lines[i] = lines[i].replace("<LS>", "<LS>Q", 1)
    xml.write_text("\n".join(lines))
    (p,) = problems_of([xml])
    assert (p.file, p.location, p.field) == (str(xml), f"line {i + 1}", "LS") and p.value.startswith("Q")
    xml.write_text(text[: len(text) // 2])
    (p,) = problems_of([xml])
    assert p.location.startswith("line") and "XML" in p.expected


# ------------------------------------------------------------------------------------- fuzz
mutation = st.one_of(
    st.tuples(st.just("bytes"), st.integers(0, 10_000), st.binary(min_size=0, max_size=12)),
    st.tuples(st.just("cell"), st.integers(0, 10_000), st.text(max_size=12)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(b"")),
    st.tuples(st.just("line"), st.integers(0, 10_000), st.sampled_from([b"", b"\n", b",,,,\n", b'"\n'])),
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_index=st.integers(0, 10), mutations=st.lists(mutation, min_size=1, max_size=3))
def test_fuzzed_returns_only_ever_raise_ingest_error(written, tmp_path_factory, file_index, mutations):
    d = Path(shutil.copytree(written, tmp_path_factory.mktemp("fuzz") / "r"))
    files = sorted(d.iterdir())
    target = files[file_index % len(files)]
    data = target.read_bytes()
    for kind, at, payload in mutations:
        at = at % (len(data) + 1)
        if kind == "bytes":
            data = data[:at] + payload + data[at + len(payload):]
        elif kind == "cut":
            data = data[:at]
        elif kind == "line":
            lines = data.split(b"\n")
            k = at % len(lines)
            lines[k] = payload.rstrip(b"\n")
            data = b"\n".join(lines)
        else:
            lines = data.decode("utf-8", errors="replace").split("\n")
            k = at % len(lines)
            cells = lines[k].split(",")
            cells[at % len(cells)] = payload.replace("\n", " ")
            lines[k] = ",".join(cells)
            data = "\n".join(lines).encode("utf-8", errors="replace")
    target.write_bytes(data)
    try:
        read_ssda903([d])
    except IngestError as e:
        assert e.problems and all(p.file for p in e.problems)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_index=st.integers(0, 10),
       mutations=st.lists(st.tuples(st.just("cell"), st.integers(0, 10_000), st.text(max_size=12)), min_size=1,
                          max_size=4))
@pytest.mark.slow
def test_fuzzed_cells_held_back_leave_no_row_of_the_child(written, tmp_path_factory, file_index, mutations):
    """With hold_back, a mangled return is read without the children it names in its problems (every row of
    theirs, in every table) or refused with the problems that name no child; never anything else."""
    d = Path(shutil.copytree(written, tmp_path_factory.mktemp("fuzzheld") / "r"))
    target = sorted(d.iterdir())[file_index % 11]
    lines = target.read_text().split("\n")
    for _, at, payload in mutations:
        k = 1 + at % max(1, len(lines) - 2)  # a data row, not the header
        cells = lines[k].split(",")
        cells[at % len(cells)] = payload.replace("\n", " ").replace(",", " ").replace('"', " ")
        lines[k] = ",".join(cells)
    target.write_text("\n".join(lines))
    try:
        read = read_ssda903([d], hold_back=True)
    except IngestError as e:
        assert any(p.child is None for p in e.problems)
        return
    held = {h.child_id for h in read.held_back}
    assert all(h.problem_count >= len(h.problems) >= 1 for h in read.held_back)
    for name, frame in read.frames.items():
        if "child_id" in frame.columns:
            assert not held & set(frame["child_id"].to_list()), name


@pytest.fixture(scope="module")
def written_xml(written) -> bytes:
    return to_xml(written).encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, 100_000), st.binary(max_size=8)), min_size=1, max_size=3))
def test_fuzzed_xml_only_ever_raises_ingest_error(written_xml, tmp_path_factory, cuts):
    xml = tmp_path_factory.mktemp("fuzzxml") / "return.xml"
    data = written_xml
    for at, payload in cuts:
        at = at % (len(data) + 1)
        data = data[:at] + payload + data[at + len(payload):]
    xml.write_bytes(data)
    try:
        read_ssda903([xml])
    except IngestError as e:
        assert e.problems and all(p.file for p in e.problems)


def test_xml_on_one_line_with_tags_in_any_case(ret, tmp_path):
    import re

    clean = read_ssda903([ret])
    xml = tmp_path / "return.xml"
    text = re.sub(r"<(/?)([A-Z_]+)", lambda m: f"<{m[1]}{m[2].lower()}", to_xml(ret)).replace("\n", "")
    xml.write_text(text.replace("?><expssda903>", "?>\n<expssda903>", 1))
    read = read_ssda903([xml])
    assert set(read.frames["looked_after_episodes"]["source_row"]) == {2}
    for name, frame in clean.frames.items():
        cols = [c for c in frame.columns if c not in ("source_file", "source_row")]
        assert natural(read.frames[name], cols) == natural(frame, cols), name


def test_problems_in_every_file_at_once(ret):
    (ret / "notes.csv").write_text("WHAT,WHEN\nx,y\n")
    set_cell(ret / "episodes.csv", "DECOM", 0, "32/01/2024")
    set_cell(ret / "header.csv", "SEX", 0, "X")
    ps = problems_of([ret])
    assert {(Path(p.file).name, p.field) for p in ps} == {("notes.csv", None), ("episodes.csv", "DECOM"),
                                                          ("header.csv", "SEX")}
