-- client_credentials issuance: POST /oauth2/token grant_type=client_credentials with client_secret_basic;
-- every request mints (and stores) a new access token. Tokens are not kept (mint.lua keeps them).
-- usage: wrk ... -s issue.lua URL -- <basic-b64>
function init(args)
  wrk.method = "POST"
  wrk.path = "/oauth2/token"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. args[1]
  wrk.body = "grant_type=client_credentials&device_name=bench"
end
