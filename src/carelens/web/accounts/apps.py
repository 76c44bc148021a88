from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carelens.web.accounts"
    label = "accounts"
    verbose_name = "Users, roles and the access log"
    default_auto_field = "django.db.models.BigAutoField"
