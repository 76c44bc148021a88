"""How fast the web app answers under load, on loopback only: 50 users at once on the overview, an area page and an
indicator page, and a cold indicator page (nothing computed yet for the store's version).

    uv run python benchmarks/web_load.py                 # the demo's coastal authority (made if missing)
    uv run python benchmarks/web_load.py --users 50 --seconds 30 --workers 3

Starts ``carelens serve``'s gunicorn on a copy of the store, signs a user in (the real sign-in form, CSRF and
all), opens each page once (the first request for a store version builds its figures), then runs the users as
threads, each requesting the pages in turn for the time given. Prints p50/p95/p99 and requests per second per page
and overall, against the targets (p95 ≤ 300 ms; a cold indicator page ≤ 2 s).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PAGES = ("/", "/areas/cp_plans/", "/indicators/C8/")
ROOT = Path(__file__).resolve().parents[1]


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    opener, _ = _opener()
    form = opener.open(f"{base}/accounts/sign-in/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    request = urllib.request.Request(f"{base}/accounts/sign-in/", data=data.encode(),
                                     headers={"Referer": f"{base}/accounts/sign-in/"})
    opener.open(request, timeout=60).read()
    return opener


def timed_get(opener, url: str) -> float:
    started = time.perf_counter()
    with opener.open(url, timeout=60) as response:
        body = response.read()
        if response.status != 200 or response.geturl() != url:  # (a signed-out user is redirected to sign in)
            raise RuntimeError(f"{url}: {response.status} at {response.geturl()}")
        if b'<main class="govuk-main-wrapper"' not in body:
            raise RuntimeError(f"{url}: not a page of the app")
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "out" / "demo" / "carelens.duckdb")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()

    if not args.store.exists():
        subprocess.run([sys.executable, "-m", "carelens.cli", "demo", "--no-serve", "--out", str(args.store.parent)],
                       check=True, capture_output=True)
    from carelens.web.demo_accounts import demo_accounts
    from carelens.web.serving import Serving, gunicorn_command

    with tempfile.TemporaryDirectory(prefix="carelens-web-load-") as tmp:
        tmp = Path(tmp)
        store = tmp / "store.duckdb"
        shutil.copy(args.store, store)  # a fresh copy: no figures kept for its version yet (a cold start)
        serving = Serving(store, port=args.port, workers=args.workers, data=tmp / "web")
        password = next(p for user, _, p in demo_accounts(serving) if user == "demo-analyst")
        server = subprocess.Popen(gunicorn_command(serving), env=serving.environment(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/accounts/sign-in/", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            opener = sign_in(base, "demo-analyst", password)
            cold = timed_get(opener, f"{base}/indicators/C8/")
            print(f"cold indicator page (nothing computed for this store version): {cold:.2f} s (target 2 s)")
            for page in PAGES:  # each worker process builds what it keeps once
                for _ in range(args.workers * 2):
                    timed_get(opener, base + page)
            sessions = [sign_in(base, "demo-analyst", password) for _ in range(args.users)]
            times: dict[str, list[float]] = {page: [] for page in PAGES}
            lock = threading.Lock()
            stop = time.perf_counter() + args.seconds

            def user(session, first: int) -> None:
                i = first
                while time.perf_counter() < stop:
                    page = PAGES[i % len(PAGES)]
                    took = timed_get(session, base + page)
                    with lock:
                        times[page].append(took)
                    i += 1

            threads = [threading.Thread(target=user, args=(s, n)) for n, s in enumerate(sessions)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    every = [t for page in PAGES for t in times[page]]
    print(f"{args.users} users for {elapsed:.1f} s, {args.workers} gunicorn workers, loopback:")
    for page in PAGES:
        got = times[page]
        print(f"  {page:<22} {len(got):5d} requests  p50 {1000 * statistics.median(got):6.0f} ms  "
              f"p95 {1000 * percentile(got, 95):6.0f} ms  p99 {1000 * percentile(got, 99):6.0f} ms")
    p95 = percentile(every, 95)
    print(f"  all pages: {len(every) / elapsed:.1f} requests per second; p95 {1000 * p95:.0f} ms against the 300 ms "
          f"target (ratio {p95 / 0.3:.2f})")


if __name__ == "__main__":
    main()
