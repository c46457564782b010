-- wrk calls done() once, after the run: print the figures bench/run.py reads as one JSON line.
-- Latencies are in microseconds in wrk; converted to milliseconds here. bench/cold.lua loads
-- this file for bench_json() and adds keys of its own (`extra`, each starting with ", ").
function bench_json(summary, latency, extra)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  return string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}%s}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout, extra or "")
end

done = function(summary, latency, requests)
  io.write(bench_json(summary, latency))
end
