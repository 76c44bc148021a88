"""The children's pages on the small synthetic authority: who may see which children (on the server, for the list,
the journey and both downloads), the access log entry of every view, ids and list parameters tried in the URL,
and downloads equal to the rows behind the value."""

from __future__ import annotations

import datetime as dt
import io
import re

import polars as pl
import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from carelens.indicators.api import children_behind
from carelens.model.journey import child_journey, open_teams
from carelens.model.store import Store
from carelens.web.accounts.models import AccessLogEntry, AuditAllocation, User
from carelens.web.accounts.roles import Role
from web.matrix.children import ENTRIES, JOURNEY_CHILD

pytestmark = pytest.mark.django_db

LA = "890"
AS_AT = dt.date(2026, 3, 31)  # the store's latest complete month: what a list without as_at shows
PERIOD = "2026-03"


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """The users of each test are made with a fast hasher: these tests are about scope, not passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def behind(small_store_path):
    """children_behind's rows for the values these tests list, and who is open to what on AS_AT."""
    with Store(small_store_path, read_only=True) as store:
        got = {ind: children_behind(store, ind, as_at=AS_AT, period=PERIOD) for ind in ("C8", "A1", "D5")}
        got["open"] = open_teams(store, LA, None, AS_AT)
    return got


def _safeguarding(behind) -> set[str]:
    return set(behind["open"].filter(pl.col("service") == "SAFEGUARDING").get_column("child_id").to_list())


def _log() -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.order_by("id"))


@pytest.mark.parametrize("name", sorted(ENTRIES))
@pytest.mark.parametrize("role", ["analyst", "manager", "auditor", "councillor", "administrator", None])
def test_only_what_was_shown_is_logged_and_never_kept_by_a_browser(client_as, name, role):
    """The statuses are the permission matrix's (tests/web/test_permission_matrix.py); here, what each answer
    leaves behind: an access-log entry only for what was shown, and no page a browser or proxy may keep."""
    from django.urls import reverse as url_for

    entry = ENTRIES[name]
    url = url_for(name, kwargs=entry.kwargs)
    status = entry.expected[role or "anonymous"]["GET"]
    response = client_as(role).get(url)
    assert response.status_code == status, (name, role)
    if status == 302:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    if status == 200:
        assert "no-store" in response["Cache-Control"]
    assert AccessLogEntry.objects.count() == (1 if status == 200 else 0)


def test_the_matrix_s_journey_child_is_open_to_safeguarding(behind):
    assert JOURNEY_CHILD in _safeguarding(behind)


def test_an_analyst_s_list_shows_every_child_behind_the_value_and_is_logged(client_as, behind):
    response = client_as("analyst").get(reverse("children:list", args=["C8"]))
    assert response.status_code == 200
    expected = sorted(behind["C8"].filter(pl.col("numerator")).get_column("child_id").to_list())
    rows = response.context["rows"]
    assert [r["child_id"] for r in rows] == expected and len(expected) == 155
    assert response.context["found"].left_out == 0
    (entry,) = _log()
    assert (entry.action, entry.username, entry.role, entry.la_code) == ("child_list", "analyst", "analyst", LA)
    assert entry.child_ids == expected
    assert entry.list_description == "C8 Children on child protection plans: numerator, 2026-03 (as at 2026-03-31)"
    assert entry.filters == {"indicator": "C8", "as_at": "2026-03-31", "period": "2026-03", "breakdown": "all",
                             "part": "numerator", "page": 1, "left_out": 0}
    first = rows[0]
    assert first["journey"] == f"/children/journey/{LA}/{first['child_id']}/?as_at=2026-03-31"
    assert first["journey"] in response.content.decode()


def test_a_long_list_is_shown_a_page_at_a_time_each_page_logged(client_as, behind):
    ids = sorted(behind["A1"].get_column("child_id").unique().to_list())
    assert len(ids) > 200
    client = client_as("analyst")
    second = client.get(reverse("children:list", args=["A1"]), {"page": 2})
    assert [r["child_id"] for r in second.context["rows"]] == ids[200:400]
    assert _log()[-1].child_ids == ids[200:400] and _log()[-1].filters["page"] == 2
    assert client.get(reverse("children:list", args=["A1"]), {"page": 999}).status_code == 404


def test_a_manager_sees_only_children_open_to_their_service_area_and_is_told_how_many_are_left_out(
        client_as, behind):
    everyone = set(behind["A1"].get_column("child_id").to_list())
    mine = everyone & _safeguarding(behind)
    assert 0 < len(mine) < len(everyone)
    client = client_as("manager")
    response = client.get(reverse("children:list", args=["A1"]), {"page": 1})
    found = response.context["found"]
    assert set(found.child_ids) == mine
    assert found.left_out == len(everyone - mine)
    assert f"{len(everyone - mine)} children behind this value are" in response.content.decode()
    assert set(_log()[-1].child_ids) <= mine
    text = response.content.decode()
    assert not any(child in text for child in sorted(everyone - mine)[:50])
    csv = pl.read_csv(client.get(reverse("children:list-csv", args=["A1"])).content,
                      schema_overrides={"child_id": pl.String})
    assert set(csv.get_column("child_id").to_list()) == mine
    assert set(_log()[-1].child_ids) == mine and _log()[-1].action == "export"


def test_a_manager_of_one_team_sees_that_team_s_children(client_as, users, behind):
    User.objects.filter(pk=users["manager"].pk).update(service_area="", team_id="890-SAF2")
    everyone = set(behind["A1"].get_column("child_id").to_list())
    saf2 = set(behind["open"].filter(pl.col("team_id") == "890-SAF2").get_column("child_id").to_list())
    found = client_as("manager").get(reverse("children:list-csv", args=["A1"]))
    got = set(pl.read_csv(found.content, schema_overrides={"child_id": pl.String}).get_column("child_id"))
    assert got == everyone & saf2 and got < everyone & _safeguarding(behind)


def test_a_manager_with_no_service_area_or_team_sees_no_child(client_as, users):
    User.objects.filter(pk=users["manager"].pk).update(service_area="", team_id="")
    client = client_as("manager")
    response = client.get(reverse("children:list", args=["C8"]))
    assert response.context["rows"] == [] and response.context["found"].left_out == 155
    assert client.get(reverse("children:journey", args=[LA, JOURNEY_CHILD])).status_code == 404


def test_a_manager_s_journey_only_for_a_child_open_to_them_on_the_day(client_as, behind, small_store_path):
    client = client_as("manager")
    outside = sorted(set(behind["open"].get_column("child_id").to_list()) - _safeguarding(behind))[0]
    assert client.get(reverse("children:journey", args=[LA, JOURNEY_CHILD])).status_code == 200
    assert client.get(reverse("children:journey", args=[LA, outside])).status_code == 404
    # a child whose only safeguarding plan ended before the latest day: theirs on a day the plan was open
    with Store(small_store_path, read_only=True) as store:
        then = dt.date(2024, 6, 30)
        was_mine = set(open_teams(store, LA, None, then).filter(pl.col("service") == "SAFEGUARDING")
                       .get_column("child_id").to_list())
        now_mine = set(open_teams(store, LA, None, AS_AT).filter(pl.col("service") == "SAFEGUARDING")
                       .get_column("child_id").to_list())
    past = sorted(was_mine - now_mine)[0]
    url = reverse("children:journey", args=[LA, past])
    assert client.get(url).status_code == 404
    assert client.get(url, {"as_at": "2024-06-30"}).status_code == 200
    entries = _log()
    assert [(e.action, e.child_ids, e.filters) for e in entries] == [
        ("journey", [JOURNEY_CHILD], {"as_at": "2026-03-31"}), ("journey", [past], {"as_at": "2024-06-30"})]


def test_an_auditor_sees_only_the_children_allocated_to_them(client_as, users, behind):
    c8 = sorted(behind["C8"].get_column("child_id").to_list())
    allocated, other = c8[3], c8[4]
    AuditAllocation.objects.create(auditor=users["auditor"], la_code=LA, person_id=allocated,
                                   allocated_by=users["administrator"])
    AuditAllocation.objects.create(auditor=users["auditor"], la_code="999", person_id=other,
                                   allocated_by=users["administrator"])  # another authority's: not this one
    client = client_as("auditor")
    listed = client.get(reverse("children:list", args=["C8"]))
    assert [r["child_id"] for r in listed.context["rows"]] == [allocated]
    assert listed.context["found"].left_out == len(c8) - 1
    assert client.get(reverse("children:journey", args=[LA, allocated])).status_code == 200
    assert client.get(reverse("children:journey", args=[LA, other])).status_code == 404
    book = pl.read_excel(io.BytesIO(client.get(reverse("children:list-xlsx", args=["C8"])).content),
                         sheet_name="Children")
    assert book.get_column("child_id").cast(pl.String).to_list() == [allocated]
    assert [(e.action, e.child_ids) for e in _log()] == [
        ("child_list", [allocated]), ("journey", [allocated]), ("export", [allocated])]


def test_ids_and_parameters_tried_in_the_url_show_no_child_outside_scope(client_as, behind):
    analyst, manager = client_as("analyst"), None
    # a child that does not exist and one of another authority: the same 404 as a child not in scope
    assert analyst.get(reverse("children:journey", args=[LA, "8909999999"])).status_code == 404
    assert analyst.get(reverse("children:journey", args=["999", JOURNEY_CHILD])).status_code == 404
    manager = client_as("manager")
    outside = sorted(set(behind["open"].get_column("child_id").to_list()) - _safeguarding(behind))[0]
    not_found = manager.get(reverse("children:journey", args=[LA, "8909999999"]))
    not_theirs = manager.get(reverse("children:journey", args=[LA, outside]))
    assert not_found.status_code == not_theirs.status_code == 404
    # nothing tells the two apart (but each response's own CSP nonce and masked CSRF token)
    unsigned = [re.sub(rb'(nonce|value)="[^"]*"', b"", r.content) for r in (not_found, not_theirs)]
    assert unsigned[0] == unsigned[1]
    # asking for another team's group: their children are still left out
    other_team = manager.get(reverse("children:list", args=["A1"]), {"breakdown": "team", "group": "890-CHI1"})
    assert other_team.status_code == 200
    ids = set(other_team.context["found"].child_ids)
    assert ids <= _safeguarding(behind)
    # parameters that are not what they should be: refused, nothing shown
    url = reverse("children:list", args=["C8"])
    for bad in ({"as_at": "yesterday"}, {"part": "everything"}, {"period": "1999-01"}, {"breakdown": "colour"},
                {"group": "890-SAF1"}):
        assert manager.get(url, bad).status_code == 400, bad
    assert manager.get(reverse("children:list", args=["NOPE"])).status_code == 404
    assert manager.get(reverse("children:list", args=["G1"])).status_code == 404  # counts workers, not children
    assert manager.get(reverse("children:journey", args=[LA, JOURNEY_CHILD]), {"as_at": "x"}).status_code == 400
    assert [e.action for e in _log()] == ["child_list"]


def test_numerator_and_denominator_lists(client_as, behind):
    client = client_as("analyst")
    url = reverse("children:list-csv", args=["D5"])
    numerator = pl.read_csv(client.get(url, {"part": "numerator"}).content, schema_overrides={"child_id": pl.String})
    denominator = pl.read_csv(client.get(url, {"part": "denominator"}).content,
                              schema_overrides={"child_id": pl.String})
    rows = behind["D5"]
    assert sorted(numerator.get_column("child_id")) == sorted(rows.filter(pl.col("numerator"))["child_id"])
    assert sorted(denominator.get_column("child_id")) == sorted(rows["child_id"])
    assert 0 < numerator.height < denominator.height


def test_the_downloads_hold_the_rows_behind_the_value(client_as, behind, small_store_path):
    client = client_as("analyst")
    expected = behind["C8"].filter(pl.col("numerator")).sort("child_id", "counting_day")
    columns = expected.columns
    response = client.get(reverse("children:list-csv", args=["C8"]))
    assert response["Content-Disposition"] == 'attachment; filename="children-C8-2026-03-numerator.csv"'
    csv = pl.read_csv(response.content, schema_overrides={"child_id": pl.String}, try_parse_dates=True)
    assert csv.select(columns).cast(expected.schema).equals(expected)
    book = pl.read_excel(io.BytesIO(client.get(reverse("children:list-xlsx", args=["C8"])).content),
                         sheet_name="Children")
    book = book.with_columns(pl.col("child_id").cast(pl.String), pl.col("counting_day").cast(pl.Date))
    assert book.select(columns).cast(expected.schema).equals(expected)
    # the key dates beside each child, checked against the store's own rows for one of them
    child = expected.row(0, named=True)["child_id"]
    with Store(small_store_path, read_only=True) as store:
        born, plan = store.sql("SELECT p.date_of_birth, c.start_date FROM person p JOIN cp_plans c USING (child_id) "
                               "WHERE p.child_id = ? AND c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)",
                               [child, AS_AT, AS_AT])[0]
    got = csv.filter(pl.col("child_id") == child).row(0, named=True)
    assert (got["date_of_birth"], got["cp_plan_start"]) == (born, plan)
    about = pl.read_excel(io.BytesIO(client.get(reverse("children:list-xlsx", args=["C8"])).content),
                          sheet_name="About", has_header=False)
    said = dict(about.rows())
    assert said["Downloaded by"] == "analyst" and said["Rows"] == "155" and "OFFICIAL-SENSITIVE" in said["Handling"]
    assert [(e.action, e.filters["format"], len(e.child_ids)) for e in _log()] == [
        ("export", "csv", 155), ("export", "xlsx", 155), ("export", "xlsx", 155)]


def test_the_journey_page_shows_the_summary_and_every_event_with_its_source(client_as, small_store_path):
    response = client_as("analyst").get(reverse("children:journey", args=[LA, JOURNEY_CHILD]))
    with Store(small_store_path, read_only=True) as store:
        events = child_journey(store, LA, JOURNEY_CHILD)
    assert response.context["events"] == list(events.iter_rows(named=True))
    summary = response.context["summary"]
    assert summary.day == AS_AT and "Child protection plan" in summary.status
    text = response.content.decode()
    assert text.count('<tr class="govuk-table__row">') == events.height + 1  # the header row, then each event
    assert "synthetic:coastal-high-demand" in text and "Child protection plan started" in text
    (entry,) = _log()
    assert (entry.action, entry.child_ids, entry.path) == (
        "journey", [JOURNEY_CHILD], f"/children/journey/{LA}/{JOURNEY_CHILD}/")


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.ADMINISTRATOR])
def test_roles_without_child_level_data_are_refused_whatever_the_parameters(client_as, role):
    client = client_as(role.value)
    for url in (reverse("children:list", args=["NOPE"]), reverse("children:journey", args=["999", "x"]),
                reverse("children:list-csv", args=["C8"]) + "?part=everything"):
        assert client.get(url).status_code == 403  # refused before anything is looked up
    assert AccessLogEntry.objects.count() == 0


def test_a_window_other_than_the_month(client_as, small_store_path):
    with Store(small_store_path, read_only=True) as store:
        expected = children_behind(store, "C2", as_at=AS_AT, period="3 months to 2026-03-31")
    response = client_as("analyst").get(reverse("children:list", args=["C2"]),
                                        {"period": "3 months to 2026-03-31", "part": "denominator"})
    assert response.status_code == 200
    assert response.context["row_count"] == expected.height > 0
    assert _log()[0].filters["period"] == "3 months to 2026-03-31"


def test_a_text_cell_is_never_a_formula_in_either_download():
    from carelens.indicators.api import definition
    from carelens.web.children.exports import list_csv, list_xlsx
    from carelens.web.children.lists import ChildList, ListQuery

    rows = pl.DataFrame({"child_id": ["C1", "C2"], "group": ["=HYPERLINK(\"http://x\")", "-1+1"],
                         "counting_day": [AS_AT, AS_AT]})
    found = ChildList(ListQuery(definition("C8"), AS_AT, PERIOD), rows, tuple(rows.columns), 0)
    csv = list_csv(found).decode("utf-8-sig")
    assert csv.splitlines() == ["child_id,group,counting_day", "C1,\"'=HYPERLINK(\"\"http://x\"\")\",2026-03-31",
                                "C2,'-1+1,2026-03-31"]
    book = pl.read_excel(io.BytesIO(list_xlsx(found, downloaded_by="a", at=dt.datetime(2026, 4, 1))),
                         sheet_name="Children")
    assert book.get_column("group").to_list() == ["=HYPERLINK(\"http://x\")", "-1+1"]  # kept as text
