"""`carelens serve` as a council would start it: a real process, gunicorn with several workers, static files by
WhiteNoise, the sign-in page served; a missing store and an unfit production setting refused in one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _carelens(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "carelens.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, **kwargs)


def _get(url: str) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def _clean_env() -> dict:
    # the test process's own Django settings must not leak into the server's
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CARELENS_"))}


def test_serve_starts_gunicorn_workers_and_serves_pages_and_static_files(small_store_path, tmp_path):
    port = _free_port()
    server = _carelens("serve", "--store", str(small_store_path), "--port", str(port), "--workers", "2",
                       "--data", str(tmp_path / "web"), env=_clean_env(), start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _, headers = _get(f"{base}/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not start in 120 s"
                time.sleep(0.5)
        # signed out: the overview sends you to sign in
        assert status == 302 and "/accounts/sign-in/" in headers["Location"]
        status, body, _ = _get(f"{base}{headers['Location']}")
        assert status == 200 and b"Sign in" in body
        # static files from the package, by WhiteNoise, with a long cache life for hashed names
        status, body, headers = _get(f"{base}/static/carelens/favicon.svg")
        assert status == 200 and body.startswith(b"<svg")
        # several workers: the gunicorn master and its 2 workers are running
        children = subprocess.run(["pgrep", "-f", "-g", str(os.getpgid(server.pid)), "gunicorn"],
                                  capture_output=True, text=True).stdout.split()
        assert len(children) >= 3, children
    finally:
        os.killpg(os.getpgid(server.pid), signal.SIGTERM)
        server.wait(timeout=60)


def test_serve_refuses_a_missing_store_in_one_line(tmp_path):
    done = _carelens("serve", "--store", str(tmp_path / "nowhere.duckdb"), "--data", str(tmp_path / "web"),
                     env=_clean_env())
    out, _ = done.communicate(timeout=120)
    assert done.returncode != 0
    assert "no store at" in out and "Traceback" not in out


def test_serve_in_production_refuses_settings_unfit_for_real_data(small_store_path, tmp_path):
    env = _clean_env() | {"CARELENS_DEBUG": "1"}
    done = _carelens("serve", "--store", str(small_store_path), "--data", str(tmp_path / "web"), "--production",
                     env=env)
    out, _ = done.communicate(timeout=120)
    assert done.returncode != 0
    assert "not starting in production" in out and "Traceback" not in out
