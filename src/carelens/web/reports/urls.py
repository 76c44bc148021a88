"""The reports' pages (docs/web/reports.md). Each has an entry in the permission matrix
(tests/web/matrix/reports.py)."""

from django.urls import path

from carelens.web.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/narrative/", views.narrative, name="narrative"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/download/<str:fmt>/", views.download, name="download"),
]
