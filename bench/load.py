"""Load generation with wrk: a fixed number of connections for a fixed time, to loopback only."""

import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .processes import PROXY_HEADERS, BenchError, run

REPORT_SCRIPT = Path(__file__).resolve().parent / "report.lua"
JSON_PREFIX = "BENCH_JSON "


@dataclass(frozen=True)
class LoadOptions:
    duration: int = 10  # seconds per endpoint and mode
    # Two requests in flight per worker process: both cores busy, a short queue. The targets of
    # issue 5 are latencies; at 16 connections the table measures the queue (bench/README.md).
    connections: int = 4
    threads: int = 2
    # Seconds. wrk's default (2 s) would leave slow requests out of the latency figures.
    request_timeout: int = 30

    def wrk_arguments(self):
        return [
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.duration}s",
            f"--timeout={self.request_timeout}s",
            "--latency",
            *header_arguments(),
            "-s",
            str(REPORT_SCRIPT),
        ]


def header_arguments():
    arguments = []
    for name, value in PROXY_HEADERS.items():
        arguments += ["-H", f"{name}: {value}"]
    return arguments


def require_wrk():
    path = shutil.which("wrk")
    if path is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk (Debian has it)")
    return path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch_status(url):
    """The status of one GET, without following redirects: wrk does not follow them either, so
    an endpoint answering 301 would measure the redirect, not the page."""
    try:
        with OPENER.open(
            urllib.request.Request(url, headers=PROXY_HEADERS), timeout=60
        ) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_wrk(url, options):
    output = run(
        [require_wrk(), *options.wrk_arguments(), url],
        timeout=options.duration + options.request_timeout + 30,
        what=f"wrk {url}",
    )
    for line in output.splitlines():
        if line.startswith(JSON_PREFIX):
            return json.loads(line.removeprefix(JSON_PREFIX))
    raise BenchError(f"wrk printed no figures for {url}:\n{output[-2000:]}")
