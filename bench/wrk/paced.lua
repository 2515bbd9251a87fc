-- wrk: POST the bodies of a file (one JSON document per line, each once, in order) at a fixed rate, open loop:
-- request k is due at start + k / rate, whatever the answers before it did; a connection free before its
-- request is due waits for it. While requests are answered within connections / rate seconds this is a true
-- open loop; beyond, every connection is busy, the requests go late, and the achieved rate says so.
--   wrk -t1 -c64 -d8s -s bench/wrk/paced.lua http://127.0.0.1:8004 -- /partners <bodies file> <token> <rate>
-- Run with one thread (-t1): the schedule is the thread's.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_usec; } paced_timeval;
int gettimeofday(paced_timeval *tv, void *tz);
]])
local clock = ffi.new("paced_timeval")

local function now_ms()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
end

local path, bodies, headers, sent = nil, {}, {}, 0
local interval_ms, started_ms, scheduled = 0, nil, 0

function init(args)
  path = args[1]
  bodies = lines_of(args[2])
  headers["Authorization"] = "Bearer " .. args[3]
  headers["Content-Type"] = "application/json"
  interval_ms = 1000 / tonumber(args[4])
end

function delay()
  started_ms = started_ms or now_ms()
  local due = started_ms + scheduled * interval_ms
  scheduled = scheduled + 1
  return math.max(0, due - now_ms())
end

function request()
  sent = sent % #bodies + 1
  return wrk.format("POST", path, headers, bodies[sent])
end
