"""Django settings for the CareLens web application, from the environment.

- ``CARELENS_STORE``: the child-journey store to read (a DuckDB file).
- ``DATABASE_URL``: the app's own database (users, roles, access log); default SQLite beside the store's folder
  in ``CARELENS_DATA`` (default ``./carelens-web``).
- ``CARELENS_SECRET_KEY``, ``CARELENS_DEBUG`` (``1`` only for development), ``CARELENS_ALLOWED_HOSTS``
  (comma-separated), ``CARELENS_HTTPS`` (``1`` behind an HTTPS proxy: secure cookies, HSTS).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CARELENS_DATA", "carelens-web")).resolve()
STORE = os.environ.get("CARELENS_STORE", "")

SECRET_KEY = os.environ.get("CARELENS_SECRET_KEY", "development-only-not-secret-" + "x" * 24)
DEBUG = os.environ.get("CARELENS_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CARELENS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]
HTTPS = os.environ.get("CARELENS_HTTPS", "") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "carelens.web.accounts",
    "carelens.web.dashboards",
    "carelens.web.children",
    "carelens.web.loads",
    "carelens.web.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTH_USER_MODEL = "accounts.User"
ROOT_URLCONF = "carelens.web.urls"
WSGI_APPLICATION = "carelens.web.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [PACKAGE / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
# the front end's template tags, {% load charts %} … (carelens.web is not an installed app: they are named here)
TEMPLATES[0]["OPTIONS"]["libraries"] = {name: f"carelens.web.templatetags.{name}"
                                        for name in ("charts", "navigation", "numbers")}

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{DATA / 'carelens-web.sqlite3'}",
                                               conn_max_age=60)}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE / "static"]
STATIC_ROOT = DATA / "static"
STORAGES = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
