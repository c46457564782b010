"""`make bench-desk`: the editor's desk at a million items (bench/README.md, "Desk at 1,000,000
items"; issue 18, part 1). Not a test: figures for issue notes.

The bench database of BENCH_DESK_COUNT (1,000,000) generated items is built or reused as
`make bench` does (bench/corpus.py: `osceportal_bench_<count>`), then, in a child process with
production settings, for an editor of the Programme Office in Dushanbe, a publisher of the
Secretariat and a manager (bench/back_office.py): each shelf's statements, their time (the
median of five desks after a first) and whether PostgreSQL read news_newsitem from end to end
(bench/desk_plans.py). BENCH_DESK_PLANS=1 prints each statement's plan too."""

import os
import secrets
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from . import report
from .corpus import database_name, ensure_database
from .machine import cpu_reference_ms
from .processes import PROJECT_ROOT, BenchError, DjangoEnvironment, in_django
from .run import Config, env_int, single_candidates


def shelf_lines(who, found):
    yield f"{who}: the whole desk {found['desk_ms']} ms"
    for name, shelf in found["shelves"].items():
        statements = shelf["statements"]
        seq = "SEQ SCAN of news_newsitem" if any(s["seq_scan_items"] for s in statements) else ""
        sorted_rows = max(s["sorted_rows"] for s in statements)
        buffers = sum(s["buffers"] for s in statements)
        yield (
            f"  {name:<30} {shelf['ms']:>8.2f} ms  {len(statements)} statement(s)  "
            f"{buffers:>7} pages  sorted {sorted_rows:>6} rows  {seq}"
        )


def plan_lines(found):
    for name, shelf in found["shelves"].items():
        for statement in shelf["statements"]:
            yield f"--- {name} ({statement['execution_ms']} ms)\n{statement['sql']}"
            yield statement["plan"]


def main():
    count = env_int("BENCH_DESK_COUNT", 1_000_000)
    plans = os.environ.get("BENCH_DESK_PLANS", "") not in ("", "0")
    config = replace(Config(), count=count)
    print(f"CPU reference before: {cpu_reference_ms():.1f} ms", flush=True)
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as folder:
        environment = DjangoEnvironment(secrets.token_urlsafe(40), Path(folder) / "static")
        url, info = ensure_database(single_candidates(config), count, config.seed, environment)
        result = in_django(
            "bench.desk_plans:report", ["--plans"], env=environment.for_database(url)
        )
    print(f"\nThe desk at {info['items']:,} items ({database_name(url)}):")
    for who, found in result.items():
        print("\n".join(shelf_lines(who, found)))
        if plans:
            print("\n".join(plan_lines(found)))
    print(f"CPU reference after: {cpu_reference_ms():.1f} ms", flush=True)
    path = report.write_json(f"desk-{count}", {"kind": "bench-desk", "people": result})
    print(f"Written to {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench-desk: {error}")
