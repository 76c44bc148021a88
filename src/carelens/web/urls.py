"""Every page of the web app, by capability. Each URL has an entry in the permission matrix
(tests/web/test_permission_matrix.py): a URL without one fails the test."""

from django.urls import include, path

urlpatterns = [
    path("", include("carelens.web.dashboards.urls")),
    path("accounts/", include("carelens.web.accounts.urls")),
    path("children/", include("carelens.web.children.urls")),
    path("loads/", include("carelens.web.loads.urls")),
    path("reports/", include("carelens.web.reports.urls")),
]
