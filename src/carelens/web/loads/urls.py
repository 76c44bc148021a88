from django.urls import path

app_name = "loads"
urlpatterns: list = []
