"""Django settings for the CareLens web application, from the environment.

- ``CARELENS_STORE``: the child-journey store to read (a DuckDB file).
- ``DATABASE_URL``: the app's own database (users, roles, access log); default SQLite beside the store's folder
  in ``CARELENS_DATA`` (default ``./carelens-web``).
- ``CARELENS_SECRET_KEY``, ``CARELENS_DEBUG`` (``1`` only for development), ``CARELENS_ALLOWED_HOSTS``
  (comma-separated), ``CARELENS_HTTPS`` (``1`` behind an HTTPS proxy: secure cookies, HSTS).
- ``CARELENS_ALLOW_HTTP`` (``1``: plain HTTP accepted in production, e.g. loopback on one laptop),
  ``CARELENS_TRUSTED_PROXY`` (``1``: the client address is the proxy's X-Forwarded-For first hop).
- ``CARELENS_UPLOAD_LIMIT_MB``: the largest upload of returns a data load accepts (default 500).
- ``CARELENS_SCENARIOS``: the forecast page's scenarios file (YAML, docs/forecast/scenarios.md; default the shipped
  example).

The security settings (sign-in, lockout, sessions, CSP, HTTPS) are explained in docs/web/security.md;
carelens.web.production lists what stops ``carelens serve --production``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from carelens.web.production import DEVELOPMENT_SECRET_KEY

PACKAGE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CARELENS_DATA", "carelens-web")).resolve()
STORE = os.environ.get("CARELENS_STORE", "")

SECRET_KEY = os.environ.get("CARELENS_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = os.environ.get("CARELENS_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CARELENS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]
HTTPS = os.environ.get("CARELENS_HTTPS", "") == "1"
ALLOW_HTTP = os.environ.get("CARELENS_ALLOW_HTTP", "") == "1"
CARELENS_TRUSTED_PROXY = os.environ.get("CARELENS_TRUSTED_PROXY", "") == "1"
# the forecast page's scenarios (a YAML file, docs/forecast/scenarios.md); unset: the shipped example
FORECAST_SCENARIOS = os.environ.get("CARELENS_SCENARIOS", "")
# the most a data load may upload at once, in MB (CARELENS_UPLOAD_LIMIT_MB; docs/web/loads.md)
UPLOAD_LIMIT = int(os.environ.get("CARELENS_UPLOAD_LIMIT_MB", "500")) * 1024 * 1024

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "carelens.web.accounts",
    "carelens.web.dashboards",
    "carelens.web.children",
    "carelens.web.loads",
    "carelens.web.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carelens.web.accounts.middleware.SessionKeptAliveMiddleware",
    # every view needs a signed-in user unless it says otherwise (login_not_required): a new view cannot forget
    "carelens.web.accounts.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, so that it sees the sign-in attempts the views make and answers a locked-out one with its page
    "axes.middleware.AxesMiddleware",
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
        "csp.context_processors.nonce",  # {{ CSP_NONCE }}: the nonce of this response's script-src
        "carelens.web.context.store_context",  # {{ authority_name }}, {{ store_version }}
    ]},
}]
# the front end's template tags, {% load charts %} … (carelens.web is not an installed app: they are named here)
TEMPLATES[0]["OPTIONS"]["libraries"] = {name: f"carelens.web.templatetags.{name}"
                                        for name in ("charts", "navigation", "numbers")}

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{DATA / 'carelens-web.sqlite3'}",
                                               conn_max_age=60)}

# Pages' fragments, kept per store version and role (decision 020), in each server process's memory: nothing of a
# child is in them (child-level pages are never cached), and a process restarted computes them again.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "carelens-pages",
                      "TIMEOUT": 60 * 60, "OPTIONS": {"MAX_ENTRIES": 2000}}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE / "static"]
STATIC_ROOT = DATA / "static"
STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Signing in (docs/web/security.md) -------------------------------------------------------------------------
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

# Axes first: it refuses a locked-out user before any password is checked
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # older hashes still verify (and are upgraded to Argon2 at the next sign-in)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: 5 failed attempts for one username within 15 minutes lock that username for 15 minutes (each further
# attempt while locked starts the 15 minutes again). By username, not address: behind a council's proxy many
# people share one address, and a guessed password is for one account.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if CARELENS_TRUSTED_PROXY \
    else ["REMOTE_ADDR"]
AXES_SENSITIVE_PARAMETERS = ["password"]
# axes.W006 would have addresses locked too: behind a council's proxy or office NAT, five mistyped passwords by
# anyone would lock out everyone there, administrators included. The username lock stops guessing at an account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Sessions --------------------------------------------------------------------------------------------------
SESSION_COOKIE_AGE = 30 * 60  # signed out after 30 minutes without a request
# each request starts the 30 minutes again — by saving the session at most once a minute
# (accounts.middleware.SessionKeptAliveMiddleware), not on every request: a write per page to the app's database
# would be most of the cost of a page a cache answers (docs/web/security.md)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_KEPT_ALIVE_EVERY = 60  # seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Content-Security-Policy (django-csp 4): nothing from another host, no inline script or style ---------------
# A template's own <script> carries nonce="{{ CSP_NONCE }}"; nothing else runs.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}}

# --- HTTPS, behind a reverse proxy that terminates TLS (docs/web/security.md) ----------------------------------
if HTTPS:
    # the proxy must set X-Forwarded-Proto itself (overwriting any the client sent)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"  # a __Host- cookie: secure, this host only, path /
    CSRF_COOKIE_NAME = "__Host-csrftoken"
