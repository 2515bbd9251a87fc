-- What the scripts of this folder share: a file's non-empty lines, and the one JSON line they print when wrk is
-- done (requests, errors, latency percentiles in microseconds), read by `loadgen.wrk`.

function lines_of(path)
  local found = {}
  for line in io.lines(path) do
    if #line > 0 then
      found[#found + 1] = line
    end
  end
  return found
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
