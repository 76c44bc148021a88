from django.urls import path

from carelens.web.dashboards import forecast, views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("areas/<slug:key>/", views.area, name="area"),
    path("indicators/<str:indicator_id>/", views.indicator, name="indicator"),
    path("indicators/<str:indicator_id>/by/<slug:by>/", views.indicator_breakdown, name="indicator_breakdown"),
    path("indicators/<str:indicator_id>/download.<str:fmt>", views.indicator_download, name="indicator_download"),
    path("forecast/", forecast.forecast, name="forecast"),
]
