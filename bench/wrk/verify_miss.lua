-- Cache-miss forward auth: GET /auth/verify, every token presented once (split between threads as in
-- introspect_miss.lua); a thread stops once its share has been answered.
-- usage: wrk -tT ... -s verify_miss.lua URL -- <token_file> <T>
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(args[2])
  tokens = {}
  local k = 0
  for line in io.lines(args[1]) do
    if #line > 0 then
      if k % threads == tid then tokens[#tokens + 1] = line end
      k = k + 1
    end
  end
  n = #tokens
  i = 0
end

function request()
  i = i % n + 1
  return wrk.format("GET", "/auth/verify", { ["Authorization"] = "Bearer " .. tokens[i] }, nil)
end

function response(status, headers, body)
  answered = (answered or 0) + 1
  if answered >= n then
    wrk.thread:stop()
  end
end
