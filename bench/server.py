"""The server under test: gunicorn on a free loopback port, stopped whatever happens."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .processes import MANAGE, PROJECT_ROOT, PYTHON, BenchError, run

HOST = "127.0.0.1"
START_TIMEOUT = 60
STOP_TIMEOUT = 15


@dataclass(frozen=True)
class ServerOptions:
    # sync over gthread: a gthread worker keeps each connection it accepted, so a few busy
    # connections can all land on one worker, which then runs their requests one at a time
    # under the GIL while the other core idles; sync workers take requests as they are free.
    # At 4 connections it served rendered pages at about twice the rate (bench/README.md).
    worker_class: str = "sync"
    workers: int = 2
    threads: int = 4  # gthread only

    def gunicorn_arguments(self):
        arguments = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            arguments += ["--threads", str(self.threads)]
        return arguments

    def describe(self):
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers × {self.threads} threads"
        return f"{self.workers} {self.worker_class} workers"


def collect_static(env):
    """collectstatic into the run's STATIC_ROOT, and the address of the stylesheet under its
    hashed name, as the pages link it (whitenoise serves it with a far-future max-age)."""
    run([*MANAGE, "collectstatic", "--no-input"], env=env, timeout=300, what="collectstatic")
    manifest = json.loads((Path(env["BENCH_STATIC_ROOT"]) / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url, process, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited at start-up:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(
        f"gunicorn did not answer /healthz within {START_TIMEOUT} s:\n{tail(log_path)}"
    )


def stop(process):
    """SIGTERM to gunicorn's process group (the master and its workers, started in a session of
    their own), SIGKILL if it has not gone after STOP_TIMEOUT seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def tail(path, lines=20):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def gunicorn(env, options, log_path):
    """Serve osceportal.wsgi with `env` until the block ends; yields the base URL."""
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "osceportal.wsgi",
        "--bind",
        f"{HOST}:{port}",
        *options.gunicorn_arguments(),
        "--graceful-timeout",
        "5",
        "--error-logfile",
        "-",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it
        )
    try:
        base_url = f"http://{HOST}:{port}"
        wait_until_healthy(base_url, process, log_path)
        yield base_url
    finally:
        stop(process)
