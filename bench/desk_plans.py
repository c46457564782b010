"""The editor's desk query by query (issue 18, part 1): for each of the bench's people
(bench/back_office.py), every SQL statement `news.desk.shelves(user)` runs, named for its shelf,
with its time and what PostgreSQL did for it (`EXPLAIN (ANALYZE, BUFFERS)`): whether it read
news_newsitem from end to end (a Seq Scan), the most rows it sorted, and the pages it touched.

Runs inside Django only (`python -m bench.in_django bench.desk_plans:report [--plans]`)."""

import json
import re
import statistics
import sys
import time

from django.db import connection

from news import desk

from .back_office import bench_people

REPEAT = 5
ITEMS_TABLE = "news_newsitem"
# Each statement of the desk by what it asks for, the first that matches (the parameters are
# apart: the statement's text names columns and tables only).
SHELF_OF = [
    ("my drafts", r'"created_by_id"'),
    ("awaiting my sign-off", r'"state" = %s AND U0\."structure_id" IN'),
    ("awaiting others", r"news_signoff"),
    ("source changed", r'"source_version"'),
    ("scheduled", r'"published_at" > '),
    ("recently published", r'"published_at" <= '),
    ("review", r'"needs_review"'),
]


def shelf_of(sql):
    for name, pattern in SHELF_OF:
        if re.search(pattern, sql, re.S):
            return name
    return "the user's bodies and rights"


class Recorder:
    """An execute wrapper that keeps each statement with its parameters and time."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.statements.append((sql, params, elapsed))


def recorded_desk(user):
    """The statements of one desk of `user`, as a request reads it: the user read afresh, so
    that nothing (their rights, their bodies) is kept from the desk before."""
    user = type(user).objects.get(pk=user.pk)
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        desk.shelves(user)
    return recorder.statements


def plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


def explained(sql, params):
    """What PostgreSQL did for one statement, run again under EXPLAIN (ANALYZE, BUFFERS)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        text = "\n".join(line for (line,) in cursor.fetchall())
    plan = (json.loads(document) if isinstance(document, str) else document)[0]
    nodes = list(plan_nodes(plan["Plan"]))
    return {
        "execution_ms": round(plan["Execution Time"], 2),
        "seq_scan_items": any(
            n["Node Type"] == "Seq Scan" and n.get("Relation Name") == ITEMS_TABLE for n in nodes
        ),
        "seq_scans": sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"}),
        "sorted_rows": max(
            (n["Actual Rows"] * n["Actual Loops"] for n in nodes if "Sort" in n["Node Type"]),
            default=0,
        ),
        "buffers": plan["Plan"].get("Shared Hit Blocks", 0)
        + plan["Plan"].get("Shared Read Blocks", 0),
        "plan": text,
    }


def shelves_of(user):
    """{shelf: {"ms": median of REPEAT desks (the shelf's statements summed), "statements":
    [explained]}} after one desk first (as a desk is used all day)."""
    recorded_desk(user)
    runs = [recorded_desk(user) for _ in range(REPEAT)]
    found = {}
    for sql, params, _ms in runs[0]:
        shelf = found.setdefault(shelf_of(sql), {"statements": []})
        shelf["statements"].append({"sql": sql, **explained(sql, params)})
    for name, shelf in found.items():
        sums = [sum(ms for sql, _p, ms in run if shelf_of(sql) == name) for run in runs]
        shelf["ms"] = round(statistics.median(sums), 2)
    return found


def whole_desk_ms(user):
    timings = []
    for _ in range(REPEAT):
        user = type(user).objects.get(pk=user.pk)
        started = time.perf_counter()
        desk.shelves(user)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def report(arguments):
    """Entry point: {who: {"desk_ms": …, "shelves": …}} as JSON; `--plans` keeps the plans'
    text (else left out)."""
    with_plans = "--plans" in arguments
    result = {}
    for who, user in bench_people().items():
        shelves = shelves_of(user)
        if not with_plans:
            for shelf in shelves.values():
                for statement in shelf["statements"]:
                    statement.pop("plan")
        result[who] = {"desk_ms": whole_desk_ms(user), "shelves": shelves}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
