from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "carelens.web.children"
    label = "children"
    default_auto_field = "django.db.models.BigAutoField"
