"""Load generation with wrk, to loopback only: a fixed number of connections for a fixed time
(`run_wrk`), or every path of a list requested once (`run_wrk_paths`, the cold pass)."""

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from .processes import PROXY_HEADERS, BenchError, run

REPORT_SCRIPT = Path(__file__).resolve().parent / "report.lua"
COLD_SCRIPT = Path(__file__).resolve().parent / "cold.lua"
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

    def wrk_arguments(self, script=REPORT_SCRIPT):
        return [
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.duration}s",
            f"--timeout={self.request_timeout}s",
            "--latency",
            *header_arguments(),
            "-s",
            str(script),
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


def fetch_json(url):
    """The JSON of one GET (the server's /healthz)."""
    with OPENER.open(urllib.request.Request(url, headers=PROXY_HEADERS), timeout=60) as response:
        return json.loads(response.read())


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
    return figures(output, url)


def run_wrk_paths(base_url, paths, options):
    """Every path once, over `options.connections` connections with a wrk thread each
    (bench/cold.lua shares the paths out and stops when all are answered): the figures of
    report.lua with `non_200`, the answers other than 200, and `non_200_statuses`.
    `options.duration` only bounds the run: it ends when the last path is answered."""
    if not paths:
        raise BenchError("no paths to request")
    threads = min(options.connections, len(paths))  # a thread without a path would never stop
    arguments = replace(options, threads=threads, connections=threads).wrk_arguments(COLD_SCRIPT)
    with tempfile.TemporaryDirectory(prefix="osceportal-cold-") as folder:
        listing = Path(folder) / "paths"  # the threads leave their done-markers beside it
        listing.write_text("".join(f"{path}\n" for path in paths))
        output = run(
            [require_wrk(), *arguments, base_url + paths[0], "--", str(threads)],
            env={**os.environ, "BENCH_PATHS": str(listing)},
            timeout=options.duration + options.request_timeout + 30,
            what=f"wrk over {len(paths)} paths from {paths[0]}",
        )
    return figures(output, paths[0])


def figures(output, what):
    """The JSON line that report.lua's (or cold.lua's) done() printed."""
    for line in output.splitlines():
        if line.startswith(JSON_PREFIX):
            return json.loads(line.removeprefix(JSON_PREFIX))
    raise BenchError(f"wrk printed no figures for {what}:\n{output[-2000:]}")
