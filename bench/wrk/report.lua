-- Shared done() that prints machine-readable latency percentiles; appended to every load script by run.sh.
-- A script that walks its tokens once (once.lua) adds how far it got: reached=<furthest line of the token file>.
function done(summary, latency, requests)
  local extra = reached and string.format(" reached=%d", reached()) or ""
  io.write(string.format("BENCH requests=%d duration_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f%s\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, extra))
end
