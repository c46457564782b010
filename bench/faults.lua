-- The load of `make bench-faults` (bench/faults.py): each connection goes round the addresses
-- given after `--` (listing, search, article), and every response is counted by the second it
-- arrived in (os.time(): the same clock as the fault times the harness records) and its status.
-- done() merges the threads' counts and prints them as one JSON line that bench/faults.py reads.
-- Failed connections and timeouts never reach response(): wrk counts them in summary.errors.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}  -- args[0] is the base URL, the addresses follow
  for i = 1, #args do
    paths[i] = args[i]
  end
  turn = 0
  counts = {}  -- "second status" -> responses
end

function request()
  turn = turn % #paths + 1
  return wrk.format(nil, paths[turn])
end

function response(status, headers, body)
  local key = os.time() .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do
      merged[key] = (merged[key] or 0) + n
    end
  end
  local entries = {}
  for key, n in pairs(merged) do
    local second, status = key:match("(%d+) (%d+)")
    table.insert(entries, string.format('[%s, %s, %d]', second, status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'FAULTS_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "socket_errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d}, "by_second": [%s]}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors.connect, errors.read,
    errors.write, errors.timeout, table.concat(entries, ", ")))
end
