-- Mints access tokens through the real API: POST /oauth2/token grant_type=client_credentials with
-- client_secret_basic. Each wrk thread appends the tokens it receives to <out_prefix>.<thread-id>;
-- a thread stops once it has minted its share (<count> / threads).
-- usage: wrk -t2 -c16 -d120s -s mint.lua URL -- <basic-b64> <out_prefix> <count> <threads>
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  basic = args[1]
  out = io.open(args[2] .. "." .. tid, "w")
  quota = math.floor(tonumber(args[3]) / tonumber(args[4]))
  minted = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. basic
  wrk.body = "grant_type=client_credentials&device_name=bench"
end

function response(status, headers, body)
  if status == 200 then
    local t = string.match(body, '"access_token":"(tsr_[A-Za-z0-9_-]+)"')
    if t and minted < quota then
      out:write(t, "\n")
      minted = minted + 1
      if minted >= quota then
        out:flush()
        wrk.thread:stop()
      end
    end
  end
end
