"""The web app's security settings at work: response headers and the Content-Security-Policy with its nonce, CSRF on
every form, Argon2 and the password rules, HTTPS settings, Django's deploy check and carelens.web.production; a
signed-out visitor refused everywhere; each role refused the administrators' pages, whatever id it tries."""

from __future__ import annotations

import importlib.util
import io
import re
import uuid
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from matrix import ROLES
from matrix import fast_password_hashing as fast_password_hashing  # noqa: F401 (a fixture)

from carelens.web import production
from carelens.web.accounts.models import AuditAllocation, User
from carelens.web.accounts.roles import Role
from conftest import PASSWORD

SETTINGS_FILE = production.__file__.replace("production.py", "settings.py")
REAL_KEY = "k7!Qz" + "-".join(uuid.uuid4().hex for _ in range(3))  # 5 + 3 × 32 + 2: random, long


# --- A page that uses the nonce, for the CSP test (this module is its own URLconf there) ------------------------

@login_not_required
def page_with_a_script(request):
    template = engines["django"].from_string(
        '<!DOCTYPE html><html lang="en"><title>t</title><script nonce="{{ CSP_NONCE }}">1</script></html>')
    return HttpResponse(template.render({}, request))


urlpatterns = [path("script/", page_with_a_script)]


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


EXPECTED_POLICY = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"],
    "font-src": ["'self'"], "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"], "form-action": ["'self'"],
}


@pytest.mark.django_db
def test_every_response_carries_the_policy_and_the_security_headers(client, users):
    client.force_login(users["analyst"])
    responses = {
        "page": Client().get(reverse("accounts:sign-in")),
        "refused": client.get(reverse("accounts:users")),
        "redirect": Client().get(reverse("accounts:users")),
    }
    assert [r.status_code for r in responses.values()] == [200, 403, 302]
    for kind, response in responses.items():
        assert csp_directives(response) == EXPECTED_POLICY, kind
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_script_runs_only_with_this_responses_nonce(client, settings):
    settings.ROOT_URLCONF = __name__
    nonces = []
    for _ in range(2):
        response = client.get("/script/")
        nonce = re.search(r'<script nonce="([^"]+)">', response.content.decode()).group(1)
        assert csp_directives(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22  # 16 random bytes, new for each response


class PostForms(HTMLParser):
    """Each <form method="post"> of a page, and whether it holds Django's CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms: list[bool] = []
        self.open = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append(False)
            self.open = True
        elif tag == "input" and self.open and a.get("name") == "csrfmiddlewaretoken" and a.get("value"):
            self.forms[-1] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = False


@pytest.mark.django_db
def test_every_form_carries_a_csrf_token_and_a_post_without_one_is_refused(fast_password_hashing, users):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(reverse("accounts:sign-in"), {"username": "analyst", "password": "x"}).status_code == 403
    page = browser.get(reverse("accounts:sign-in"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    signed_in = browser.post(reverse("accounts:sign-in"), {"username": "administrator", "password": PASSWORD,
                                                            "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302
    target = users["analyst"]
    AuditAllocation.objects.create(auditor=users["auditor"], la_code="890", person_id="A1",
                                   allocated_by=users["administrator"])
    pages = [reverse(n) for n in ("accounts:user-create", "accounts:allocations",
                                  "accounts:password-change")]
    pages += [reverse(n, args=[target.pk]) for n in ("accounts:user-edit", "accounts:user-deactivate",
                                                     "accounts:user-password")]
    for url in pages:
        forms = PostForms()
        forms.feed(browser.get(url).content.decode())
        assert forms.forms and all(forms.forms), url
    # a form's POST without its token changes nothing
    assert browser.post(reverse("accounts:user-deactivate", args=[target.pk])).status_code == 403
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_and_must_be_12_characters(settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = User.objects.create_user("hashed", password="a passphrase of some length")
    assert user.password.startswith("argon2$argon2id$")
    lengths = [v["OPTIONS"]["min_length"] for v in settings.AUTH_PASSWORD_VALIDATORS
               if v["NAME"].endswith("MinimumLengthValidator")]
    assert lengths == [12]


# --- HTTPS, the deploy check and the production checks --------------------------------------------------------

def settings_from_environment(monkeypatch, **environ) -> SimpleNamespace:
    """settings.py as the app would read it with ``environ`` (a fresh copy, not Django's running settings)."""
    for name in ("CARELENS_HTTPS", "CARELENS_DEBUG", "CARELENS_SECRET_KEY", "CARELENS_ALLOWED_HOSTS",
                 "CARELENS_ALLOW_HTTP", "CARELENS_TRUSTED_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("carelens_settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return SimpleNamespace(**{k: getattr(module, k) for k in dir(module) if k.isupper()})


PRODUCTION = {"CARELENS_HTTPS": "1", "CARELENS_SECRET_KEY": REAL_KEY,
              "CARELENS_ALLOWED_HOSTS": "carelens.council.example.gov.uk"}


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(monkeypatch):
    plain = settings_from_environment(monkeypatch)
    assert not hasattr(plain, "SESSION_COOKIE_SECURE") and not hasattr(plain, "SECURE_HSTS_SECONDS")
    https = settings_from_environment(monkeypatch, **PRODUCTION)
    assert (https.SESSION_COOKIE_SECURE, https.CSRF_COOKIE_SECURE, https.SECURE_SSL_REDIRECT) == (True, True, True)
    assert https.SECURE_HSTS_SECONDS >= 365 * 24 * 3600 and https.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert https.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert https.SESSION_COOKIE_NAME.startswith("__Host-")


def apply(settings, loaded: SimpleNamespace) -> None:
    """Run Django with ``loaded``'s security settings (those that differ from the running ones)."""
    from django.conf import settings as running

    for name, value in vars(loaded).items():
        if name not in {"DATABASES", "DATA", "STATIC_ROOT", "STORE"} and getattr(running, name, object()) != value:
            setattr(settings, name, value)


def test_the_deploy_check_finds_nothing_with_production_settings(settings, monkeypatch):
    apply(settings, settings_from_environment(monkeypatch, **PRODUCTION))
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
    assert "System check identified no issues" in out.getvalue()
    assert err.getvalue() == ""
    # nothing is silenced but the one check docs/web/security.md explains (addresses not locked out)
    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006"]


def test_the_deploy_check_fails_without_https(settings, monkeypatch):
    apply(settings, settings_from_environment(monkeypatch, CARELENS_SECRET_KEY=REAL_KEY))
    found = {m.id for m in run_checks(include_deployment_checks=True)}
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= found
    with pytest.raises(SystemCheckError):
        call_command("check", deploy=True, fail_level="WARNING", stdout=io.StringIO(), stderr=io.StringIO())


def test_production_settings_have_no_problems(monkeypatch):
    assert production.problems(settings_from_environment(monkeypatch, **PRODUCTION)) == []
    local = settings_from_environment(monkeypatch, CARELENS_SECRET_KEY=REAL_KEY, CARELENS_ALLOW_HTTP="1")
    assert production.problems(local) == []  # plain HTTP allowed in so many words (one laptop, loopback)


def test_development_settings_are_refused_for_production(monkeypatch):
    found = production.problems(settings_from_environment(monkeypatch, CARELENS_DEBUG="1",
                                                          CARELENS_ALLOWED_HOSTS=" , "))
    assert [p.split(":")[0].split(" is")[0] for p in found] == ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "HTTPS"]
    assert "CARELENS_SECRET_KEY" in found[1] and "CARELENS_ALLOWED_HOSTS" in found[2] and "CARELENS_HTTPS=1" in found[3]


@pytest.mark.parametrize(("change", "problem"), [
    ({"DEBUG": True}, "DEBUG is on"),
    ({"SECRET_KEY": production.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is the development key"),
    ({"SECRET_KEY": "s3cret-but-only-thirty-chars-x"}, "SECRET_KEY is too short or too simple (30 characters"),
    ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too short or too simple (80 characters, 2 distinct)"),
    ({"SECRET_KEY": ""}, "SECRET_KEY is too short"),
    ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS is empty"),
    ({"ALLOWED_HOSTS": ["*"]}, "ALLOWED_HOSTS allows any host"),
    ({"HTTPS": False}, "HTTPS is off"),
])
def test_each_problem_alone_is_found(change, problem):
    good = {"DEBUG": False, "SECRET_KEY": REAL_KEY, "ALLOWED_HOSTS": ["carelens.example"], "HTTPS": True,
            "ALLOW_HTTP": False}
    found = production.problems(SimpleNamespace(**{**good, **change}))
    assert len(found) == 1 and found[0].startswith(problem)


# --- Signed out, everywhere; each role at the administrators' pages; IDOR --------------------------------------

SAMPLE_VALUES = {IntConverter: "1", StringConverter: "x", SlugConverter: "x", PathConverter: "x/y",
                 UUIDConverter: str(uuid.UUID(int=1))}


def patterns(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    """(route, "app:name", pattern) for every URL pattern below ``resolver``."""
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from patterns(item, inner, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), f"{namespace}{item.name}", item


OPEN = {"accounts:sign-in", "accounts:signed-out"}  # the only pages a signed-out visitor may see


def test_only_the_sign_in_pages_are_open_to_a_signed_out_visitor():
    """Every view but the sign-in pages leaves the sign-in middleware on (login_not_required is not set)."""
    opened = {name for _, name, pattern in patterns(get_resolver("carelens.web.urls"))
              if getattr(pattern.callback, "login_required", True) is False}
    assert opened == OPEN


def sample_url(route: str, pattern: URLPattern) -> str | None:
    """The route with a sample value for each converter (None when a converter is not one of Django's: the test
    above still covers that view)."""
    url = "/" + route
    for name, converter in pattern.pattern.converters.items():
        sample = SAMPLE_VALUES.get(type(converter))
        if sample is None:
            return None
        url = re.sub(rf"<(\w+:)?{name}>", sample, url)
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_a_signed_out_visitor_is_sent_to_sign_in_from_every_other_url(client, method):
    sign_in = reverse("accounts:sign-in")
    asked = 0
    for route, name, pattern in patterns(get_resolver("carelens.web.urls")):
        url = sample_url(route, pattern)
        if url is None or name in OPEN:
            continue
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(f"{sign_in}?next="), url
        asked += 1
    assert asked >= 14


@pytest.mark.django_db
def test_a_signed_out_htmx_request_is_told_to_go_to_sign_in(client):
    response = client.get(reverse("accounts:users"), HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/accounts/allocations/?page=2")
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/sign-in/?next=/accounts/allocations/%3Fpage%3D2"


ADMIN_PAGES = ["accounts:users", "accounts:user-create", "accounts:allocations", "accounts:access-log",
               "accounts:access-log-csv"]
ADMIN_PAGES_OF_A_USER = ["accounts:user-edit", "accounts:user-deactivate", "accounts:user-reactivate",
                         "accounts:user-password", "accounts:user-unlock"]


def state():
    return (sorted(User.objects.values_list("username", "role", "is_active", "password", "service_area")),
            sorted(AuditAllocation.objects.values_list("auditor__username", "person_id")))


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hashing")
@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.ADMINISTRATOR])
def test_no_other_role_may_use_an_administrators_page_or_change_anything_through_one(client, users, role):
    allocation = AuditAllocation.objects.create(auditor=users["auditor"], la_code="890", person_id="A1",
                                                allocated_by=users["administrator"])
    client.force_login(users[role])
    before = state()
    escalate = {"username": "mine", "role": "administrator", "password1": "x" * 20, "password2": "x" * 20,
                "auditor": users["auditor"].pk, "la_code": "890", "child_ids": "A2",
                "new_password1": "y" * 20, "new_password2": "y" * 20}
    urls = [reverse(n) for n in ADMIN_PAGES] + [reverse("accounts:allocation-remove", args=[allocation.pk])]
    for url in urls:
        assert (client.get(url).status_code, client.post(url, escalate).status_code) == (403, 403), url
    # IDOR: every user's id (their own, another's, one that does not exist) is refused alike, without saying which
    ids = sorted(u.pk for u in users.values()) + [max(u.pk for u in users.values()) + 100]
    for name in ADMIN_PAGES_OF_A_USER:
        for pk in ids:
            url = reverse(name, args=[pk])
            assert (client.get(url).status_code, client.post(url, escalate).status_code) == (403, 403), url
    assert state() == before
    users[role].refresh_from_db()
    assert users[role].role == role


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hashing")
def test_an_administrator_editing_a_user_who_does_not_exist_gets_404(client, users):
    client.force_login(users["administrator"])
    assert client.get(reverse("accounts:user-edit", args=[987654])).status_code == 404


def test_the_settings_module_reads_only_its_own_environment():
    """The settings are read from CARELENS_* variables only, documented in the module's docstring."""
    source = open(SETTINGS_FILE).read()
    read = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    documented = set(re.findall(r"``([A-Z_]+)``", source.split('"""')[1]))
    assert read <= documented, read - documented
    assert {n for n in read if not n.startswith("CARELENS_")} == set()
