"""The bench databases: built once (migrate, reference data, generate_news, VACUUM) and
reused while a marker in bench/data/ says they still match what is asked for."""

import hashlib
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from .processes import MANAGE, PROJECT_ROOT, BenchError, probe, run

MARKER_DIR = PROJECT_ROOT / "bench" / "data"
BUILD_TIMEOUT = 3 * 3600  # a safety stop, far above a real build (bench/README.md has the times)

# What shapes the generated corpus, relative to the project root: every file of CORPUS_APP, then
# CORPUS_INPUTS. A change to any of them rebuilds the bench database rather than reusing a stale
# one; model fields and choices are left to the marker's list of migrations.
CORPUS_APP = "sampledata"
CORPUS_INPUTS = (
    "osceportal/data/osce.yaml",  # the taxonomy: the bodies, countries and fields drawn from
    "news/reference_data.py",  # its loader, which also sets the order bodies are drawn in
    "news/reference_merge.py",  # its merge with what managers changed
    "structures/models.py",  # Structure.name_on: the name a body had on a day
    "news/sanitise.py",  # clean_body, which every body goes through
    "news/jsonl.py",  # ParsedLine, the line the generator writes
    "news/jsonl_store.py",  # create_all, which stores the lines
)


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def with_database_name(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def maintenance_url(url):
    return with_database_name(url, "postgres")


def corpus_sources(root=PROJECT_ROOT):
    """The files that shape the corpus (see CORPUS_INPUTS), in a fixed order: every file of
    `sampledata/` sorted by path (compiled files and hidden ones, such as an editor's swap file,
    aside), then the inputs. A missing input is an error, never skipped: a file that moved would
    otherwise drop out of the hash unnoticed."""
    app = root / CORPUS_APP
    if not app.is_dir():
        raise BenchError(f"{app} is missing: the corpus generator (`generate_news`) lives there.")
    own = sorted(
        path
        for path in app.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(app).parts)
    )
    inputs = [root / name for name in CORPUS_INPUTS]
    missing = [name for name, path in zip(CORPUS_INPUTS, inputs, strict=True) if not path.is_file()]
    if missing:
        raise BenchError(
            f"{', '.join(missing)}: named in CORPUS_INPUTS (bench/corpus.py) but not found. If the "
            "code moved, name its new place there, so that the bench database is rebuilt when it "
            "changes."
        )
    return [*own, *inputs]


def generator_identity(root=PROJECT_ROOT):
    """Everything that shapes the corpus (corpus_sources), as a short hash: a change to any of
    it means a different corpus, so the database is rebuilt. Each file's path counts as well as
    its content, so a file renamed or moved between the parts changes the hash too."""
    digest = hashlib.sha256()
    for path in corpus_sources(root):
        name = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s:%d:" % (len(name), name, len(content)))
        digest.update(content)
    return f"generate_news:{digest.hexdigest()[:12]}"


def marker_path(url):
    return MARKER_DIR / f"{database_name(url)}.json"


def read_marker(url):
    try:
        return json.loads(marker_path(url).read_text())
    except (OSError, ValueError):
        return None


def write_marker(url, marker):
    MARKER_DIR.mkdir(parents=True, exist_ok=True)
    marker_path(url).write_text(json.dumps(marker, indent=2) + "\n")


def database_exists(url):
    try:
        with psycopg.connect(maintenance_url(url), connect_timeout=5) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
            ).fetchone()
    except psycopg.OperationalError as error:
        raise BenchError(
            f"cannot reach PostgreSQL at {maintenance_url(url)}: {error}. Start it, or set "
            "BENCH_DATABASE_URL to a server where this user may create databases."
        ) from None
    return found is not None


def recreate_database(url):
    name = sql.Identifier(database_name(url))
    with psycopg.connect(maintenance_url(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def compact_and_analyze(url):
    """Leave the database as autovacuum keeps a live one: compact (a bulk build leaves dead row
    versions behind, which every sequential scan would read), then a plain VACUUM, which sets
    the visibility map that index-only scans rely on (VACUUM FULL does not), and fresh planner
    statistics."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("VACUUM (FULL)")
        connection.execute("VACUUM (ANALYZE)")


def why_not_reusable(url, wanted, env):
    """None when the database matches `wanted` (count, seed, generator) and was built with the
    migrations it has applied (those added since are applied by `catch_up`); otherwise the
    reason to rebuild it."""
    marker = read_marker(url)
    if marker is None:
        return "no marker"
    if not database_exists(url):
        return "database missing"
    changed = [key for key, value in wanted.items() if marker.get(key) != value]
    if changed:
        return "changed: " + ", ".join(f"{k} {marker.get(k)!r} → {wanted[k]!r}" for k in changed)
    info = probe(["info"], env=env)
    if applied_migrations(info) != marker.get("migrations"):
        return "migrations changed"
    if info["items"] != marker.get("items"):
        return f"holds {info['items']} items, the marker says {marker.get('items')}"
    return None


def applied_migrations(info):
    return sorted(set(info["migrations"]) - set(info["unapplied_migrations"]))


def catch_up(url, env):
    """Migrations added since the database was built, applied as production applies them
    (an index of a new migration is built over the archive there too), then fresh planner
    statistics; the marker records them. Rebuilding a million items for a new index would take
    a quarter of an hour."""
    print(f"  applying the migrations added since {database_name(url)} was built", flush=True)
    run([*MANAGE, "migrate", "--no-input"], env=env, timeout=BUILD_TIMEOUT, what="migrate")
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("VACUUM (ANALYZE)")
    info = probe(["info"], env=env)
    write_marker(url, {**read_marker(url), "migrations": applied_migrations(info)})
    return info


def build(url, count, seed, env):
    started = time.monotonic()
    marker_path(url).unlink(missing_ok=True)  # a build that fails half-way is never reused
    print(f"  creating {database_name(url)}", flush=True)
    recreate_database(url)
    run([*MANAGE, "migrate", "--no-input"], env=env, timeout=600, what="migrate")
    run([*MANAGE, "load_reference_data"], env=env, timeout=600, what="load_reference_data")
    generating = time.monotonic()
    print(f"  generating {count:,} items (seed {seed})", flush=True)
    command = [*MANAGE, "generate_news", "--count", str(count), "--seed", str(seed), "--replace"]
    run(command, env=env, timeout=BUILD_TIMEOUT, what="generate_news")
    generated = time.monotonic()
    compact_and_analyze(url)
    return {
        "generate_seconds": round(generated - generating, 1),
        "build_seconds": round(time.monotonic() - started, 1),
    }


def ensure_database(candidates, count, seed, environment, *, rebuild=False):
    """The first of `candidates` (database URLs) that already holds `count` items from `seed`,
    or the last one, (re)built. Returns its URL and what it holds (see django_probe info)."""
    wanted = {"count": count, "seed": seed, "generator": generator_identity()}
    reason = "BENCH_REBUILD"
    for url in [] if rebuild else candidates:
        env = environment.for_database(url)
        reason = why_not_reusable(url, wanted, env)
        if reason is None:
            print(f"Reusing {database_name(url)} ({count:,} items, seed {seed}).", flush=True)
            info = probe(["info"], env=env)
            return url, catch_up(url, env) if info["unapplied_migrations"] else info
    url = candidates[-1]
    print(f"Building {database_name(url)} ({reason}):", flush=True)
    env = environment.for_database(url)
    timings = build(url, count, seed, env)
    info = probe(["info"], env=env)
    marker = {
        **wanted,
        "database": database_name(url),
        "items": info["items"],
        "published": info["published"],
        "migrations": info["migrations"],
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **timings,
    }
    write_marker(url, marker)
    print(f"  built in {timings['build_seconds']} s ({info['items']:,} items)", flush=True)
    return url, info
