"""Tests for the versioned code lists (carelens.model.code_lists).

Three kinds of check:

* hand-checked expectations for the year changes that matter most;
* every list compared, year by year, with the statutory specs it is written from
  (the CIN census XSDs 2017–2026, and the SSDA903 spec YAML with its diffs applied
  in order);
* the loader's own checks, the store declaration and the generated documentation.
"""

from __future__ import annotations

import copy
import datetime
import os
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from carelens.model import code_lists as cl
from carelens.model.code_lists import CodeListError, parse_code_list
from carelens.model.tables import TABLES

REPO = Path(__file__).resolve().parents[2]
from shared_material import SPECS as _SHARED_SPECS

SPECS = Path(os.environ.get("CARELENS_SPECS_DIR", str(_SHARED_SPECS)))
needs_specs = pytest.mark.skipif(not SPECS.is_dir(), reason=f"statutory specs not found at {SPECS}")
YEARS = list(range(2017, 2027))


def _norm(label: str) -> str:
    """Compare labels ignoring case, punctuation and spacing."""
    return re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()


# ------------------------------------------------------------ hand-checked changes


def test_sex_is_m_f_u_in_every_year():
    for year in YEARS:
        assert set(cl.codes("sex", year)) == {"M", "F", "U"}
    assert cl.codes("sex", 2025) == {"M": "Male", "F": "Female", "U": "Unknown"}


def test_pre_2025_sex_codes_end_in_2024():
    assert set(cl.codes("cin_gender_pre2025", 2024)) == {"1", "2", "0", "9"}
    assert cl.codes("cin_gender_pre2025", 2025) == {}
    assert set(cl.codes("ssda903_sex_pre2025", 2017)) == {"1", "2"}
    assert cl.codes("ssda903_sex_pre2025", 2025) == {}


def test_placement_types_change_in_2025_and_2026():
    for code in ("P2", "H5"):
        assert cl.is_valid("placement_type", code, 2024)
        assert not cl.is_valid("placement_type", code, 2025)
        assert not cl.is_valid("placement_type", code, 2026)
    assert not cl.is_valid("placement_type", "K3", 2024)
    assert cl.is_valid("placement_type", "K3", 2025)
    assert cl.is_valid("placement_type", "K3", 2026)
    for code in ("Z11", "Z12", "Z13", "Z14"):
        assert [y for y in YEARS if cl.is_valid("placement_type", code, y)] == [2026]
    assert cl.is_valid("placement_type", "Z1", 2026)
    assert len(cl.codes("placement_type", 2024)) == 27
    assert len(cl.codes("placement_type", 2025)) == 26
    assert len(cl.codes("placement_type", 2026)) == 30


def test_reason_episode_ceased_sgo_codes_split_in_2019():
    for code in ("E45", "E46", "E47", "E48"):
        assert not cl.is_valid("reason_episode_ceased", code, 2018)
        assert all(cl.is_valid("reason_episode_ceased", code, y) for y in range(2019, 2027))
    for code in ("E43", "E44"):
        assert cl.is_valid("reason_episode_ceased", code, 2018)
        assert not cl.is_valid("reason_episode_ceased", code, 2019)
    # E41 (residence / child arrangements order) is not one of the SGO codes: the 2019
    # diff keeps it, so it stays valid in every year.
    assert all(cl.is_valid("reason_episode_ceased", "E41", y) for y in YEARS)


def test_custody_reason_for_placement_change_from_2019():
    assert not cl.is_valid("reason_place_change", "CUSTOD", 2018)
    assert cl.is_valid("reason_place_change", "CUSTOD", 2019)


def test_care_leaver_activity_apprenticeship_split_2022():
    assert cl.is_valid("care_leaver_activity", "F3", 2021)
    assert not cl.is_valid("care_leaver_activity", "F3", 2022)
    assert not cl.is_valid("care_leaver_activity", "P5", 2021)
    assert set(cl.codes("care_leaver_activity", 2022)) == {
        "F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"}


def test_cin_changes():
    assert not cl.is_valid("referral_source", "5D", 2022)
    assert cl.is_valid("referral_source", "5D", 2023)
    assert not cl.is_valid("cin_closure_reason", "RC9", 2022)
    assert set(cl.codes("cin_closure_reason", 2023)) == {f"RC{i}" for i in range(1, 10)}
    assert cl.is_valid("assessment_factor", "18A", 2020)
    assert not cl.is_valid("assessment_factor", "18A", 2021)
    assert cl.is_valid("assessment_factor", "18B", 2021)
    assert not cl.is_valid("assessment_factor", "24A", 2021)
    assert cl.is_valid("assessment_factor", "24A", 2022)
    assert cl.codes("cin_primary_need", 2025)["N1"] == "Abuse or neglect"
    assert cl.codes("cin_primary_need", 2026)["N1"] == "Abuse, neglect and exploitation"


def test_social_worker_change_reasons_start_2024():
    assert cl.codes("social_worker_change_reason", 2023) == {}
    assert len(cl.codes("social_worker_change_reason", 2024)) == 10


def test_care_leaver_accommodation_codes():
    accom = cl.codes("care_leaver_accommodation", 2025)
    letters = "BCDEGHKRSTUVWXYZ"
    assert set(accom) == {f"{x}{n}" for x in letters for n in "12"} | {"0"}
    assert accom["B1"].endswith("suitable") and accom["B2"].endswith("unsuitable")


def test_previous_permanence_p4_unknown_z1_none():
    labels = cl.codes("previous_permanence_option", 2025)
    assert "not known" in labels["P4"].lower()
    assert "not previously" in labels["Z1"].lower()


def test_local_lists_match_store_descriptions():
    assert set(cl.codes("contact_outcome", 2025)) == {
        "REFERRAL", "EARLY_HELP", "INFORMATION_ADVICE", "NFA", "NOT_RECORDED"}
    assert set(cl.codes("s47_outcome", 2025)) == {"ICPC", "CIN_PLAN", "NFA"}
    assert set(cl.codes("cp_plan_end_reason", 2017)) == {
        "STEP_DOWN_CIN", "CLOSED", "LOOKED_AFTER", "TRANSFERRED_OUT", "AGED_18"}
    assert set(cl.codes("early_help_end_reason", 2020)) == {
        "COMPLETED", "STEP_UP", "DISENGAGED", "MOVED", "AGED_OUT"}
    assert set(cl.codes("health_check_type", 2026)) == {"HEALTH_ASSESSMENT", "DENTAL", "DEVELOPMENTAL"}
    assert set(cl.codes("permanence_order_type", 2026)) == {"ADOPTION", "SGO"}
    assert set(cl.codes("care_leaver_eligibility", 2026)) == {"ELIGIBLE", "RELEVANT", "FORMER_RELEVANT"}
    assert set(cl.codes("team_service", 2026)) == {
        "FRONT_DOOR", "ASSESSMENT", "SAFEGUARDING", "CHILDREN_IN_CARE", "PERMANENCE", "LEAVING_CARE",
        "EARLY_HELP"}
    assert set(cl.codes("worker_role", 2026)) == {
        "SOCIAL_WORKER", "SENIOR_PRACTITIONER", "TEAM_MANAGER", "PERSONAL_ADVISER",
        "EARLY_HELP_PRACTITIONER"}
    for name in ("contact_outcome", "team_service", "worker_role", "permanence_order_type"):
        assert cl.code_list(name).is_local
        assert "CareLens local list" in cl.code_list(name).source


# ---------------------------------------------------------------------- the API


def test_collection_year():
    assert cl.collection_year(datetime.date(2024, 4, 1)) == 2025
    assert cl.collection_year(datetime.date(2025, 3, 31)) == 2025
    assert cl.collection_year(datetime.date(2024, 3, 31)) == 2024
    assert cl.collection_year(datetime.date(2024, 12, 31)) == 2025
    assert cl.collection_year(datetime.datetime(2025, 4, 1, 9, 30)) == 2026


def test_unknown_list_and_year_raise_clear_errors():
    with pytest.raises(KeyError, match="no_such_list"):
        cl.codes("no_such_list", 2025)
    with pytest.raises(KeyError, match="no_such_list"):
        cl.is_valid("no_such_list", "X", 2025)
    with pytest.raises(ValueError, match=r"placement_type.*2016"):
        cl.codes("placement_type", 2016)
    with pytest.raises(ValueError, match=r"placement_type.*2027"):
        cl.is_valid("placement_type", "K3", 2027)
    with pytest.raises(TypeError):
        cl.codes("placement_type", "2025")


def test_is_valid_edge_cases():
    assert not cl.is_valid("legal_status", None, 2025)
    assert not cl.is_valid("legal_status", "c1", 2025)  # codes are case-sensitive
    assert cl.is_valid("legal_status", "C1", 2025)


def test_code_list_object():
    pt = cl.code_list("placement_type")
    assert pt.name == "placement_type"
    k3 = pt.entry("K3")
    assert (k3.valid_from, k3.valid_to) == (2025, None)
    p2 = pt.entry("P2")
    assert (p2.valid_from, p2.valid_to) == (2017, 2024)
    with pytest.raises(Exception):
        pt.name = "x"  # frozen
    assert (2025, ("K3",), ("H5", "P2")) in pt.changes()
    with pytest.raises(KeyError, match="QQ"):
        pt.entry("QQ")


def test_codes_returns_a_fresh_dict():
    d = cl.codes("sex", 2025)
    d["X"] = "changed"
    assert "X" not in cl.codes("sex", 2025)


def test_every_code_has_a_label_and_valid_years():
    for name in cl.all_code_lists():
        lst = cl.code_list(name)
        assert lst.description and lst.source
        for e in lst.entries:
            assert e.label.strip()
            assert 2017 <= e.valid_from <= e.last_year <= 2026
        # every list has codes in at least one year
        assert any(lst.codes(y) for y in YEARS), name


# ------------------------------------------------------------- the store declaration


def test_every_code_list_named_in_tables_exists():
    named = {c.code_list for t in TABLES for c in t.columns if c.code_list}
    available = set(cl.all_code_lists())
    assert named - available == set()
    # the only lists no column names are the helpers for writing pre-2025 sex codes
    assert available - named == {"cin_gender_pre2025", "ssda903_sex_pre2025"}


def test_data_files_are_package_resources():
    folder = resources.files("carelens.model").joinpath("code_lists")
    names = sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert names == cl.all_code_lists()


# -------------------------------------------------------- comparison with the specs


@needs_specs
def test_spec_files_named_by_the_lists_exist():
    for name in cl.all_code_lists():
        for spec in cl.code_list(name).specs:
            for year in range(spec.first_year, spec.last_year + 1):
                path = SPECS / spec.file.format(year=year)
                assert path.is_file(), f"{name}: {path} is missing"


XS = "{http://www.w3.org/2001/XMLSchema}"
# CIN XSD simple type -> CareLens list
CIN_TYPES = {
    "referralsourcetype": "referral_source",
    "primaryneedcodetype": "cin_primary_need",
    "reasonforclosuretype": "cin_closure_reason",
    "categoryofabusetype": "category_of_abuse",
    "disabilitytype": "disability",
    "assessmentfactorstype": "assessment_factor",
    "unknownupntype": "upn_unknown",
    "ethnicitytype": "ethnicity",
    "gendertype": "cin_gender_pre2025",  # GenderCurrent, to 2024
    "sextype": "sex",  # Sex, from 2025
}
# The liia-tools-pipeline copies of the schemas keep some codes the DfE removed, and say
# so in an appinfo annotation; CareLens follows the official DfE list.
RETAINED = "Retained despite official schema change"


def _xsd_enumerations(year: int) -> dict[str, dict[str, str | None]]:
    from lxml import etree

    doc = etree.parse(str(SPECS / "cin-census" / f"CIN_schema_{year}.xsd"))
    out: dict[str, dict[str, str | None]] = {}
    for st in doc.iter(XS + "simpleType"):
        name = st.get("name")
        if name not in CIN_TYPES:
            continue
        values = out.setdefault(name, {})
        for en in st.iter(XS + "enumeration"):
            appinfo = en.find(f"{XS}annotation/{XS}appinfo")
            if appinfo is not None and RETAINED in (appinfo.text or ""):
                continue
            doc_el = en.find(f"{XS}annotation/{XS}documentation")
            values[en.get("value")] = doc_el.text if doc_el is not None else None
    return out


@needs_specs
@pytest.mark.parametrize("year", YEARS)
def test_cin_lists_match_the_xsd_of_each_year(year):
    enums = _xsd_enumerations(year)
    for typename, list_name in CIN_TYPES.items():
        ours = cl.codes(list_name, year)
        theirs = enums.get(typename)
        if theirs is None:  # type not in this year's schema (gendertype from 2025, sextype before)
            if list_name == "sex":
                assert set(ours) == {"M", "F", "U"}  # canonical in every year
            else:
                assert ours == {}, f"{list_name} should have no codes in {year}"
            continue
        assert set(ours) == set(theirs), f"{list_name} {year}: {set(ours) ^ set(theirs)}"
        for code, label in theirs.items():
            if label:  # the schemas give labels for every type but unknownupntype
                assert _norm(ours[code]) == _norm(label), f"{list_name} {year} {code}"


@needs_specs
def test_retained_xsd_codes_are_the_only_ones_excluded():
    """18A/19A are the codes the spec copies mark as kept against the DfE schema."""
    from lxml import etree

    doc = etree.parse(str(SPECS / "cin-census" / "CIN_schema_2026.xsd"))
    retained = {en.get("value") for en in doc.iter(XS + "enumeration")
                if (a := en.find(f"{XS}annotation/{XS}appinfo")) is not None and RETAINED in (a.text or "")}
    assert retained == {"18A", "19A"}
    assert not any(cl.is_valid("assessment_factor", c, 2026) for c in retained)


def _set_path(doc: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    node = doc
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value


def _ssda903_specs() -> dict[int, dict]:
    """Each year's 903 spec: the 2017 YAML with every diff up to that year applied in order."""
    spec = yaml.safe_load((SPECS / "ssda903" / "SSDA903_schema_2017.yml").read_text())
    by_year = {}
    for year in YEARS:
        diff_file = SPECS / "ssda903" / f"SSDA903_schema_{year}.diff.yml"
        if diff_file.exists():
            spec = copy.deepcopy(spec)
            for path, change in yaml.safe_load(diff_file.read_text()).items():
                assert change["type"] in ("add", "modify"), change["type"]
                _set_path(spec, path, change["value"])
        by_year[year] = spec
    return by_year


# (table, field) of the 903 spec -> CareLens list, and codes the list adds on purpose
SSDA903_FIELDS = {
    ("episodes", "RNE"): ("reason_new_episode", set()),
    ("episodes", "LS"): ("legal_status", set()),
    ("episodes", "CIN"): ("cin_primary_need", {"N0", "N9"}),  # CIN census codes, not 903
    ("episodes", "PLACE"): ("placement_type", set()),
    ("episodes", "PLACE_PROVIDER"): ("placement_provider", set()),
    ("episodes", "REC"): ("reason_episode_ceased", set()),
    ("episodes", "REASON_PLACE_CHANGE"): ("reason_place_change", set()),
    ("header", "ETHNIC"): ("ethnicity", set()),
    ("missing", "MISSING"): ("missing_type", set()),
    ("oc2", "SDQ_REASON"): ("sdq_reason", set()),
    ("oc3", "IN_TOUCH"): ("care_leaver_in_touch", set()),
    ("oc3", "ACTIV"): ("care_leaver_activity", set()),
    ("oc3", "ACCOM"): ("care_leaver_accommodation", set()),
    # E11/E12 (adopted) come from the DfE guidance; the spec YAML lists only RD1–RD4
    ("placed_adoption", "REASON_PLACED_CEASED"): ("reason_placed_ceased", {"E11", "E12"}),
    ("prev_perm", "PREV_PERM"): ("previous_permanence_option", set()),
    ("reviews", "REVIEW_CODE"): ("review_participation", set()),
    ("ad1", "SEX_ADOPTR"): ("adopter_sex", set()),
    ("ad1", "LS_ADOPTR"): ("adopter_legal_status", set()),
    ("social_worker", "SW_REASON"): ("social_worker_change_reason", set()),
}


@pytest.fixture(scope="module")
def ssda903_specs():
    if not SPECS.is_dir():
        pytest.skip(f"statutory specs not found at {SPECS}")
    return _ssda903_specs()


def _categories(spec: dict, table: str, field: str) -> dict[str, object] | None:
    column = spec["column_map"].get(table, {}).get(field)
    if column is None:
        return None
    return {item["code"]: item.get("name") for item in column["category"]}


@pytest.mark.parametrize("year", YEARS)
def test_ssda903_lists_match_the_spec_of_each_year(ssda903_specs, year):
    spec = ssda903_specs[year]
    for (table, field), (list_name, extras) in SSDA903_FIELDS.items():
        ours = set(cl.codes(list_name, year))
        theirs = _categories(spec, table, field)
        if theirs is None:  # table not in this year's return (social_worker before 2024)
            assert ours == set(), f"{list_name} should have no codes in {year}"
            continue
        assert set(theirs) <= ours, f"{list_name} {year}: missing {set(theirs) - ours}"
        assert ours - set(theirs) == extras, f"{list_name} {year}: extra {ours - set(theirs) - extras}"


@pytest.mark.parametrize("year", YEARS)
def test_ssda903_sex_matches_the_spec_of_each_year(ssda903_specs, year):
    spec = ssda903_specs[year]
    list_name = "sex" if year >= 2025 else "ssda903_sex_pre2025"
    ours = cl.codes(list_name, year)
    for table in ("header", "uasc"):
        theirs = _categories(spec, table, "SEX")
        assert set(theirs) == set(ours), f"{table}.SEX {year}"
        for code, name in theirs.items():
            label = name[0] if isinstance(name, list) else name
            assert _norm(ours[code]) == _norm(label)


def test_ssda903_ethnicity_labels(ssda903_specs):
    for code, name in _categories(ssda903_specs[2026], "header", "ETHNIC").items():
        assert _norm(cl.codes("ethnicity", 2026)[code]) == _norm(name)


def test_every_spec_list_is_compared_with_its_spec():
    compared = set(CIN_TYPES.values()) | {v[0] for v in SSDA903_FIELDS.values()} | {"ssda903_sex_pre2025"}
    from_specs = {n for n in cl.all_code_lists() if not cl.code_list(n).is_local}
    assert from_specs == compared


# -------------------------------------------------------------- the loader's checks

GOOD = """\
name: demo
description: A demo list.
source: CareLens local list
codes:
  - code: A
    label: Alpha
  - code: B
    label: Beta
    valid_from: 2019
    valid_to: 2024
    earlier_labels:
      - {label: Old beta, until: 2020}
"""


def test_parse_good_file():
    lst = parse_code_list(GOOD, "code_lists/demo.yaml")
    assert lst.codes(2018) == {"A": "Alpha"}
    assert lst.codes(2020) == {"A": "Alpha", "B": "Old beta"}
    assert lst.codes(2021) == {"A": "Alpha", "B": "Beta"}
    assert lst.codes(2025) == {"A": "Alpha"}


@pytest.mark.parametrize(
    "broken, message",
    [
        (GOOD.replace("description: A demo list.\n", ""), "missing required key.*description"),
        (GOOD.replace("source: CareLens local list\n", ""), "missing required key.*source"),
        (GOOD.replace("name: demo", "name: other"), "does not match the file name"),
        (GOOD.replace("code: B", "code: A"), "duplicate code 'A'"),
        (GOOD.replace("valid_to: 2024", "valid_to: 2018"), "valid_from 2019 is after valid_to 2018"),
        (GOOD.replace("valid_to: 2024", "valid_to: 2030"), "outside the covered years"),
        (GOOD.replace("code: A", "code: NO"), "quote codes"),
        (GOOD.replace("code: A", "code: 0"), "quote codes"),
        (GOOD.replace("valid_from: 2019", "valid_form: 2019"), "unknown key.*valid_form"),
        (GOOD.replace("label: Alpha", "label: ''"), "label must be a non-empty string"),
        (GOOD.replace("until: 2020", "until: 2024"), "earlier_labels"),
        (GOOD.replace("codes:", "codez:"), "unknown key"),
        ("name: demo\ndescription: d\nsource: s\ncodes: []\n", "codes must be a non-empty list"),
        ("name: [unclosed", "not valid YAML"),
    ],
)
def test_parse_rejects_bad_files_naming_the_file(broken, message):
    with pytest.raises(CodeListError, match=message) as err:
        parse_code_list(broken, "code_lists/demo.yaml")
    assert "code_lists/demo.yaml" in str(err.value)


# ------------------------------------------------------------------- documentation

BEGIN = "<!-- BEGIN GENERATED: python -m carelens.model.code_lists --markdown -->"
END = "<!-- END GENERATED -->"


def test_docs_are_up_to_date():
    doc = (REPO / "docs" / "code-lists.md").read_text(encoding="utf-8")
    assert BEGIN in doc and END in doc
    generated = doc.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated.strip() == cl.markdown().strip(), (
        "docs/code-lists.md is out of date: regenerate the block with "
        "`uv run python -m carelens.model.code_lists --markdown`")


def test_cli_markdown(capsys):
    assert cl.main(["--markdown"]) == 0
    assert capsys.readouterr().out == cl.markdown()
    assert cl.main(["--list", "sex"]) == 0
    assert "M\t2017–2026\tMale" in capsys.readouterr().out
