-- Shared by the cache-miss scripts: every token of <token_file> is presented once. Thread k of T takes lines
-- k, k+T, k+2T, ... of the file, walks its share once and stops when every token of it has been answered, so
-- a run never turns into cache hits (bench/run.sh still reports the miss ratio from Tessera's counters).
-- The threads answer at different rates, so the file's lines are used unevenly: reached() tells run.sh the
-- furthest line any thread took, and the next run starts after it (starting after the number of requests
-- presented some tokens twice: up to 14 % hits in a "miss" run).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function load_share(file, count)
  tokens = {}
  local k = 0
  for line in io.lines(file) do
    if #line > 0 then
      if k % count == tid then tokens[#tokens + 1] = line end
      k = k + 1
    end
  end
  n = #tokens
  i = 0
  sent = 0
end

function next_token()
  i = i % n + 1
  sent = sent + 1
  return tokens[i]
end

function response(status, headers, body)
  answered = (answered or 0) + 1
  if answered >= n then
    wrk.thread:stop()
  end
end

function reached()
  local furthest = 0
  for _, t in ipairs(threads) do
    local taken = math.min(t:get("sent") or 0, t:get("n") or 0)
    if taken > 0 then
      furthest = math.max(furthest, (taken - 1) * #threads + t:get("tid") + 1)
    end
  end
  return furthest
end
