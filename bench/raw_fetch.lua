-- bench/raw_fetch.lua: wrk script for the HTTP row's raw fetches (bench/run.sh): each request
-- is GET /api/v1/messages/ID/raw for the next ID of the file named by $IDS (one a line),
-- round robin, so both servers are asked for the same messages in the same order.
local ids = {}
local i = 0
init = function(args)
  for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
end
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/messages/" .. ids[i] .. "/raw")
end
