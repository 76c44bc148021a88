"""Signing in and out, one's own password, and the administrators' pages (users, audit allocations, the access
log). Each has an entry in tests/web/matrix/accounts.py."""

from django.urls import path

from carelens.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/changed/", views.PasswordChangedView.as_view(), name="password-changed"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("users/<int:pk>/password/", views.user_password, name="user-password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("allocations/", views.allocations, name="allocations"),
    path("allocations/<int:pk>/remove/", views.allocation_remove, name="allocation-remove"),
    path("access-log/", views.access_log, name="access-log"),
    path("access-log.csv", views.access_log_csv, name="access-log-csv"),
]
