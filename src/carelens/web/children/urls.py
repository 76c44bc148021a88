"""The children's pages (docs/web/children.md). Each has an entry in the permission matrix
(tests/web/matrix/children.py)."""

from django.urls import path

from carelens.web.children import views

app_name = "children"
urlpatterns = [
    path("list/<str:indicator_id>/", views.child_list, name="list"),
    path("list/<str:indicator_id>/children.csv", views.child_list_csv, name="list-csv"),
    path("list/<str:indicator_id>/children.xlsx", views.child_list_xlsx, name="list-xlsx"),
    path("journey/<str:la_code>/<str:person_id>/", views.journey, name="journey"),
]
