-- Forward auth: GET /auth/verify with Authorization: Bearer <token>, cycling through <token_file>.
-- usage: wrk ... -s verify.lua URL -- <token_file>
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  tokens = {}
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  n = #tokens
  i = (tid * 7919) % n
end

function request()
  i = i % n + 1
  return wrk.format("GET", "/auth/verify", { ["Authorization"] = "Bearer " .. tokens[i] }, nil)
end
