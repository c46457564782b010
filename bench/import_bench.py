"""`make bench-import`: how fast `import_news` takes a migration-sized file, and that its memory
does not grow with the file (bench/README.md, "Import"). Not a test: figures for issue notes.

A fresh PostgreSQL database of its own (BENCH_IMPORT_DATABASE_URL, by default
osceportal_import_bench on 127.0.0.1), migrated and with the reference data, takes in turn:
  1. a generated file of BENCH_IMPORT_COUNT lines (100,000): every line creates an item;
  2. the same file again, after VACUUM (ANALYZE) as autovacuum would run: every line unchanged;
  3. BENCH_IMPORT_CHANGED lines (10,000) of it with a new title and lead: every line updates;
  4. a second generated file of BENCH_IMPORT_CHANGED lines (another seed): creates, to compare
     the peak memory of a small file with that of the large one (1).
Each import runs in a child process (production settings, DEBUG off) that reports its own time
and peak RSS, so that no run inherits another's memory. The database is dropped at the end."""

import json
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

from .corpus import compact_and_analyze, maintenance_url, recreate_database
from .processes import MANAGE, PROJECT_ROOT, PYTHON, BenchError, DjangoEnvironment, run

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/osceportal_import_bench"
DATA_DIR = PROJECT_ROOT / "bench" / "data"
IMPORT_TIMEOUT = 3600


def env_int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise BenchError(f"{name}={value!r}: give a whole number of lines.") from None


# --- in the child process (Django set up on the bench database) ---------------------------------


def child_generate(count, seed, path):
    """Write `count` lines of the synthetic corpus (sampledata) as export_news writes them."""
    from sampledata.generator import generate

    with open(path, "w", encoding="utf-8") as handle:
        for line in generate(count, seed):
            handle.write(json.dumps(line.record(), ensure_ascii=False, sort_keys=True) + "\n")


def revise(source, target, count):
    """`count` lines spread over `source`, each with another title and lead, as a corrected
    archive would have them."""
    total = sum(1 for _ in open(source, "rb"))  # noqa: SIM115
    step = max(total // count, 1)
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for number, text in enumerate(lines):
            if number % step == 0 and number // step < count:
                record = json.loads(text)
                record["title"] = f"{record['title']} (revised)"[:300]
                record["lead"] = f"Revised. {record['lead']}"
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return target


def child_import(path):
    """Import `path` and print what it took: seconds, lines, outcomes, peak RSS."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    started = time.perf_counter()
    try:
        call_command("import_news", path, stdout=out, stderr=err)
    except CommandError as error:
        out.write(f"\n{error}")
    seconds = time.perf_counter() - started
    lines = sum(1 for _ in open(path, "rb"))  # noqa: SIM115 (after the run: not in its memory)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    failures = [text for text in err.getvalue().splitlines() if text.startswith("line ")]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "lines": lines,
                "summary": out.getvalue().strip().splitlines()[0],
                "failures": failures[:5],
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def child(arguments):
    import django

    django.setup()
    if arguments[0] == "generate":
        count, seed, path = arguments[1:]
        child_generate(int(count), int(seed), path)
    else:
        child_import(arguments[1])


# --- the parent ---------------------------------------------------------------------------------


def import_file(env, path, what):
    print(f"  {what} …", flush=True)
    output = run(
        [PYTHON, "-m", "bench.import_bench", "--child", "import", str(path)],
        env=env,
        timeout=IMPORT_TIMEOUT,
        what=f"import_news ({what})",
    )
    result = json.loads(output.strip().splitlines()[-1])
    result["rate"] = result["lines"] / result["seconds"]
    print(
        f"    {result['lines']:,} lines in {result['seconds']:,.1f} s: "
        f"{result['rate']:,.0f} lines/s, peak RSS {result['peak_rss_mib']:,.0f} MiB; "
        f"{result['summary']}",
        flush=True,
    )
    for failure in result["failures"]:
        print(f"    {failure}", flush=True)
    return result


def generate(env, count, seed, path):
    run(
        [
            PYTHON,
            "-m",
            "bench.import_bench",
            "--child",
            "generate",
            str(count),
            str(seed),
            str(path),
        ],
        env=env,
        timeout=IMPORT_TIMEOUT,
        what="generating the file",
    )
    return path


def main():
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    count = env_int("BENCH_IMPORT_COUNT", 100_000)
    changed = env_int("BENCH_IMPORT_CHANGED", 10_000)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        folder = Path(folder)
        env = DjangoEnvironment(secrets.token_urlsafe(40), folder / "static").for_database(url)
        print(f"Creating {url.rsplit('/', 1)[-1]} (migrate, load_reference_data) …", flush=True)
        recreate_database(url)
        try:
            run([*MANAGE, "migrate", "--no-input"], env=env, timeout=600, what="migrate")
            run([*MANAGE, "load_reference_data"], env=env, timeout=600, what="reference data")
            compact_and_analyze(url)
            print(f"Generating {count:,} lines …", flush=True)
            large = generate(env, count, 1, folder / "news.jsonl")
            revised = revise(large, folder / "revised.jsonl", changed)
            small = generate(env, changed, 2, folder / "small.jsonl")
            print(f"File of {large.stat().st_size / 2**20:,.0f} MiB. Imports:", flush=True)
            first = import_file(env, large, f"first import of {count:,} lines (creates)")
            compact_and_analyze(url)
            again = import_file(env, large, "the same file again (unchanged)")
            updates = import_file(env, revised, f"{changed:,} changed lines (updates)")
            small_run = import_file(env, small, f"{changed:,} new lines (peak memory)")
        finally:
            drop_database(url)
    print(
        "\nSummary (lines/s): "
        f"creates {first['rate']:,.0f}, unchanged {again['rate']:,.0f}, "
        f"updates {updates['rate']:,.0f}. Peak RSS: {small_run['lines']:,} lines "
        f"{small_run['peak_rss_mib']:,.0f} MiB, {first['lines']:,} lines "
        f"{first['peak_rss_mib']:,.0f} MiB."
    )


def drop_database(url):
    import psycopg
    from psycopg import sql

    name = sql.Identifier(url.rsplit("/", 1)[-1])
    with psycopg.connect(maintenance_url(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        try:
            main()
        except BenchError as error:
            sys.exit(f"bench-import: {error}")
