-- Cache-miss introspection: like introspect.lua, but every token is presented once. The tokens in
-- <token_file> are split between the wrk threads (thread k takes lines k, k+T, k+2T, ...), each thread
-- walks its share once and stops when every token of it has been answered, so a run never turns into cache
-- hits (bench/run.sh still reports the miss ratio from Tessera's tessera_token_cache_misses_total).
-- usage: wrk -tT ... -s introspect_miss.lua URL -- <basic-b64> <token_file> <T>
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local basic = args[1]
  local threads = tonumber(args[3])
  tokens = {}
  local k = 0
  for line in io.lines(args[2]) do
    if #line > 0 then
      if k % threads == tid then tokens[#tokens + 1] = line end
      k = k + 1
    end
  end
  n = #tokens
  i = 0
  wrk.method = "POST"
  wrk.path = "/oauth2/introspect"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. basic
end

function request()
  i = i % n + 1
  return wrk.format(nil, nil, nil, "token=" .. tokens[i])
end

function response(status, headers, body)
  answered = (answered or 0) + 1
  if answered >= n then
    wrk.thread:stop()
  end
end
