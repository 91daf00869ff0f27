-- wrk script for bench/registration_race.py.
--
--   wrk ... <url>                          -> ceiling: empty POSTs, no auth
--   wrk ... <url> -- <token_dir> <round>   -> registration: one fresh member token per request
--
-- Each wrk thread has its own Lua state, so each reads its own token file
-- (<token_dir>/tokens_r<round>_t<id>.txt) and walks through it; no token is sent twice.
-- When a thread runs out it sends "exhausted", which the server answers with 401.
-- done() prints the status codes seen by all threads as "status <code> <count>" lines.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
   tokens = {}
   index = 0
   local dir, round = args[1], args[2]
   if dir then
      local path = string.format("%s/tokens_r%s_t%d.txt", dir, round, id)
      for line in io.lines(path) do
         tokens[#tokens + 1] = line
      end
   end
end

function request()
   if #tokens == 0 then
      return wrk.format("POST", nil, nil, "")
   end
   index = index + 1
   local headers = {
      ["Authorization"] = "Bearer " .. (tokens[index] or "exhausted"),
      ["Content-Type"] = "application/json",
   }
   return wrk.format("POST", nil, headers, "{}")
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for code, count in pairs(thread:get("statuses")) do
         total[code] = (total[code] or 0) + count
      end
   end
   for code, count in pairs(total) do
      io.write(string.format("status %d %d\n", code, count))
   end
end
