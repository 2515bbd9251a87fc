-- wrk: POST to one path the bodies read from a file (one JSON document per line), each once and in order,
-- as one user: commands that create something need a new value each time (a SIRET), which the file holds.
--   wrk -t1 -c16 -d10s -s bench/wrk/bodies.lua http://127.0.0.1:8004 -- /partners <bodies file> <bearer token>
-- Run with one thread (-t1): each thread would send the whole file again.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local path, bodies, headers, sent = nil, {}, {}, 0

function init(args)
  path = args[1]
  bodies = lines_of(args[2])
  headers["Authorization"] = "Bearer " .. args[3]
  headers["Content-Type"] = "application/json"
end

function request()
  sent = sent % #bodies + 1
  return wrk.format("POST", path, headers, bodies[sent])
end
