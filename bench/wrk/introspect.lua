-- RFC 7662 introspection: POST /oauth2/introspect, client_secret_basic, form body token=...
-- Cycles through the tokens in <token_file>; each wrk thread starts at a different offset.
-- usage: wrk ... -s introspect.lua URL -- <basic-b64> <token_file>
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local basic = args[1]
  tokens = {}
  for line in io.lines(args[2]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  n = #tokens
  i = (tid * 7919) % n
  wrk.method = "POST"
  wrk.path = "/oauth2/introspect"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. basic
end

function request()
  i = i % n + 1
  return wrk.format(nil, nil, nil, "token=" .. tokens[i])
end

