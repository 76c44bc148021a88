"""Every page needs a signed-in user: the sign-in page (and static files, which WhiteNoise serves before any view)
are the only exceptions. A middleware rather than a decorator on each view, so that a new view is protected
without anyone remembering to protect it; a view that must be open says so with ``login_not_required``."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def sign_in_response(request: HttpRequest) -> HttpResponse:
    """Send a signed-out request to the sign-in page, to come back where it was going.

    An htmx fragment would otherwise swap the whole sign-in page into part of another page: it gets a 401 with
    ``HX-Redirect``, so the browser goes to the sign-in page and returns to the page the fragment was on."""
    login_url = resolve_url(settings.LOGIN_URL)
    if is_htmx(request):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back_to = current.path + (f"?{current.query}" if current.query else "") if current.path else ""
        target = redirect_to_login(back_to, login_url)["Location"] if back_to else login_url
        response = HttpResponse("Sign in to continue.", status=401, content_type="text/plain")
        response["HX-Redirect"] = target
        return response
    return redirect_to_login(request.get_full_path(), login_url)


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, answering htmx fragments as :func:`sign_in_response` says."""

    def handle_no_permission(self, request, view_func):
        return sign_in_response(request)


class SessionKeptAliveMiddleware:
    """A signed-in user's session is kept alive by their requests: saved again (and so its 30 minutes started
    again) when it was last saved more than SESSION_KEPT_ALIVE_EVERY seconds ago. So a session ends between 29 and
    30 minutes after its last request, and a page costs no write to the app's database."""

    KEY = "_kept_alive"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= settings.SESSION_KEPT_ALIVE_EVERY:
                request.session[self.KEY] = now  # modified: saved, with a new expiry, when the response goes
        return self.get_response(request)
