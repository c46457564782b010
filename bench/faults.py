"""`make bench-faults`: the site under load while its database restarts and its cache goes away.

    python -m bench.faults                       private PostgreSQL and Redis, made for the run
    python -m bench.faults --external --database-url URL --redis-url URL \\
        --restart-postgres CMD --stop-redis CMD --start-redis CMD

gunicorn (production settings, 2 workers) serves a generated archive; wrk keeps 32 connections
busy on the listing, two searches and an article for 60 s, and counts every response by second
and status (bench/faults.lua); an editor process publishes an item every second through the
admin's service layer (bench/publisher.py). At 20 s PostgreSQL is restarted; at 40 s Redis is
stopped, and started again 10 s later. The report gives the errors of each phase, how long each
fault lasted and how long the site took to answer cleanly again, and whether every item
published during the run is on the listing and in the API afterwards (bench/README.md).
"""

import argparse
import json
import math
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import report
from .corpus import build, ensure_database
from .fault_report import analyse, format_report
from .fault_services import ExternalServices, private_services
from .load import header_arguments, require_wrk
from .machine import machine_info
from .processes import PROJECT_ROOT, PROXY_HEADERS, PYTHON, BenchError, DjangoEnvironment, probe
from .run import stop_on_sigterm
from .server import ServerOptions, collect_static, gunicorn, tail

LOG_PATH = PROJECT_ROOT / "bench" / "data" / "faults-gunicorn.log"
PUBLISHER_LOG_PATH = PROJECT_ROOT / "bench" / "data" / "faults-publisher.log"
LUA_SCRIPT = Path(__file__).resolve().parent / "faults.lua"
JSON_PREFIX = "FAULTS_JSON "
LISTING_PAGE_SIZE = 20


@dataclass(frozen=True)
class Plan:
    seconds: int = 60
    connections: int = 32
    wrk_threads: int = 2
    restart_postgres_at: float = 20
    stop_redis_at: float = 40
    redis_down_for: float = 10
    # The target: the site answers cleanly again within this many seconds of a service coming
    # back; a fault's window runs from its start to that moment, and no error may fall outside.
    recovery_target: float = 5
    request_timeout: int = 10  # seconds; a request that hangs longer is a wrk timeout error
    # Production's page cache by default; 0 sends every request to PostgreSQL (the worst case
    # for a database restart: no cached page to answer from).
    page_cache_seconds: int = 300


# --- the run ----------------------------------------------------------------------------------


def load_paths(article_path):
    return ["/news/", "/news/?q=border", "/news/?q=election+observation", article_path]


def start_wrk(base_url, paths, plan):
    command = [
        require_wrk(),
        f"-t{plan.wrk_threads}",
        f"-c{plan.connections}",
        f"-d{plan.seconds}s",
        f"--timeout={plan.request_timeout}s",
        *header_arguments(),
        "-s",
        str(LUA_SCRIPT),
        base_url,
        "--",
        *paths,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def start_publisher(env, plan, prefix, out):
    command = [PYTHON, "-m", "bench.publisher", "--seconds", str(plan.seconds)]
    command += ["--prefix", prefix, "--out", str(out)]
    with open(PUBLISHER_LOG_PATH, "wb") as log:  # its warnings while Redis is down
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def inject_faults(services, plan, started):
    """Restart PostgreSQL, then stop and start Redis, at the planned offsets from `started`;
    returns each fault with when it began and when its service answered again (epoch s)."""

    def at(offset):
        time.sleep(max(0.0, started + offset - time.time()))

    at(plan.restart_postgres_at)
    print(f"  {plan.restart_postgres_at:>4.0f} s: restarting PostgreSQL", flush=True)
    postgres = {"fault": "postgres restart", "began": time.time()}
    services.restart_postgres()
    postgres["back"] = time.time()
    at(plan.stop_redis_at)
    print(f"  {plan.stop_redis_at:>4.0f} s: stopping Redis", flush=True)
    cache = {"fault": "redis down", "began": time.time()}
    services.stop_redis()
    at(plan.stop_redis_at + plan.redis_down_for)
    print(f"  {plan.stop_redis_at + plan.redis_down_for:>4.0f} s: starting Redis", flush=True)
    services.start_redis()
    cache["back"] = time.time()
    return [postgres, cache]


def wrk_figures(process, plan):
    output, _ = process.communicate(timeout=plan.seconds + plan.request_timeout + 60)
    for line in output.splitlines():
        if line.startswith(JSON_PREFIX):
            return json.loads(line.removeprefix(JSON_PREFIX))
    raise BenchError(f"wrk printed no figures:\n{output[-2000:]}")


def fetch(url):
    """(status, body) of one GET through the proxy headers; redirects are followed."""
    try:
        request = urllib.request.Request(url, headers=PROXY_HEADERS)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def check_published(base_url, slugs):
    """Which published items are missing from the listing (its first pages, newest first) and
    from the API. Run after the faults, with every service back."""
    listing, listing_errors = "", {}
    for page in range(1, math.ceil(len(slugs) / LISTING_PAGE_SIZE) + 2):
        path = "/news/" + (f"?page={page}" if page > 1 else "")
        status, text = fetch(base_url + path)
        listing += text
        if status != 200:
            listing_errors[path] = status
    return {
        "listing_errors": listing_errors,
        "missing_from_listing": [slug for slug in slugs if f'/news/{slug}/"' not in listing],
        "missing_from_api": [
            slug for slug in slugs if fetch(f"{base_url}/api/news/{slug}/")[0] != 200
        ],
    }


def run(services, plan, environment, count, seed, build_fresh):
    if build_fresh:
        build(services.database_url, count, seed, environment.for_database(services.database_url))
        database_url = services.database_url
    else:
        database_url, _info = ensure_database([services.database_url], count, seed, environment)
    env = environment.for_database(
        database_url, page_cache_seconds=plan.page_cache_seconds, redis_url=services.redis_url
    )
    collect_static(env)
    info = probe(["info"], env=env)
    paths = load_paths(info["article_path"])
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    LOG_PATH.write_bytes(b"")
    prefix = f"faults-{datetime.now().strftime('%Y%m%d%H%M%S')}"
    server = ServerOptions()
    with gunicorn(env, server, LOG_PATH) as base_url, tempfile.TemporaryDirectory() as tmp:
        print(
            f"{plan.seconds} s of load ({plan.connections} connections, {server.describe()}, "
            f"{info['items']:,} items) on {', '.join(paths)}:",
            flush=True,
        )
        published_file = Path(tmp) / "published.json"
        started = time.time()
        wrk = start_wrk(base_url, paths, plan)
        publisher = start_publisher(env, plan, prefix, published_file)
        try:
            faults = inject_faults(services, plan, started)
            load = wrk_figures(wrk, plan)
            if publisher.wait(timeout=plan.seconds + 120) != 0:
                raise BenchError(f"the publisher failed:\n{tail(PUBLISHER_LOG_PATH)}")
        finally:
            for process in (wrk, publisher):
                if process.poll() is None:
                    process.kill()
        ended = time.time()
        publishing = json.loads(published_file.read_text())
        slugs = [item["slug"] for item in publishing["published"]]
        visible = check_published(base_url, slugs)
    return {
        "kind": "bench-faults",
        "started_at": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "machine": machine_info(info["postgres_version"]),
        "settings": {
            "plan": asdict(plan),
            "services": services.describe(),
            "server": asdict(server),
            "items": info["items"],
            "paths": paths,
        },
        **analyse(load, faults, publishing, visible, started, ended, plan),
    }


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults", description=__doc__.split("\n\n")[0]
    )
    defaults = Plan()
    parser.add_argument("--seconds", type=int, default=defaults.seconds)
    parser.add_argument("--connections", type=int, default=defaults.connections)
    parser.add_argument("--page-cache-seconds", type=int, default=defaults.page_cache_seconds)
    parser.add_argument("--count", type=int, default=20_000, help="items in the archive")
    parser.add_argument("--seed", type=int, default=1)
    private = parser.add_argument_group("private services (the default)")
    private.add_argument("--pg-port", type=int, default=5433)
    private.add_argument("--redis-port", type=int, default=6380)
    external = parser.add_argument_group("the operator's services (--external)")
    external.add_argument("--external", action="store_true")
    external.add_argument("--database-url", help="a database this user may drop and rebuild")
    external.add_argument("--redis-url")
    external.add_argument("--restart-postgres", metavar="CMD")
    external.add_argument("--stop-redis", metavar="CMD")
    external.add_argument("--start-redis", metavar="CMD")
    arguments = parser.parse_args(argv)
    needed = ("database_url", "redis_url", "restart_postgres", "stop_redis", "start_redis")
    missing = [name for name in needed if arguments.external and not getattr(arguments, name)]
    if missing:
        parser.error("--external needs " + ", ".join("--" + n.replace("_", "-") for n in missing))
    if arguments.seconds < Plan.stop_redis_at + Plan.redis_down_for + Plan.recovery_target:
        parser.error("--seconds must leave time for both faults and the recovery after them")
    return arguments


def main(argv=None):
    stop_on_sigterm()
    arguments = parse_arguments(argv)
    plan = Plan(
        seconds=arguments.seconds,
        connections=arguments.connections,
        page_cache_seconds=arguments.page_cache_seconds,
    )
    try:
        with ExitStack() as stack:
            if arguments.external:
                services = ExternalServices(
                    arguments.database_url,
                    arguments.redis_url,
                    arguments.restart_postgres,
                    arguments.stop_redis,
                    arguments.start_redis,
                )
            else:
                services = stack.enter_context(
                    private_services(arguments.pg_port, arguments.redis_port)
                )
            print(f"Services: {services.describe()}", flush=True)
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            environment = DjangoEnvironment(
                secret_key=secrets.token_urlsafe(50), static_root=workdir / "static"
            )
            result = run(
                services,
                plan,
                environment,
                arguments.count,
                arguments.seed,
                build_fresh=not arguments.external,
            )
    except BenchError as error:
        print(f"make bench-faults: {error}", file=sys.stderr)
        sys.exit(1)
    print()
    print(format_report(result))
    path = report.write_json("faults", result)
    print(f"\nWritten to {path.relative_to(PROJECT_ROOT)}")
    sys.exit(0 if all(result["checks"].values()) else 1)


if __name__ == "__main__":
    main()
