#!/usr/bin/env python3
"""Summarises async-profiler collapsed stacks (event=cpu) of the event-loop threads as Markdown.

usage: profile_async.py TESSERA.collapsed [BASELINE.collapsed]

Shares are of event-loop samples (the threads that serve requests); the baseline column, when given, is the
same share in the bare baseline of the same run, so "where the extra third goes" reads off side by side.
"""
import collections
import sys

WATCH = [
    ("HTTP request handling (all of it)", "io/vertx/core/http/impl/Http1xServerConnection.handleMessage"),
    ("  introspection handler", "dev/tessera/http/OAuthRoutes.introspect"),
    ("    client authentication (full way)", "dev/tessera/http/OAuthRoutes.authenticateClient"),
    ("    client recognised on its connection", "dev/tessera/http/ConnectionClient.recall"),
    ("    token verification", "dev/tessera/token/TokenVerifier.verify"),
    ("      token tag check (HMAC)", "dev/tessera/token/TokenCodec.authentic"),
    ("      verification cache lookup", "dev/tessera/token/VerificationCache.get"),
    ("    JSON answer built", "dev/tessera/http/IntrospectionResponse.active"),
    ("    answer written (end)", "io/vertx/core/http/impl/Http1xServerResponse.end"),
    ("  verify handler", "dev/tessera/http/VerifyRoute.handle"),
    ("  form body read and decoded", "dev/tessera/http/FormBody.read"),
    ("HTTP server metrics (vertx-micrometer)", "io/vertx/micrometer/impl/VertxHttpServerMetrics"),
    ("HTTP server metrics (Tessera's)", "dev/tessera/metrics/HttpServerMeters"),
    ("Caffeine bookkeeping hand-off (unpark)", "java/util/concurrent/locks/LockSupport.unpark"),
    ("HTTP/1.x decoder", "io/netty/handler/codec/http/HttpObjectDecoder.decode"),
    ("socket reads", "sun/nio/ch/SocketDispatcher.read0"),
    ("flush at read-complete (socket writes)", "io/netty/channel/DefaultChannelPipeline.fireChannelReadComplete"),
    ("fresh heap pages zeroed by the kernel", "clear_page_erms_[k]"),
]


def load(path):
    total = 0
    inclusive = collections.Counter()
    own = collections.Counter()
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        if "EventLoop" not in stack:
            continue
        n = int(n)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        seen = set()
        for f in frames:
            for _, prefix in WATCH:
                if f.startswith(prefix) and prefix not in seen:
                    seen.add(prefix)
                    inclusive[prefix] += n
    return total, inclusive, own


def main():
    runs = [load(p) for p in sys.argv[1:3]]
    names = ["Tessera", "bare baseline"][: len(runs)]
    print("| event-loop CPU share | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(runs))
    print("| samples | " + " | ".join(str(t) for t, _, _ in runs) + " |")
    for label, prefix in WATCH:
        cells = [f"{100 * inc[prefix] / max(t, 1):.1f} %" for t, inc, _ in runs]
        print(f"| {label} | " + " | ".join(cells) + " |")
    total, _, own = runs[0]
    print("\nTop 15 frames by own time (Tessera):\n")
    print("| frame | % |\n|---|---|")
    for frame, n in own.most_common(15):
        print(f"| `{frame}` | {100 * n / max(total, 1):.1f} |")


if __name__ == "__main__":
    main()
