"""``carelens serve``: the web app under gunicorn (several worker processes), its own database migrated and its
static files collected first, refusing to start in production with settings unfit for real data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class ServeError(RuntimeError):
    """A reason the app will not start, said in words an administrator can act on."""


@dataclass(frozen=True)
class Serving:
    store: Path
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 3
    production: bool = False
    data: Path = Path("carelens-web")  # the app's own database and collected static files

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"DJANGO_SETTINGS_MODULE": "carelens.web.settings", "CARELENS_STORE": str(self.store.resolve()),
                    "CARELENS_DATA": str(self.data.resolve())})
        if not self.production:
            # on this machine only: a development key and plain HTTP on the loopback are acceptable
            env.setdefault("CARELENS_ALLOW_HTTP", "1")
        return env


def prepare(serving: Serving) -> None:
    """Migrate the app's database and collect static files (in this process, with the serving settings)."""
    env = serving.environment()
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "CARELENS_STORE", "CARELENS_DATA")})
    os.environ.setdefault("CARELENS_ALLOW_HTTP", env.get("CARELENS_ALLOW_HTTP", ""))
    serving.data.mkdir(parents=True, exist_ok=True)
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    if serving.production:
        from carelens.web.production import problems

        found = problems(settings)
        if found:
            raise ServeError("not starting in production: " + " ".join(found))
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def gunicorn_command(serving: Serving) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "carelens.web.wsgi:application", "--workers", str(serving.workers),
            "--bind", f"{serving.host}:{serving.port}", "--access-logfile", "-", "--timeout", "120"]


def serve(serving: Serving) -> int:
    """Prepare, then run gunicorn in the foreground until it stops; its exit status."""
    if not serving.store.exists():
        raise ServeError(f"no store at {serving.store}: create one with `carelens demo`, `carelens synth` or "
                         "`carelens ingest`")
    prepare(serving)
    return subprocess.call(gunicorn_command(serving), env=serving.environment())
