"""`make bench-replica`: public reads on a streaming replica, and the site while it dies.

    python -m bench.replica [--count N] [--seconds S] [--connections C]

A private PostgreSQL primary (bench/replica_services.py) gets the archive (`migrate`,
`load_reference_data`, `generate_news --count N --seed 1`, VACUUM ANALYZE), then a streaming
standby made from it with `pg_basebackup -R`. gunicorn (production settings, 2 sync workers,
page cache off) serves it twice: with the primary alone, then with DATABASE_REPLICA_URLS naming
the standby. Each time wrk measures the listing, a filtered listing and an article (req/s, p50,
p95), and each server's transactions are counted. Then, under load on the second setup, the
standby is killed (`pg_ctl stop -m immediate`) and started again; the report gives the errors
(answers other than 2xx, and socket errors: none expected) and how long after it was back the
standby served pages again (bench/README.md, "Replicas").
"""

import argparse
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from . import faults, report
from .corpus import build
from .load import LoadOptions, fetch_status, run_wrk
from .machine import machine_info
from .processes import PROJECT_ROOT, BenchError, DjangoEnvironment, probe
from .replica_services import missing_programs, replicated_postgres
from .run import stop_on_sigterm
from .server import ServerOptions, collect_static, gunicorn, tail

LOG_PATH = PROJECT_ROOT / "bench" / "data" / "replica-gunicorn.log"
DATABASE = "osceportal_replica"
FILTERED = "/news/?country=tajikistan&field=border-management"
SETUPS = ("primary only", "primary + standby")


@dataclass(frozen=True)
class Plan:
    seconds: int = 10  # of wrk per address and setup
    connections: int = 4  # as `make bench`: two requests in flight per worker
    failover_seconds: int = 20
    failover_connections: int = 8
    kill_at: float = 5  # seconds into the failover load
    down_for: float = 3
    request_timeout: int = 10


def paths(article_path):
    return {"/news/": "/news/", "two facets": FILTERED, "article": article_path}


def transactions(server):
    """Transactions committed in the archive's database on `server` so far: near enough, as a
    backend reports its statistics at most once a second."""
    with psycopg.connect(server.url(), autocommit=True, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [DATABASE]
        ).fetchone()
    return row[0] if row else 0


def warm_up(base_url, addresses):
    """Every address answers 200, and each worker has built what it keeps (the listing's
    index): a few seconds of load on each, over more connections than there are workers."""
    for path in addresses.values():
        status = fetch_status(base_url + path)
        if status != 200:
            raise BenchError(f"{path} answered {status}, not 200: nothing to measure")
        run_wrk(base_url + path, LoadOptions(duration=2, connections=4))


def measure(base_url, addresses, cluster, plan):
    """{name: wrk's figures, with the share of transactions each server ran meanwhile}."""
    options = LoadOptions(duration=plan.seconds, connections=plan.connections)
    rows = {}
    for name, path in addresses.items():
        before = [transactions(server) for server in (cluster.primary, cluster.standby)]
        figures = run_wrk(base_url + path, options)
        after = [transactions(server) for server in (cluster.primary, cluster.standby)]
        primary, standby = (end - start for start, end in zip(before, after, strict=True))
        share = standby / (primary + standby) if primary + standby else None
        rows[name] = {"path": path, **figures, "standby_share": share}
        print(
            f"    {name:<12} {figures['rps']:>7.1f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
            f"p95 {figures['p95_ms']:6.1f} ms  standby {percent(share)} of transactions",
            flush=True,
        )
    return rows


def served_by_standby(cluster):
    """Whether a gunicorn worker's last query on the standby read the archive's tables: a page,
    not a health check (news/replicas/health.py) or a connection check ("SELECT 1")."""
    try:
        with psycopg.connect(cluster.standby.url(), autocommit=True, connect_timeout=2) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND position('news_' IN query) > 0",
                [DATABASE],
            ).fetchone()
    except psycopg.OperationalError:
        return False
    return count > 0


def failover(base_url, addresses, cluster, plan):
    """Load for plan.failover_seconds; the standby killed at plan.kill_at, started again after
    plan.down_for. Times are seconds from the start of the load."""
    load = faults.Plan(
        seconds=plan.failover_seconds,
        connections=plan.failover_connections,
        request_timeout=plan.request_timeout,
    )
    started = time.time()
    wrk = faults.start_wrk(base_url, list(addresses.values()), load)
    try:
        time.sleep(plan.kill_at)
        killed = time.time() - started
        cluster.standby.stop("immediate")
        time.sleep(plan.down_for)
        cluster.standby.start()
        back = time.time() - started
        used_again = None
        while used_again is None and time.time() - started < plan.failover_seconds:
            if served_by_standby(cluster):
                used_again = time.time() - started
            else:
                time.sleep(0.1)
        figures = faults.wrk_figures(wrk, load)
    finally:
        if wrk.poll() is None:
            wrk.kill()
    statuses = {}
    for _second, status, n in figures["by_second"]:
        statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": figures["requests"],
        "statuses": statuses,
        "non_2xx": sum(n for status, n in statuses.items() if not 200 <= status < 300),
        "socket_errors": figures["socket_errors"],
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
        "max_ms": figures["max_ms"],
        "killed_at": round(killed, 1),
        "back_at": round(back, 1),
        "used_again_at": None if used_again is None else round(used_again, 1),
        "used_again_after": None if used_again is None else round(used_again - back, 1),
    }


def run(cluster, plan, environment, count):
    started = datetime.now(UTC)
    url = cluster.primary.url(DATABASE)
    env = environment.for_database(url)
    build(url, count, 1, env)
    print("  standby: pg_basebackup -R of the primary, started", flush=True)
    cluster.start_standby()
    collect_static(env)
    info = probe(["info"], env=env)
    addresses = paths(info["article_path"])
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    LOG_PATH.write_bytes(b"")
    server = ServerOptions()
    environments = [env, {**env, "DATABASE_REPLICA_URLS": cluster.standby.url(DATABASE)}]
    measured, failed_over = {}, None
    for setup, setup_env in zip(SETUPS, environments, strict=True):
        print(f"  {setup}: {server.describe()}, {info['items']:,} items", flush=True)
        with gunicorn(setup_env, server, LOG_PATH) as base_url:
            warm_up(base_url, addresses)
            measured[setup] = measure(base_url, addresses, cluster, plan)
            if setup == SETUPS[-1]:
                print(f"  the standby killed under load ({plan.failover_seconds} s)", flush=True)
                failed_over = failover(base_url, addresses, cluster, plan)
    checks = {
        "no errors while the standby died": failed_over["non_2xx"] == 0
        and sum(failed_over["socket_errors"].values()) == 0,
        "the standby read from again once back": failed_over["used_again_at"] is not None,
        "the standby served reads": all(
            row["standby_share"] for row in measured[SETUPS[-1]].values()
        ),
    }
    return {
        "kind": "bench-replica",
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine_info(info["postgres_version"]),
        "settings": {
            "plan": asdict(plan),
            "services": cluster.describe(),
            "server": asdict(server),
            "items": info["items"],
            "page_cache_seconds": 0,
        },
        "measured": measured,
        "failover": failed_over,
        "checks": checks,
    }


def percent(share):
    return "—" if share is None else f"{share:.0%}"


def format_report(result):
    plan = result["settings"]["plan"]
    lines = [
        f"Reads, {result['settings']['items']:,} items, page cache off, "
        f"{plan['connections']} connections, {plan['seconds']} s each:",
        "",
        f"| address | {' | '.join(f'{s} req/s | p50 ms | p95 ms' for s in SETUPS)} | "
        "standby's share |",
        "|---|" + "---:|" * (3 * len(SETUPS) + 1),
    ]
    replica_rows = result["measured"][SETUPS[-1]]
    for name in replica_rows:
        cells = []
        for setup in SETUPS:
            row = result["measured"][setup][name]
            cells += [f"{row['rps']:.1f}", f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}"]
        share = percent(replica_rows[name]["standby_share"])
        lines.append(f"| {name} | {' | '.join(cells)} | {share} |")
    down = result["failover"]
    used = (
        f"read from again at {down['used_again_at']} s, {down['used_again_after']} s after"
        if down["used_again_at"] is not None
        else "not read from again during the load"
    )
    lines += [
        "",
        f"Standby killed under load ({plan['failover_connections']} connections, "
        f"{plan['failover_seconds']} s): {down['requests']:,} requests, "
        f"{down['non_2xx']} answers other than 2xx, "
        f"{sum(down['socket_errors'].values())} socket errors (p99 {down['p99_ms']:.0f} ms, "
        f"max {down['max_ms']:.0f} ms).",
        f"Killed at {down['killed_at']} s, accepting connections again at {down['back_at']} s, "
        f"{used}.",
        "",
        *(f"{'ok  ' if passed else 'MISS'} {check}" for check, passed in result["checks"].items()),
    ]
    return "\n".join(lines)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.replica", description=__doc__.split("\n\n")[0]
    )
    defaults = Plan()
    parser.add_argument("--count", type=int, default=20_000, help="items in the archive")
    parser.add_argument("--seconds", type=int, default=defaults.seconds)
    parser.add_argument("--connections", type=int, default=defaults.connections)
    parser.add_argument("--pg-port", type=int, help="the primary's (default: a free port)")
    parser.add_argument("--standby-port", type=int, help="the standby's (default: a free port)")
    return parser.parse_args(argv)


def main(argv=None):
    stop_on_sigterm()
    arguments = parse_arguments(argv)
    plan = Plan(seconds=arguments.seconds, connections=arguments.connections)
    missing = missing_programs()
    if missing:
        print(f"make bench-replica: PostgreSQL's {', '.join(missing)} not found", file=sys.stderr)
        sys.exit(1)
    try:
        with ExitStack() as stack:
            cluster = stack.enter_context(
                replicated_postgres(arguments.pg_port, arguments.standby_port)
            )
            cluster.start_primary()
            print(f"Services: {cluster.describe()}", flush=True)
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            environment = DjangoEnvironment(
                secret_key=secrets.token_urlsafe(50), static_root=workdir / "static"
            )
            result = run(cluster, plan, environment, arguments.count)
    except BenchError as error:
        print(f"make bench-replica: {error}\n{tail(LOG_PATH)}", file=sys.stderr)
        sys.exit(1)
    print()
    print(format_report(result))
    path = report.write_json("replica", result)
    print(f"\nWritten to {path.relative_to(PROJECT_ROOT)}")
    sys.exit(0 if all(result["checks"].values()) else 1)


if __name__ == "__main__":
    main()
