"""The dashboards: every role but the administrator (who is taken from the overview to the users page)."""

from carelens.web.accounts.roles import Role

from . import only

DASHBOARDS = (Role.ANALYST, Role.MANAGER, Role.AUDITOR, Role.COUNCILLOR)

ENTRIES = {
    "dashboards:overview": only(*DASHBOARDS).but(Role.ADMINISTRATOR, get=302),
    "dashboards:area": only(*DASHBOARDS, kwargs={"key": "cp_plans"}),
    "dashboards:indicator": only(*DASHBOARDS, kwargs={"indicator_id": "C8"}),
    "dashboards:indicator_breakdown": only(*DASHBOARDS, kwargs={"indicator_id": "C8", "by": "age_band"}),
    "dashboards:indicator_download": only(*DASHBOARDS, kwargs={"indicator_id": "C8", "fmt": "csv"}),
    # a planning tool: not for the councillor, who reads the published report's forecast section
    "dashboards:forecast": only(Role.ANALYST, Role.MANAGER, Role.AUDITOR),
}
