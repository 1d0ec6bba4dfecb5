-- Cache-miss introspection: like introspect.lua, but every token is presented once (once.lua).
-- usage: wrk -tT ... -s introspect_miss.lua URL -- <basic-b64> <token_file> <T>
function init(args)
  load_share(args[2], tonumber(args[3]))
  wrk.method = "POST"
  wrk.path = "/oauth2/introspect"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. args[1]
end

function request()
  return wrk.format(nil, nil, nil, "token=" .. next_token())
end
