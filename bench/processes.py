"""Child processes of the benchmark: their environment (production settings) and how they run
(always with a time limit)."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = [PYTHON, "manage.py"]

# Variables of the caller's shell that must not leak into the server under test.
OVERRIDDEN = (
    "DJANGO_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "DATABASE_REPLICA_MAX_LAG",
    "REDIS_URL",
    "PAGE_CACHE_SECONDS",
    "DJANGO_SECURE_PROXY_SSL_HEADER",
    "DJANGO_SECURE_SSL_REDIRECT",
)
# What the TLS-terminating proxy in front of production adds to every request. The server
# trusts it (DJANGO_SECURE_PROXY_SSL_HEADER=1), so pages answer 200 instead of the redirect to
# https that production settings give a plain-HTTP request.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and how to fix it."""


@dataclass(frozen=True)
class DjangoEnvironment:
    """Production settings for one run: DEBUG off, a secret key made for the run, loopback
    hosts, behind a TLS proxy (PROXY_HEADERS), and the benchmark's own static folder
    (bench/settings.py)."""

    secret_key: str
    static_root: Path

    def for_database(self, database_url, *, page_cache_seconds=0, redis_url=""):
        env = {key: value for key, value in os.environ.items() if key not in OVERRIDDEN}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            DATABASE_URL=database_url,
            BENCH_STATIC_ROOT=str(self.static_root),
            PAGE_CACHE_SECONDS=str(page_cache_seconds),
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
        )
        if redis_url:
            env["REDIS_URL"] = redis_url
        return env


def run(command, *, env=None, timeout, what):
    """Run a command to completion within `timeout` seconds and return its standard output;
    raise BenchError with the end of its error output when it fails."""
    try:
        completed = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took longer than {timeout} s and was stopped") from None
    if completed.returncode != 0:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-20:])
        raise BenchError(f"{what} failed (exit status {completed.returncode}):\n{tail}")
    return completed.stdout


def probe(arguments, *, env, timeout=300):
    """Run bench/django_probe.py with the server's environment and return its JSON answer."""
    output = run(
        [PYTHON, "-m", "bench.django_probe", *arguments],
        env=env,
        timeout=timeout,
        what=f"django_probe {arguments[0]}",
    )
    return json.loads(output.strip().splitlines()[-1])


def in_django(target, arguments=(), *, env, timeout=3600):
    """Run `module:function` of the benchmark inside Django (bench/in_django.py) with the
    server's environment and return its JSON answer."""
    output = run(
        [PYTHON, "-m", "bench.in_django", target, *arguments],
        env=env,
        timeout=timeout,
        what=target,
    )
    return json.loads(output.strip().splitlines()[-1])
