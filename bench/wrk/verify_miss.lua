-- Cache-miss forward auth: GET /auth/verify, every token presented once (once.lua).
-- usage: wrk -tT ... -s verify_miss.lua URL -- <token_file> <T>
function init(args)
  load_share(args[1], tonumber(args[2]))
end

function request()
  return wrk.format("GET", "/auth/verify", { ["Authorization"] = "Bearer " .. next_token() }, nil)
end
