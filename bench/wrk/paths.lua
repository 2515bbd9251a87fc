-- wrk: GET paths read from a file (one per line), one drawn at random for each request, as one user.
--   wrk -t1 -c2 -d10s -s bench/wrk/paths.lua http://127.0.0.1:8005 -- <paths file> <bearer token>
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local paths, headers = {}, {}

function init(args)
  paths = lines_of(args[1])
  headers["Authorization"] = "Bearer " .. args[2]
  -- Each thread draws its own sequence.
  math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%x+)"), 16) % 1000003)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
