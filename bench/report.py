"""The issue's targets, the printed tables and the JSON written to bench/results/."""

import json
from datetime import datetime

from .processes import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"

# Issue 5, "Targets" (2-core machine, 100,000 items).
LATENCY_TARGETS = {  # kind: (median ms, p95 ms) for the uncached pass
    "listing": (50, 150),
    "search": (50, 150),
    "article": (30, None),
}
# Issue 15: the cold pass, each address of a set once (bench/README.md, "Cold pass").
COLD_TARGETS = {  # kind (the set): (median ms, p95 ms); None: no target on that figure
    "listing": (12, None),
    "field_country": (25, 60),
    "search": (25, 60),
    "phrase": (None, 100),
    "article": (8, None),
}
CACHED_SHARE_OF_STATIC = 0.5
CACHED_TARGET_KINDS = {"page", "listing", "search", "article", "feed"}
GROWTH_TARGET = 1.5


def check(row):
    """What the issue asks of this row: "ok", the misses, or "" when it sets no target. An
    answer other than 200, or failed requests, are always reported."""
    misses = target_misses(row)
    if row["status"] != 200 or row["failed_requests"]:
        misses.append(f"HTTP {row['status']}, {row['failed_requests']} failed")
    if row.get("in_process_status") not in (None, 200):
        misses.append(f"HTTP {row['in_process_status']} in-process")
    if row.get("urls") is not None and row["requests"] < row["urls"]:
        # A set of the cold pass that its time limit cut short: the slowest addresses are the
        # ones left out.
        misses.append(f"only {row['requests']} of {row['urls']} addresses answered")
    elif row["requests"] < 2 * row["connections"]:
        # Each connection finished fewer than two requests: the figures describe the first
        # wave only, and the slowest requests were cut off by the end of the run (or, in the
        # cold pass, the set is that small).
        knob = "BENCH_COLD_PER_SET" if row["mode"] == "cold" else "BENCH_DURATION"
        misses.append(f"only {row['requests']} requests: raise {knob}")
    if misses:
        return "MISS " + ", ".join(misses)
    return "ok" if has_target(row) else ""


def has_target(row):
    if row["mode"] == "uncached":
        return row["kind"] in LATENCY_TARGETS
    if row["mode"] == "cold":
        return row["kind"] in COLD_TARGETS
    return row["kind"] in CACHED_TARGET_KINDS


def target_misses(row):
    if not has_target(row):
        return []
    if row["mode"] == "cached":
        share = row["vs_static"]
        if share is not None and share < CACHED_SHARE_OF_STATIC:
            return [f"<{CACHED_SHARE_OF_STATIC:.0%} static"]
        return []
    targets = COLD_TARGETS if row["mode"] == "cold" else LATENCY_TARGETS
    return latency_misses(row, *targets[row["kind"]])


def latency_misses(row, median_target, p95_target):
    """The latency targets the row misses; a target of None is no target."""
    misses = []
    if median_target is not None and row["p50_ms"] > median_target:
        misses.append(f"median>{median_target}")
    if p95_target is not None and row["p95_ms"] > p95_target:
        misses.append(f"p95>{p95_target}")
    return misses


def add_static_ratios(rows):
    """Each row's requests/s as a share of the static file's in the same pass (the mean of its
    measurements, at the start and the end of the pass)."""
    static = {}
    for mode in {row["mode"] for row in rows}:
        figures = [row["rps"] for row in rows if row["kind"] == "static" and row["mode"] == mode]
        if figures:
            static[mode] = sum(figures) / len(figures)
    for row in rows:
        ceiling = static.get(row["mode"])
        row["vs_static"] = round(row["rps"] / ceiling, 3) if ceiling else None
        row["check"] = check(row)


def format_table(rows):
    header = (
        f"{'endpoint':<22} {'mode':<8} {'req/s':>8} {'median':>8} {'p95':>8} {'p99':>8} "
        f"{'1 req':>8} {'SQL':>5} {'vs static':>9}  check"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['endpoint']:<22} {row['mode']:<8} {row['rps']:>8.1f} "
            f"{milliseconds(row['p50_ms'])} {milliseconds(row['p95_ms'])} "
            f"{milliseconds(row['p99_ms'])} {milliseconds(row['single_ms'])} "
            f"{queries(row):>5} {percent(row['vs_static']):>9}  {row['check']}"
        )
    lines.append(
        "median/p95/p99: under load (wrk); 1 req: one request at a time, in-process; "
        "SQL: queries of a warm request/of the first one, when they differ."
    )
    if any(row["mode"] == "cold" for row in rows):
        lines.append(
            "cold: each address of the set requested once, by a fresh server with empty caches "
            '(bench/README.md, "Cold pass").'
        )
    return "\n".join(lines)


def milliseconds(value):
    return f"{'—':>8}" if value is None else f"{value:>6.1f}ms"


def queries(row):
    if row["queries"] is None:
        return "—"
    if row["queries_cold"] in (None, row["queries"]):
        return str(row["queries"])
    return f"{row['queries']}/{row['queries_cold']}"


def percent(ratio):
    return "—" if ratio is None else f"{ratio:.0%}"


def growth(first, last):
    if first is None or last is None or not first:
        return None
    return round(last / first, 2)


def growth_check(ratio, single_ratio):
    """The target is on the median under load; one request at a time is the steadier reading
    on a noisy machine, so a miss on either is reported, naming which."""
    misses = [
        name
        for name, value in (("under load", ratio), ("1 req", single_ratio))
        if value is not None and value > GROWTH_TARGET
    ]
    return "MISS " + ", ".join(misses) if misses else "ok"


def growth_rows(results_by_count):
    """Each uncached median (under load, and of one request at a time) at every count, and how
    it grew from the smallest count to the largest."""
    counts = sorted(results_by_count)
    by_endpoint = {
        count: {row["endpoint"]: row for row in results_by_count[count]} for count in counts
    }
    rows = []
    for endpoint, first in by_endpoint[counts[0]].items():
        last = by_endpoint[counts[-1]].get(endpoint)
        if last is None:
            continue
        ratio = growth(first["p50_ms"], last["p50_ms"])
        single_ratio = growth(first["single_ms"], last["single_ms"])
        rows.append(
            {
                "endpoint": endpoint,
                "medians_ms": {str(c): by_endpoint[c][endpoint]["p50_ms"] for c in counts},
                "single_ms": {str(c): by_endpoint[c][endpoint]["single_ms"] for c in counts},
                "rps": {str(c): by_endpoint[c][endpoint]["rps"] for c in counts},
                "growth": ratio,
                "single_growth": single_ratio,
                "check": growth_check(ratio, single_ratio),
            }
        )
    return rows


def format_growth(rows, counts):
    counts = sorted(counts)
    labels = "".join(f"{f'{c:,}':>10}" for c in counts)
    target = f"check (≤ {GROWTH_TARGET}×)"
    header = f"{'endpoint':<22}{labels} {'growth':>7}  |{labels} {'growth':>7}  {target}"
    lines = [
        "Uncached: median under load (ms), then one request at a time (ms), by item count:",
        header,
        "-" * len(header),
    ]
    for row in rows:
        medians = "".join(f"{row['medians_ms'][str(c)]:>10.1f}" for c in counts)
        singles = "".join(f"{number(row['single_ms'][str(c)]):>10}" for c in counts)
        lines.append(
            f"{row['endpoint']:<22}{medians} {times(row['growth']):>7}  |"
            f"{singles} {times(row['single_growth']):>7}  {row['check']}"
        )
    return "\n".join(lines)


def number(value):
    return "—" if value is None else f"{value:.1f}"


def times(ratio):
    return "—" if ratio is None else f"{ratio:.2f}×"


def format_back_office(rows):
    """The back office's pages (bench/back_office.py): one line a person and page."""
    lines = [f"{'who':<10} {'page':<36} {'pass':<5} {'n':>3} {'median':>8} {'p95':>8}  target"]
    for row in rows:
        target = f"{row['target']} ms {row['ok']}" if row["target"] else ""
        lines.append(
            f"{row['who']:<10} {row['page']:<36} {row['pass']:<5} {row['n']:>3} "
            f"{row['median']:>8.1f} {row['p95']:>8.1f}  {target}"
        )
    return "\n".join(lines)


def write_json(name, document):
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
