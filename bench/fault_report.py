"""What a `make bench-faults` run measured (bench/faults.py): the phases of the run, each fault's
window and recovery, the targets, and the report printed on the terminal."""


def is_error(status):
    return not 200 <= status < 400


def analyse(load, faults, publishing, visible, started, ended, plan):
    """Phases, fault windows, recovery times and the verdict, from wrk's per-second counts."""
    for fault in faults:
        fault["window_end"] = fault["back"] + plan.recovery_target
    buckets = {}  # second -> {status: responses}
    for second, status, n in load["by_second"]:
        buckets.setdefault(second, {})[status] = n
    phases = phase_table(buckets, faults, started, ended)
    for index, fault in enumerate(faults):
        until = faults[index + 1]["began"] if index + 1 < len(faults) else ended
        fault.update(recovery(buckets, fault, until))
    errors_outside = sum(p["errors"] for p in phases if p["fault"] is None)
    socket_errors = sum(load["socket_errors"].values())
    failed_attempts = publishing["failed_attempts"]
    checks = {
        "no errors outside the fault windows": errors_outside == 0,
        f"recovery within {plan.recovery_target:g} s": all(
            f["recovery_seconds"] <= plan.recovery_target for f in faults
        ),
        "no connection errors or timeouts": socket_errors == 0,
        "every published item on the listing and in the API": not (
            visible["missing_from_listing"] or visible["missing_from_api"]
        ),
    }
    return {
        "requests": load["requests"],
        "latency_ms": {key: load[key] for key in ("p50_ms", "p99_ms", "max_ms")},
        "socket_errors": load["socket_errors"],
        "by_status": totals(buckets.values()),
        "phases": phases,
        "faults": [as_offsets(fault, started) for fault in faults],
        "errors_outside_fault_windows": errors_outside,
        "published": len(publishing["published"]),
        "published_items": [as_offsets(item, started) for item in publishing["published"]],
        "failed_publish_attempts": [as_offsets(a, started) for a in failed_attempts],
        **visible,
        "checks": checks,
    }


def totals(counts):
    summed = {}
    for by_status in counts:
        for status, n in by_status.items():
            summed[status] = summed.get(status, 0) + n
    return {str(status): n for status, n in sorted(summed.items())}


def phase_table(buckets, faults, started, ended):
    """The run cut at the fault windows: before, each window, between, after. A second that
    overlaps a window belongs to it (the benefit of the doubt goes to the clean phases)."""
    edges = [("before", None, started)]
    for index, fault in enumerate(faults):
        edges.append((fault["fault"], fault, fault["began"]))
        name = "after" if index == len(faults) - 1 else "between"
        edges.append((name, None, fault["window_end"]))
    phases = []
    for index, (name, fault, begin) in enumerate(edges):
        end = edges[index + 1][2] if index + 1 < len(edges) else ended
        phases.append({"phase": name, "fault": fault and fault["fault"], "from": begin, "to": end})
    for phase in phases:
        phase["counts"] = {}
    for second, by_status in buckets.items():
        phase = owner(phases, second)
        for status, n in by_status.items():
            phase["counts"][status] = phase["counts"].get(status, 0) + n
    return [
        {
            "phase": phase["phase"],
            "fault": phase["fault"],
            "from_s": round(phase["from"] - started, 1),
            "to_s": round(phase["to"] - started, 1),
            "requests": sum(phase["counts"].values()),
            "errors": sum(n for status, n in phase["counts"].items() if is_error(status)),
            "by_status": totals([phase["counts"]]),
        }
        for phase in phases
    ]


def owner(phases, second):
    overlapping = [p for p in phases if second + 1 > p["from"] and second < p["to"]]
    windows = [p for p in overlapping if p["fault"]]
    return (windows or overlapping or [phases[-1]])[0]


def recovery(buckets, fault, until):
    """How long after its service came back the site answered cleanly again: from `back` to
    the start of the first second after the fault's last error (up to the next fault)."""
    error_seconds = [
        second
        for second, by_status in buckets.items()
        if fault["began"] - 1 < second < until and any(is_error(s) for s in by_status)
    ]
    clean_from = max(error_seconds) + 1 if error_seconds else fault["began"]
    return {
        "errors": sum(
            n
            for second in error_seconds
            for status, n in buckets[second].items()
            if is_error(status)
        ),
        "clean_from": clean_from,
        "recovery_seconds": round(max(0.0, clean_from - fault["back"]), 1),
    }


def as_offsets(record, started):
    """Epoch times in `record` as seconds from the start of the run."""
    keys = ("began", "back", "window_end", "clean_from", "at", "due", "stored")
    return {
        key: round(value - started, 2) if key in keys else value for key, value in record.items()
    }


def format_report(result):
    lines = [
        f"{result['requests']:,} requests; by status: {result['by_status']}; "
        f"socket errors: {result['socket_errors']}",
        "",
        f"{'phase':<18} {'from':>6} {'to':>6} {'requests':>9} {'errors':>7}  by status",
    ]
    for phase in result["phases"]:
        lines.append(
            f"{phase['phase']:<18} {phase['from_s']:>5.1f}s {phase['to_s']:>5.1f}s "
            f"{phase['requests']:>9,} {phase['errors']:>7,}  {phase['by_status']}"
        )
    lines.append("")
    for fault in result["faults"]:
        lines.append(
            f"{fault['fault']}: began at {fault['began']:.1f} s, service back at "
            f"{fault['back']:.1f} s ({fault['back'] - fault['began']:.1f} s out), "
            f"{fault['errors']:,} errors, clean again from {fault['clean_from']:.1f} s: "
            f"recovery {fault['recovery_seconds']:.1f} s"
        )
    attempts = result["failed_publish_attempts"]
    lines += [
        f"errors outside the fault windows: {result['errors_outside_fault_windows']}",
        f"published: {result['published']} items, {len(attempts)} failed attempts "
        f"(retried until stored){': ' if attempts else ''}"
        + "; ".join(f"{a['slug']} at {a['at']:.1f} s ({a['error']})" for a in attempts[:8])
        + (" …" if len(attempts) > 8 else ""),
        f"listing pages that failed: {result['listing_errors'] or 'none'}; "
        f"missing from the listing: {result['missing_from_listing'] or 'none'}; "
        f"from the API: {result['missing_from_api'] or 'none'}",
        "",
    ]
    for check, passed in result["checks"].items():
        lines.append(f"{'ok  ' if passed else 'MISS'} {check}")
    return "\n".join(lines)
