"""Poll 1,000 feeds served from a loopback HTTP server through the real fetch path.

The server runs in a child process (so the poller's memory is measured alone) and serves 1,000
RSS feeds with 20 items each under 100 host names (10 feeds per host, all resolved to 127.0.0.1
by a stub resolver, so the per-host limit is exercised). 3% of the feeds answer 500 and 2% hang
past the per-feed deadline. Measured, with poll_many's defaults (16 workers, 2 per host):
- first poll: wall time, results by outcome, requests the server saw;
- second poll of the feeds that succeeded (what the scheduler would enqueue next): all 304s;
- peak traced Python memory (tracemalloc, a separate first poll) and ru_maxrss.

Synthetic feeds: no ../shared data is needed. Run: make bench-poll
Writes bench/out/poll.json.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import sys
import threading
import time
import tracemalloc
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from claimwatch.feeds.http import SafeHttpClient
from claimwatch.feeds.poll import poll_many, summarize
from claimwatch.feeds.state import FeedState

FEEDS = 1000
HOSTS = 100
ITEMS = 20
FAILING_EVERY = 33  # ~3% answer 500
SLOW_EVERY = 50  # 2% hang past the deadline
SLOW_SECONDS = 4.0
FEED_DEADLINE_S = 2.0
COMMAND = "make bench-poll"
OUT = Path(__file__).resolve().parent / "out" / "poll.json"


def feed_body(n: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {i}</title><link>http://host{n % HOSTS}.bench.test/{n}/story/{i}</link>"
        f"<guid>{n}-{i}</guid><description>Officials said item {i} of feed {n} happened.</description>"
        f"<pubDate>Mon, 05 Jan 2026 10:{i:02d}:00 GMT</pubDate></item>"
        for i in range(ITEMS)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'.encode()


def serve(port_queue, stop_event) -> None:
    counts = {"requests": 0, "304": 0, "200": 0, "500": 0, "slow": 0}
    lock = threading.Lock()

    def count(name):
        with lock:
            counts[name] += 1

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            count("requests")
            if self.path == "/__stats":
                body = json.dumps(counts).encode()
                return self._send(200, body, "application/json")
            n = int(self.path.rsplit("/", 1)[1])
            if n % SLOW_EVERY == 0:
                count("slow")
                time.sleep(SLOW_SECONDS)
            if n % FAILING_EVERY == 0:
                count("500")
                return self._send(500, b"down", "text/plain")
            etag = f'"feed-{n}-v1"'
            if self.headers.get("If-None-Match") == etag:
                count("304")
                return self._send(304, b"", None, etag)
            count("200")
            return self._send(200, feed_body(n), "application/rss+xml", etag)

        def _send(self, status, body, content_type, etag=None):
            try:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the poller hung up at its deadline

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

        def handle_error(self, request, client_address):
            pass

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.timeout = 0.2
    while not stop_event.is_set():
        server.handle_request()
    server.server_close()


def server_stats(client: SafeHttpClient, base: str) -> dict:
    return json.loads(client.get(f"{base}/__stats", expect=None).body)


def main() -> int:
    ctx = multiprocessing.get_context("spawn")
    port_queue, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(port_queue, stop), daemon=True)
    server.start()
    port = port_queue.get(timeout=30)
    # Every bench host name resolves to loopback: a stub resolver, so no DNS query leaves the box.
    resolver = lambda host, _port: ["127.0.0.1"]  # noqa: E731
    client = SafeHttpClient(allow_loopback=True, resolver=resolver, deadline_s=FEED_DEADLINE_S, read_timeout=FEED_DEADLINE_S)
    stats_client = SafeHttpClient(allow_loopback=True)
    base = f"http://127.0.0.1:{port}"
    now = datetime.now(timezone.utc)

    def fresh_states():
        return [FeedState.new(f"http://host{n % HOSTS}.bench.test:{port}/feed/{n}", now=now) for n in range(1, FEEDS + 1)]

    try:
        states = fresh_states()
        started = time.perf_counter()
        first = poll_many(states, client, now)
        first_s = time.perf_counter() - started
        first_summary = summarize(first)
        after_first = server_stats(stats_client, base)

        healthy = [r.state for r in first if r.ok]
        started = time.perf_counter()
        second = poll_many(healthy, client, now)
        second_s = time.perf_counter() - started
        second_summary = summarize(second)
        after_second = server_stats(stats_client, base)

        tracemalloc.start()
        traced_started = time.perf_counter()
        poll_many(fresh_states(), client, now)
        traced_s = time.perf_counter() - traced_started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        stop.set()
        server.join(timeout=5)
        if server.is_alive():
            server.terminate()

    figures = {
        "feeds": FEEDS,
        "hosts": HOSTS,
        "items_per_feed": ITEMS,
        "max_workers": 16,
        "per_host": 2,
        "feed_deadline_s": FEED_DEADLINE_S,
        "first_poll_s": round(first_s, 3),
        "first_poll": first_summary,
        "first_poll_requests": after_first["requests"] - 1,  # minus the stats call itself
        "second_poll_feeds": len(healthy),
        "second_poll_s": round(second_s, 3),
        "second_poll": second_summary,
        "second_poll_requests": after_second["requests"] - after_first["requests"] - 1,  # minus the stats call
        "second_poll_all_304": second_summary["not_modified"] == len(healthy),
        "peak_traced_mb": round(peak / 1e6, 1),
        "traced_poll_s": round(traced_s, 3),
        "ru_maxrss_mb": round(maxrss_kb / 1024, 1),
    }
    rows = [
        ("first poll, 1,000 feeds (2% hang, 3% fail)", f"{first_s:.2f} s", COMMAND),
        ("  ok / failed / articles", f"{first_summary['ok']} / {first_summary['failed']} / {first_summary['articles']}", COMMAND),
        ("  failures by kind", json.dumps(first_summary["failures_by_kind"]), COMMAND),
        ("  requests seen by the server", str(figures["first_poll_requests"]), COMMAND),
        (f"second poll, {len(healthy)} healthy feeds", f"{second_s:.2f} s", COMMAND),
        ("  304s / requests", f"{second_summary['not_modified']} of {len(healthy)} / {figures['second_poll_requests']}", COMMAND),
        ("peak traced memory (first poll)", f"{figures['peak_traced_mb']} MB", COMMAND),
        ("ru_maxrss (whole process)", f"{figures['ru_maxrss_mb']} MB", COMMAND),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  value")
    for name, value, _ in rows:
        print(f"{name.ljust(width)}  {value}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"benchmark": "poll", "command": COMMAND,
                               "figures": {k: {"value": v, "command": COMMAND} for k, v in figures.items()}}, indent=2))
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    ok = figures["second_poll_all_304"] and first_summary["ok"] + first_summary["failed"] == FEEDS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
