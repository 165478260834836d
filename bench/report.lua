-- Appended to every wrk run: counts responses by kind across threads and prints one
-- machine-readable line. A target's own script (e.g. a booking POST) goes above it and may define
-- `target_init(args)`, called in each thread's init with `tid` (1, 2, ...) set.
-- A redirect is a success (a booking answers 302 to its manage page): "bad" means neither 2xx nor 3xx.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  bad = 0
  conflicts = 0
  server_errors = 0
  if target_init then target_init(args) end
end

function response(status, headers, body)
  if status < 200 or status > 399 then
    bad = bad + 1
  end
  if status == 409 then
    conflicts = conflicts + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests)
  local totals = {bad = 0, conflicts = 0, server_errors = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d conflicts=%d server_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    totals.bad, totals.conflicts, totals.server_errors,
    errors.connect + errors.read + errors.write + errors.timeout))
end
