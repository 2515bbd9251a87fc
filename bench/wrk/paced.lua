-- wrk: POST the bodies of a file (one JSON document per line, each once, in order) at a fixed rate, open loop:
-- request k is due at start + k / rate, whatever the answers before it did; a connection free before its
-- request is due waits for it. While requests are answered within connections / rate seconds this is a true
-- open loop; beyond, every connection is busy, the requests go late, and the achieved rate says so.
--   wrk -t1 -c64 -d8s -s bench/wrk/paced.lua http://127.0.0.1:8004 -- /partners <bodies file> <token> <rate>
-- With "-" for the path and the token, each line is `<path> TAB <token> TAB <body>` (commands on many
-- resources, by their own callers). Optional fifth and sixth arguments: a file where each answer is written
-- as `<epoch ms> TAB <status> TAB <value of the field>`, and that field of the JSON body (say `interview_id`),
-- for the bench to follow each command further.
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

local requests, sent = {}, 0
local interval_ms, started_ms, scheduled = 0, nil, 0
local answers, field = nil, nil

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for _, line in ipairs(lines_of(args[2])) do
    local path, token, body = args[1], args[3], line
    if path == "-" then
      path, token, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    end
    headers["Authorization"] = "Bearer " .. token
    requests[#requests + 1] = wrk.format("POST", path, headers, body)
  end
  interval_ms = 1000 / tonumber(args[4])
  if args[5] then
    answers = io.open(args[5], "w")
    answers:setvbuf("line")
    field = '"' .. args[6] .. '"%s*:%s*"([^"]+)"'
  end
end

function delay()
  started_ms = started_ms or now_ms()
  local due = started_ms + scheduled * interval_ms
  scheduled = scheduled + 1
  return math.max(0, due - now_ms())
end

function request()
  sent = sent % #requests + 1
  return requests[sent]
end

function response(status, headers, body)
  if answers then
    local id = body:match(field) or ""
    answers:write(string.format("%.3f\t%d\t%s\n", now_ms(), status, id))
  end
end
