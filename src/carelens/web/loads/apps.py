from django.apps import AppConfig


class LoadsConfig(AppConfig):
    name = "carelens.web.loads"
    label = "loads"
    default_auto_field = "django.db.models.BigAutoField"
