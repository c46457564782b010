-- The cold pass (bench/README.md, "Cold pass"): every path of a file requested once.
--
--   BENCH_PATHS=file wrk -tN -cN -s bench/cold.lua http://host:port/first/path -- N
--
-- The file holds one path a line; the script's argument is the number of threads, N (a thread's
-- init() runs before the next thread is set up, so counting threads in setup() is too late).
-- Thread k (0 to N-1) requests paths k+1, k+1+N, k+1+2N, … of the file over its one connection,
-- each once, and stops when the last has been answered.
--
-- wrk itself sleeps for its whole -d however early its threads stop, and reports over that
-- time: the last thread to finish sends wrk the SIGINT of Ctrl-C, which ends the sleep and
-- reports at once. A thread knows it is the last from the files the threads leave beside the
-- path file when they finish (BENCH_PATHS.done-k): a thread writes its own before it looks for
-- the others', so at least one thread sees them all (two may: a second SIGINT is harmless).

local ffi = require("ffi") -- wrk runs LuaJIT
ffi.cdef [[
int getpid(void);
int kill(int pid, int sig);
]]
local SIGINT = 2

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua") -- bench_json()

local threads = {} -- in the setup and done environment only

function setup(thread)
  thread:set("id", #threads) -- a global of the thread's environment, read by init()
  threads[#threads + 1] = thread
end

local function marker(k)
  return string.format("%s.done-%d", os.getenv("BENCH_PATHS"), k)
end

function init(args)
  count = tonumber(args[1])
  paths = {}
  local index = 0
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then
      if index % count == id then
        paths[#paths + 1] = line
      end
      index = index + 1
    end
  end
  answered, non200, statuses = 0, 0, {}
end

-- The next path not yet answered. Counting answers rather than calls matters: wrk calls
-- request() once more, for thread 0 before the run, to check what it returns; and after a
-- broken connection it asks again for the request that got no answer.
function request()
  return wrk.format(nil, paths[answered + 1])
end

local function finished()
  local own = assert(io.open(marker(id), "w"))
  own:close()
  for k = 0, count - 1 do
    local other = io.open(marker(k))
    if not other then
      return
    end
    other:close()
  end
  ffi.C.kill(ffi.C.getpid(), SIGINT)
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    non200 = non200 + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
  if answered == #paths then
    wrk.thread:stop()
    finished()
  end
end

-- report.lua's line, with the answers other than 200 (wrk counts only those above 399) in
-- all and by status.
function done(summary, latency, requests)
  local non200, statuses = 0, {}
  for _, thread in ipairs(threads) do
    non200 = non200 + thread:get("non200")
    for status, n in pairs(thread:get("statuses")) do
      statuses[status] = (statuses[status] or 0) + n
    end
  end
  local by_status = {}
  for status, n in pairs(statuses) do
    by_status[#by_status + 1] = string.format('"%s": %d', status, n)
  end
  local extra = string.format(', "non_200": %d, "non_200_statuses": {%s}', non200,
    table.concat(by_status, ", "))
  io.write(bench_json(summary, latency, extra))
end
