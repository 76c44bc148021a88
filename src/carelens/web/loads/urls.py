"""The data loads pages (docs/web/loads.md). Each has an entry in the permission matrix
(tests/web/matrix/loads.py)."""

from django.urls import path

from carelens.web.loads import views

app_name = "loads"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.load_page, name="load"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/problems.csv", views.problems_csv, name="problems-csv"),
]
