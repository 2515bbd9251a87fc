-- wrk: GET paths read from a file (one per line), one drawn at random for each request, as one user.
--   wrk -t1 -c2 -d10s -s bench/wrk/paths.lua http://127.0.0.1:8005 -- <paths file> <bearer token>
-- Prints one JSON line at the end: requests, errors, latency percentiles in microseconds.

local paths, headers = {}, {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  headers["Authorization"] = "Bearer " .. args[2]
  -- Each thread draws its own sequence.
  math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%x+)"), 16) % 1000003)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
