"""`make bench`: load-test the public pages with production settings on PostgreSQL.

    BENCH_COUNT=2000 make bench           one run: the cold pass, every endpoint uncached and cached
    BENCH_MODES=cold make bench           the cold pass alone: each address of a set once
    make bench-scale                      uncached at 10,000 and 100,000 items, and the growth

Everything is configured by environment variables (Config below; bench/README.md explains the
figures). Traffic goes to 127.0.0.1 only, every step has a time limit, and the server is
stopped on any exit, Ctrl-C included.
"""

import os
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import redis

from . import machine as machine_module
from . import report
from .corpus import database_name, ensure_database, with_database_name
from .load import LoadOptions, fetch_json, fetch_status, require_wrk, run_wrk, run_wrk_paths
from .machine import machine_info
from .processes import PROJECT_ROOT, BenchError, DjangoEnvironment, in_django, probe
from .server import ServerOptions, collect_static, gunicorn

LOG_PATH = PROJECT_ROOT / "bench" / "data" / "gunicorn.log"
MODES = ("cold", "uncached", "cached")

# The cold pass (issue 15, bench/README.md "Cold pass"): the sets of addresses of
# `django_probe urls`, in this order, each address requested once.
COLD_SETS = ("listing", "field_country", "search", "phrase", "article")
# Before the cold pass, each worker process is started up without warming any cache the sets
# use: a listing filtered by a facet no set chooses, requested over as many connections as there
# are (sync) workers, so that each builds its listing index (about 1.5 s at 100,000 items), as
# a process that has served for a while has.
WARM_UP_PATH = "/news/?type=daily_report"
WARM_UP = LoadOptions(duration=3, connections=2, threads=2)
SEARCH_WORDS_ANSWERS = 20
SEARCH_WORDS_TIMEOUT = 900
# wrk's -d for a set of the cold pass is an upper bound only (the run ends with the last
# answer): 120 s, or half a second per address for larger sets.
COLD_TIME_LIMIT = 120


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    kind: str  # static, health, page, listing, search, article, feed (report.py sets targets)


def endpoints(static_path, article_path):
    """What is measured, in the order of the table. The static file is the ceiling; it is
    measured first and last, and the pages compared with the mean of the two, so that a machine
    that got busier during the pass shows as a gap between them rather than skewing ratios."""
    found = [
        Endpoint("static file", static_path, "static"),
        Endpoint("/healthz", "/healthz", "health"),
        Endpoint("home", "/", "page"),
        Endpoint("/news/", "/news/", "listing"),
        Endpoint("two facets", "/news/?country=tajikistan&field=border-management", "listing"),
        Endpoint("search border", "/news/?q=border", "search"),
        Endpoint("search election obs.", "/news/?q=election+observation", "search"),
        Endpoint('search "human rights"', "/news/?q=%22human+rights%22", "search"),
        Endpoint("article", article_path, "article"),
        # In Russian: Russian items with the English ones that have no Russian version, and a
        # query parsed with Russian stemming ("граница" finds "границами").
        Endpoint("/ru/news/", "/ru/news/", "listing"),
        Endpoint(
            "search граница (ru)",
            "/ru/news/?q=%D0%B3%D1%80%D0%B0%D0%BD%D0%B8%D1%86%D0%B0",
            "search",
        ),
        Endpoint("/news/atom/", "/news/atom/", "feed"),
        Endpoint("/api/news/", "/api/news/", "feed"),
        Endpoint("static file (again)", static_path, "static"),
    ]
    return [endpoint for endpoint in found if endpoint.path]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise BenchError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


@dataclass(frozen=True)
class Config:
    count: int = 100_000
    seed: int = 1
    scale: tuple = ()
    modes: tuple = MODES
    rebuild: bool = False
    database_url: str = "postgres://postgres@127.0.0.1:5432/osceportal_bench"
    redis_url: str = "redis://127.0.0.1:6379/15"
    page_cache_seconds: int = 300
    server: ServerOptions = field(default_factory=ServerOptions)
    load: LoadOptions = field(default_factory=LoadOptions)
    cold_per_set: int = 400  # addresses per set of the cold pass
    back_office_per_set: int = 40  # addresses per cold set of the back office; 0: no back office
    # One connection (and wrk thread) per worker: each request is served as soon as it is sent,
    # so the latencies are the pages' own, without queueing.
    cold_load: LoadOptions = field(
        default_factory=lambda: LoadOptions(duration=COLD_TIME_LIMIT, connections=2, threads=2)
    )

    @classmethod
    def from_environment(cls):
        defaults = cls()
        scale = tuple(int(count.replace("_", "")) for count in env_list("BENCH_SCALE"))
        modes = tuple(env_list("BENCH_MODES", ",".join(defaults.modes)))
        if not modes or set(modes) - set(MODES):
            raise BenchError(f"BENCH_MODES takes {', '.join(MODES)} (any of them), not {modes}")
        worker_class = os.environ.get("BENCH_WORKER_CLASS") or defaults.server.worker_class
        if worker_class not in {"sync", "gthread"}:
            raise BenchError(f"BENCH_WORKER_CLASS is sync or gthread, not {worker_class!r}")
        cold_per_set = env_int("BENCH_COLD_PER_SET", defaults.cold_per_set)
        cold_connections = env_int("BENCH_COLD_CONNECTIONS", defaults.cold_load.connections)
        if cold_per_set < 1 or cold_connections < 1:
            raise BenchError("BENCH_COLD_PER_SET and BENCH_COLD_CONNECTIONS must be at least 1")
        return cls(
            count=env_int("BENCH_COUNT", defaults.count),
            seed=env_int("BENCH_SEED", defaults.seed),
            scale=scale,
            modes=("uncached",) if scale else modes,
            rebuild=os.environ.get("BENCH_REBUILD", "") not in ("", "0"),
            database_url=os.environ.get("BENCH_DATABASE_URL") or defaults.database_url,
            redis_url=os.environ.get("BENCH_REDIS_URL", defaults.redis_url),
            page_cache_seconds=env_int("BENCH_PAGE_CACHE_SECONDS", defaults.page_cache_seconds),
            server=ServerOptions(
                worker_class=worker_class,
                workers=env_int("BENCH_WORKERS", defaults.server.workers),
                threads=env_int("BENCH_GUNICORN_THREADS", defaults.server.threads),
            ),
            load=LoadOptions(
                duration=env_int("BENCH_DURATION", defaults.load.duration),
                connections=env_int("BENCH_CONNECTIONS", defaults.load.connections),
                threads=env_int("BENCH_WRK_THREADS", defaults.load.threads),
            ),
            cold_per_set=cold_per_set,
            back_office_per_set=env_int("BENCH_BACK_OFFICE", defaults.back_office_per_set),
            cold_load=replace(
                defaults.cold_load,
                duration=max(COLD_TIME_LIMIT, cold_per_set // 2),
                connections=cold_connections,
                threads=cold_connections,
            ),
        )


def redis_reachable(url):
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def flush_redis(url):
    if url:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()


def measure(endpoint, base_url, mode, in_process, load_options):
    """One endpoint in one mode: a warming GET (which must answer 200), then wrk."""
    status = fetch_status(base_url + endpoint.path)
    load_before = os.getloadavg()[0]  # a busy machine explains odd figures
    figures = run_wrk(base_url + endpoint.path, load_options)
    row = {
        "endpoint": endpoint.name,
        "path": endpoint.path,
        "kind": endpoint.kind,
        "mode": mode,
        "status": status,
        **{key: figures[key] for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms")},
        "requests": figures["requests"],
        "connections": load_options.connections,
        "failed_requests": sum(figures["errors"].values()),
        "errors": figures["errors"],
        "queries": in_process.get("queries"),
        "queries_cold": in_process.get("queries_cold"),
        "single_ms": in_process.get("single_ms"),
        "in_process_status": in_process.get("status"),
        "loadavg_1m": round(load_before, 2),
    }
    note = "" if status == 200 else f"  (HTTP {status}: measuring a non-200 answer)"
    print(
        f"  {mode:<8} {endpoint.name:<22} {row['rps']:>8.1f} req/s  "
        f"median {row['p50_ms']:.1f} ms  p95 {row['p95_ms']:.1f} ms{note}",
        flush=True,
    )
    return row


def measure_pass(mode, database_url, targets, config, environment):
    """Every endpoint in one mode. The page cache is the only difference between the modes;
    both use the same Redis database (flushed first), as production would."""
    env = environment.for_database(
        database_url,
        page_cache_seconds=config.page_cache_seconds if mode == "cached" else 0,
        redis_url=config.redis_url,
    )
    flush_redis(config.redis_url)
    measured = probe(["measure", *(e.path for e in targets)], env=env)
    in_process = {entry["path"]: entry for entry in measured}
    print(
        f"{mode} pass ({config.server.describe()}, {config.load.connections} connections, "
        f"{config.load.duration} s each):",
        flush=True,
    )
    with gunicorn(env, config.server, LOG_PATH) as base_url:
        rows = [
            measure(endpoint, base_url, mode, in_process.get(endpoint.path, {}), config.load)
            for endpoint in targets
        ]
    report.add_static_ratios(rows)
    return rows


def cold_pass(database_url, config, environment):
    """The cold pass: each address of every set of `django_probe urls` requested once, by a
    fresh server with the page cache off and an empty Redis database, so that nothing a set
    asks for has been computed before (bench/README.md, "Cold pass")."""
    env = environment.for_database(database_url, page_cache_seconds=0, redis_url=config.redis_url)
    url_sets = probe(
        ["urls", "--seed", str(config.seed), "--per-set", str(config.cold_per_set)], env=env
    )
    flush_redis(config.redis_url)
    print(
        f"cold pass ({config.server.describe()}, {config.cold_load.connections} connections, "
        f"each address once, up to {config.cold_per_set} a set):",
        flush=True,
    )
    rows = []
    with gunicorn(env, config.server, LOG_PATH) as base_url:
        warm_up(base_url, config.server.workers)
        wait_for_search_words(base_url)
        for name in COLD_SETS:
            paths = url_sets.get(name) or []
            if not paths:
                print(f"  cold     {name}: no addresses (is the archive empty?)", flush=True)
                continue
            rows.append(measure_cold(name, paths, base_url, config.cold_load))
    report.add_static_ratios(rows)
    return rows


def warm_up(base_url, workers):
    """Each worker process started up as one that has served for a while (WARM_UP_PATH)."""
    statuses = [fetch_status(base_url + path) for path in ("/healthz", WARM_UP_PATH)]
    options = replace(WARM_UP, connections=max(WARM_UP.connections, workers))
    figures = run_wrk(base_url + WARM_UP_PATH, options)
    note = "" if statuses == [200, 200] else f" (HTTP {statuses}: the warm-up failed)"
    print(
        f"  warm-up: /healthz, then {WARM_UP_PATH} {figures['requests'] + 1} times over "
        f"{options.connections} connections: each worker builds its listing index on its first "
        f"listing request{note}",
        flush=True,
    )


def wait_for_search_words(base_url):
    """Until the workers have read the search words (news/listing/words.py): each reads them in
    a thread of its own as it starts, and answers searches through PostgreSQL until then. The
    /healthz of whichever worker answers says; SEARCH_WORDS_ANSWERS answers in a row saying
    so are taken to cover every worker."""
    started = time.monotonic()
    in_a_row = 0
    states = set()
    while in_a_row < SEARCH_WORDS_ANSWERS:
        state = fetch_json(base_url + "/healthz").get("search_words", "off")
        states.add(state)
        in_a_row = in_a_row + 1 if state in ("ready", "off") else 0
        if state == "failed":
            raise BenchError("a worker could not read the search words (bench/data/gunicorn.log)")
        if time.monotonic() - started > SEARCH_WORDS_TIMEOUT:
            raise BenchError(f"the search words were not read in {SEARCH_WORDS_TIMEOUT} s")
        if in_a_row == 0:
            time.sleep(0.5)
    print(
        f"  search words: {'/'.join(sorted(states))} after {time.monotonic() - started:.1f} s",
        flush=True,
    )


def measure_cold(name, paths, base_url, load_options):
    """One set of the cold pass: wrk requests each path once (bench/cold.lua)."""
    load_before = os.getloadavg()[0]
    figures = run_wrk_paths(base_url, paths, load_options)
    errors = figures["errors"]
    # wrk's own "status" errors (answers above 399) are among the answers other than 200.
    broken = sum(count for kind, count in errors.items() if kind != "status")
    statuses = figures["non_200_statuses"]
    row = {
        "endpoint": f"cold {name}",
        "path": paths[0],
        "kind": name,
        "mode": "cold",
        # 200 when every answer was; otherwise the commonest other status, counted as failures.
        "status": int(max(statuses, key=statuses.get)) if figures["non_200"] else 200,
        **{key: figures[key] for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms")},
        "requests": figures["requests"],
        "urls": len(paths),
        "connections": min(load_options.connections, len(paths)),
        "failed_requests": broken + figures["non_200"],
        "errors": errors,
        "non_200": figures["non_200"],
        "non_200_statuses": statuses,
        "queries": None,
        "queries_cold": None,
        "single_ms": None,
        "loadavg_1m": round(load_before, 2),
    }
    note = "" if row["status"] == 200 else f"  ({figures['non_200']} answers not 200: {statuses})"
    print(
        f"  cold     {name:<22} {row['rps']:>8.1f} req/s  median {row['p50_ms']:.1f} ms  "
        f"p95 {row['p95_ms']:.1f} ms  {row['requests']}/{len(paths)} addresses{note}",
        flush=True,
    )
    return row


def load_description(config):
    """How the passes of the table loaded the server."""
    parts = []
    if set(config.modes) - {"cold"}:
        parts.append(f"wrk -c{config.load.connections} -d{config.load.duration}s")
    if "cold" in config.modes:
        parts.append(f"cold: each address once over {config.cold_load.connections} connections")
    return "; ".join(parts)


def settings_summary(config, database_url, info):
    return {
        "database": database_name(database_url),
        "items": info["items"],
        "published": info["published"],
        "server": asdict(config.server),
        "load": asdict(config.load),
        "cold": {"per_set": config.cold_per_set, "load": asdict(config.cold_load)},
        "page_cache_seconds": config.page_cache_seconds,
        "redis_url": config.redis_url or None,
        "migrations": info["migrations"],
    }


def prepare(config, environment):
    """The checks and set-up shared by both kinds of run; returns the static file's address."""
    require_wrk()
    if not redis_reachable(config.redis_url):
        print(
            f"Redis is not reachable at {config.redis_url!r}: no cached pass, and the "
            "uncached and cold passes use the per-process memory cache.",
            flush=True,
        )
        modes = tuple(mode for mode in config.modes if mode != "cached")
        config = replace(config, redis_url="", modes=modes)
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    LOG_PATH.write_bytes(b"")
    static_env = environment.for_database(config.database_url)
    return config, collect_static(static_env)


def single_candidates(config):
    """The databases a run may use: the configured one; for another count than the default
    (`BENCH_COUNT=1000000 make bench`), also one named for the count, built if need be, so
    that the default database keeps its 100,000 items for the next default run."""
    if config.count == Config.count:
        return [config.database_url]
    name = f"{database_name(config.database_url)}_{config.count}"
    return [config.database_url, with_database_name(config.database_url, name)]


def run_single(config, environment, static_path):
    database_url, info = ensure_database(
        single_candidates(config), config.count, config.seed, environment, rebuild=config.rebuild
    )
    machine = machine_info(info["postgres_version"])
    targets = endpoints(static_path, info["article_path"])
    rows = []
    for mode in config.modes:
        if mode == "cold":
            rows += cold_pass(database_url, config, environment)
        else:
            rows += measure_pass(mode, database_url, targets, config, environment)
    print()
    print(f"{info['items']:,} items, {config.server.describe()}, {load_description(config)}:")
    print(report.format_table(rows))
    back_office = back_office_pass(database_url, config, environment)
    print(
        f"machine: {machine['cpu_reference_ms']} ms for the CPU reference before the run, "
        f"{machine_module.cpu_reference_ms()} ms after (bench/machine.py: lower is faster)"
    )
    document = {
        "kind": "bench",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": settings_summary(config, database_url, info),
        "rows": rows,
        "back_office": back_office,
    }
    path = report.write_json(f"bench-{config.count}", document)
    print(f"\nWritten to {path.relative_to(PROJECT_ROOT)}")


def back_office_pass(database_url, config, environment):
    """The back office's pages for an editor, a publisher and a manager, in-process
    (bench/back_office.py; bench/README.md, "Back office")."""
    if not config.back_office_per_set:
        return []
    print("\nback office (in-process, one request at a time; warm: median of 10 after one):")
    rows = in_django(
        "bench.back_office:report",
        [str(config.back_office_per_set)],
        env=environment.for_database(database_url),
    )
    print(report.format_back_office(rows))
    return rows


def run_scale(config, environment, static_path):
    results, databases, machine = {}, {}, None
    for count in sorted(config.scale):
        per_count = with_database_name(
            config.database_url, f"{database_name(config.database_url)}_{count}"
        )
        database_url, info = ensure_database(
            [config.database_url, per_count],
            count,
            config.seed,
            environment,
            rebuild=config.rebuild,
        )
        databases[count] = settings_summary(config, database_url, info)
        machine = machine or machine_info(info["postgres_version"])
        targets = endpoints(static_path, info["article_path"])
        results[count] = measure_pass("uncached", database_url, targets, config, environment)
    print()
    for count, rows in results.items():
        print(f"{count:,} items:")
        print(report.format_table(rows))
        print()
    growth = report.growth_rows(results)
    print(report.format_growth(growth, results))
    document = {
        "kind": "bench-scale",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {str(count): summary for count, summary in databases.items()},
        "rows": {str(count): rows for count, rows in results.items()},
        "growth": growth,
    }
    name = "bench-scale-" + "-".join(str(count) for count in sorted(results))
    path = report.write_json(name, document)
    print(f"\nWritten to {path.relative_to(PROJECT_ROOT)}")


def stop_on_sigterm():
    """SIGTERM unwinds like Ctrl-C, so that the server is stopped by the `finally` blocks."""

    def unwind(signum, frame):
        print("make bench: terminated; stopping the server.", file=sys.stderr, flush=True)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)


def main():
    stop_on_sigterm()
    try:
        config = Config.from_environment()
        with tempfile.TemporaryDirectory(prefix="osceportal-bench-") as workdir:
            environment = DjangoEnvironment(
                secret_key=secrets.token_urlsafe(50), static_root=Path(workdir) / "static"
            )
            config, static_path = prepare(config, environment)
            if config.scale:
                run_scale(config, environment, static_path)
            else:
                run_single(config, environment, static_path)
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("make bench: interrupted; the server was stopped.", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
