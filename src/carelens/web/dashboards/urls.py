from django.urls import path  # noqa: F401

app_name = "dashboards"
# the overview, area and indicator pages (views.py) are wired in when their templates land
urlpatterns: list = []
