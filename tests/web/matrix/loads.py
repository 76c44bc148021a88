"""The loads app: every page is an analyst's (loading data changes what everyone sees). Starting a load is a POST
(with no data: the form again, with its errors, 200); a load's page and its problems (child-level data, each
view recorded) answer GET only; its progress is an htmx fragment."""

from carelens.web.accounts.roles import Role
from carelens.web.background import Status
from carelens.web.loads.models import Load, LoadProblem

from . import only


def a_load(ctx):
    load = Load.objects.create(requested_by=ctx.users["analyst"], status=Status.FAILED, problem_count=1,
                               failure="1 problem found in the files: nothing was stored")
    LoadProblem.objects.create(load=load, position=0, file="upload/episodes.csv", location="row 2", field="DECOM",
                               value="31/13/2024", expected="a real date written DD/MM/YYYY", child="MATRIX1")
    return {"pk": load.pk}


ENTRIES = {
    "loads:index": only(Role.ANALYST),
    "loads:start": only(Role.ANALYST, get=405, post=200),
    "loads:load": only(Role.ANALYST, head=405, kwargs=a_load),
    "loads:progress": only(Role.ANALYST, htmx=True, kwargs=a_load),
    "loads:problems-csv": only(Role.ANALYST, head=405, kwargs=a_load),
}
