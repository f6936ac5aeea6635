"""Poll 1,000 feeds served from a loopback HTTP server through the real fetch path.

The server runs in a child process (so the poller's memory is measured alone) and serves 1,000
RSS feeds with 20 items each under 100 host names (10 feeds per host, all resolved to 127.0.0.1
by a stub resolver, so the per-host limit is exercised). 3% of the feeds answer 500 and 2% hang
past the per-feed deadline. Measured, with poll_many's defaults (16 workers, 2 per host):
- first poll: wall time, results by outcome, requests the server saw;
- second poll of the feeds that succeeded (what the scheduler would enqueue next): all 304s;
- peak traced Python memory (tracemalloc, a separate first poll) and ru_maxrss.

Then a hostile mix served by the same loopback server (entity bombs in ASCII, EBCDIC and UTF-16,
UTF-7, a gzip bomb, 100,000 items, huge fields, a tag flood, 20,000 attributes, a bloated
header). Each fetch invocation is one batch of 10 feeds (the fetch function's SQS batch size)
polled with poll_many in its own child process, with the fetch function's client caps; its peak
memory is the child's peak RSS (VmHWM: what Lambda's memory limit counts, interpreter and imports
included; no tracemalloc, whose own overhead would distort it) and must stay under 200 MB.
Every hostile feed must end with its expected outcome (a failure kind, or "ok" cut to the caps)
and the healthy feeds of the same batch must poll.

Synthetic feeds: no ../shared data is needed. Run: make bench-poll
Writes bench/out/poll.json.
"""

from __future__ import annotations

import gzip
import json
import logging
import multiprocessing
import resource
import sys
import threading
import time
import tracemalloc
import zlib
from datetime import UTC, datetime
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
INVOCATION_MEMORY_LIMIT_MB = 200
BATCH_SIZE = 10  # template.yaml: FetchFunction's SQS BatchSize
MEMORY_HEAVY = ("gzip-bomb", "100k-items", "huge-fields", "tag-flood")  # also polled ten at a time
OUT = Path(__file__).resolve().parent / "out" / "poll.json"


def feed_body(n: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {i}</title><link>http://host{n % HOSTS}.bench.test/{n}/story/{i}</link>"
        f"<guid>{n}-{i}</guid><description>Officials said item {i} of feed {n} happened.</description>"
        f"<pubDate>Mon, 05 Jan 2026 10:{i:02d}:00 GMT</pubDate></item>"
        for i in range(ITEMS)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'.encode()


def _laughs(declaration: str = "") -> str:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'{declaration}<!DOCTYPE rss [<!ENTITY lol0 "lol">{entities}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>&lol9;</title><link>http://x.test/</link></item></channel></rss>"
    )


def _items(count: int, item=lambda i: f"<title>t{i}</title><link>http://x.test/{i}</link><guid>{i}</guid>") -> str:
    body = "".join(f"<item>{item(i)}</item>" for i in range(count))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{body}</channel></rss>'


def _gzip_stream(chunk: bytes, times: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(packer.compress(chunk) for _ in range(times)) + packer.flush()


def hostile_feeds() -> dict:
    """name -> (body, extra headers, expected outcome: a FetchError kind, or "ok" for a feed cut to its caps)."""
    gz = {"Content-Encoding": "gzip"}
    huge_field = "W" * 150_000
    return {
        "billion-laughs": (_laughs('<?xml version="1.0"?>').encode(), {}, "parse"),
        "ebcdic-laughs": (_laughs('<?xml version="1.0" encoding="cp037"?>').encode("cp037"), {}, "bad_encoding"),
        "utf16-laughs": (_laughs('<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"), {}, "parse"),
        "utf7-declared": (b'<?xml version="1.0" encoding="utf-7"?><rss version="2.0"/>', {}, "bad_encoding"),
        "quadratic-blowup": (
            (
                '<!DOCTYPE rss [<!ENTITY a "' + "A" * 40_000 + '">]><rss version="2.0"><channel>'
                "<item><title>" + "&a;" * 15_000 + "</title></item></channel></rss>"
            ).encode(),
            {},
            "parse",
        ),
        "gzip-bomb": (_gzip_stream(b"\0" * 1_000_000, 200), gz, "too_large"),  # 200 MB of zeros
        "100k-items": (gzip.compress(_items(100_000).encode()), gz, "ok"),
        "huge-fields": (
            gzip.compress(
                _items(
                    20,
                    lambda i: (
                        f"<title>{i} {huge_field}</title><link>http://x.test/{i}/"
                        f"{huge_field}</link><description>{huge_field}</description>"
                    ),
                ).encode()
            ),
            gz,
            "ok",
        ),
        "tag-flood": (
            gzip.compress(
                _items(
                    4, lambda i: "<category>c</category>" * (400_000 if i == 0 else 1) + f"<title>t{i}</title>"
                ).encode()
            ),
            gz,
            "ok",
        ),
        "20k-attributes": (
            (
                '<rss version="2.0"><channel><item><title>t</title><x '
                + " ".join(f'a{i}="v"' for i in range(20_000))
                + "/></item></channel></rss>"
            ).encode(),
            {},
            "parse",
        ),
        "bloated-header": (
            gzip.compress(
                (
                    '<rss version="2.0"><channel><description>'
                    + "<b>x</b>" * 300_000
                    + "</description><item><title>t</title></item></channel></rss>"
                ).encode()
            ),
            gz,
            "too_large",
        ),
    }


def send(handler: BaseHTTPRequestHandler, status, body, content_type, etag=None, headers=None) -> None:
    try:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        if etag:
            handler.send_header("ETag", etag)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:
        pass  # the poller hung up at its deadline


def serve(port_queue, stop_event) -> None:
    counts = {"requests": 0, "304": 0, "200": 0, "500": 0, "slow": 0}
    hostile = hostile_feeds()
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
            if self.path.startswith("/hostile/"):
                body, headers, _ = hostile[self.path.rsplit("/", 1)[1]]
                return self._send(200, body, "application/rss+xml", headers=headers)
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

        def _send(self, status, body, content_type, etag=None, headers=None):
            send(self, status, body, content_type, etag, headers)

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


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss of a spawned child
    keeps the parent's peak from before the exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def fetch_invocation(urls, result_queue) -> None:
    """One fetch-function invocation in a fresh process: poll a batch, report outcomes and peak memory."""
    logging.disable(logging.WARNING)  # the caps' cut notes: reported below, not logged per feed
    idle_rss_mb = peak_rss_mb()

    def resolver(host, _port):  # every host is the loopback server
        return ["127.0.0.1"]

    client = SafeHttpClient(allow_loopback=True, resolver=resolver)  # the fetch function's caps and deadline
    now = datetime.now(UTC)
    started = time.perf_counter()
    results = poll_many([FeedState.new(url, now=now) for url in urls], client, now)
    elapsed = time.perf_counter() - started
    result_queue.put(
        {
            "outcomes": [
                {
                    "url": r.state.url,
                    "kind": r.error.kind if r.error else "ok",
                    "health": r.state.health,
                    "reason": (r.state.last_error or "")[:90],
                    "articles": len(r.articles),
                }
                for r in results
            ],
            "elapsed_s": round(elapsed, 2),
            "idle_rss_mb": idle_rss_mb,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def run_invocation(ctx, urls) -> dict:
    result_queue = ctx.Queue()
    child = ctx.Process(target=fetch_invocation, args=(urls, result_queue))
    child.start()
    result = result_queue.get(timeout=300)
    child.join(timeout=30)
    return result


def hostile_mix(ctx, port: int) -> dict:
    """Each hostile feed in a batch with healthy ones, one batch of ten different hostile feeds, and
    one batch of ten copies of each memory-heavy kind (the worst case for one invocation)."""
    expected = {name: outcome for name, (_, _, outcome) in hostile_feeds().items()}
    names = list(expected)
    healthy = [
        f"http://host{n % HOSTS}.bench.test:{port}/feed/{n}"
        for n in range(1, FEEDS + 1)
        if n % SLOW_EVERY and n % FAILING_EVERY
    ][: BATCH_SIZE - 1]
    batches = [[f"http://hostile.bench.test:{port}/hostile/{name}"] + healthy for name in names]
    batches.append([f"http://hostile{i}.bench.test:{port}/hostile/{name}" for i, name in enumerate(names[:BATCH_SIZE])])
    for name in MEMORY_HEAVY:
        batches.append([f"http://copy{i}.bench.test:{port}/hostile/{name}" for i in range(BATCH_SIZE)])
    invocations, outcomes, healthy_failures, wrong = [], {}, 0, {}
    for batch in batches:
        result = run_invocation(ctx, batch)
        invocations.append({k: v for k, v in result.items() if k != "outcomes"} | {"feeds": len(batch)})
        for outcome in result["outcomes"]:
            if "/hostile/" not in outcome["url"]:
                healthy_failures += outcome["kind"] != "ok"
                continue
            name = outcome["url"].rsplit("/", 1)[1]
            outcomes.setdefault(name, outcome)
            if outcome["kind"] != expected[name]:
                wrong[name] = outcome["kind"]
    return {
        "invocations": invocations,
        "outcomes": {name: outcomes[name] | {"expected": expected[name]} for name in names},
        "wrong_outcomes": wrong,
        "healthy_failures": healthy_failures,
        "max_peak_rss_mb": max(i["peak_rss_mb"] for i in invocations),
    }


def server_stats(client: SafeHttpClient, base: str) -> dict:
    return json.loads(client.get(f"{base}/__stats", expect=None).body)


def main() -> int:
    ctx = multiprocessing.get_context("spawn")
    port_queue, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(port_queue, stop), daemon=True)
    server.start()
    port = port_queue.get(timeout=30)

    # Every bench host name resolves to loopback: a stub resolver, so no DNS query leaves the box.
    def resolver(host, _port):  # every host is the loopback server
        return ["127.0.0.1"]

    client = SafeHttpClient(
        allow_loopback=True, resolver=resolver, deadline_s=FEED_DEADLINE_S, read_timeout=FEED_DEADLINE_S
    )
    stats_client = SafeHttpClient(allow_loopback=True)
    base = f"http://127.0.0.1:{port}"
    now = datetime.now(UTC)

    def fresh_states():
        return [
            FeedState.new(f"http://host{n % HOSTS}.bench.test:{port}/feed/{n}", now=now) for n in range(1, FEEDS + 1)
        ]

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
        hostile = hostile_mix(ctx, port)
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
        "hostile_invocations": len(hostile["invocations"]),
        "hostile_max_invocation_peak_rss_mb": hostile["max_peak_rss_mb"],
        "hostile_outcomes": {name: o["kind"] for name, o in hostile["outcomes"].items()},
        "hostile_wrong_outcomes": hostile["wrong_outcomes"],
        "hostile_batches_healthy_failures": hostile["healthy_failures"],
    }
    rows = [
        ("first poll, 1,000 feeds (2% hang, 3% fail)", f"{first_s:.2f} s", COMMAND),
        (
            "  ok / failed / articles",
            f"{first_summary['ok']} / {first_summary['failed']} / {first_summary['articles']}",
            COMMAND,
        ),
        ("  failures by kind", json.dumps(first_summary["failures_by_kind"]), COMMAND),
        ("  requests seen by the server", str(figures["first_poll_requests"]), COMMAND),
        (f"second poll, {len(healthy)} healthy feeds", f"{second_s:.2f} s", COMMAND),
        (
            "  304s / requests",
            f"{second_summary['not_modified']} of {len(healthy)} / {figures['second_poll_requests']}",
            COMMAND,
        ),
        ("peak traced memory (first poll)", f"{figures['peak_traced_mb']} MB", COMMAND),
        ("ru_maxrss (whole process)", f"{figures['ru_maxrss_mb']} MB", COMMAND),
    ]
    rows.append(
        (
            f"hostile mix: {len(hostile['invocations'])} invocations of {BATCH_SIZE} feeds, max peak RSS",
            f"{hostile['max_peak_rss_mb']} MB (limit {INVOCATION_MEMORY_LIMIT_MB}; idle "
            f"{hostile['invocations'][0]['idle_rss_mb']} MB)",
            COMMAND,
        )
    )
    for name, outcome in hostile["outcomes"].items():
        rows.append((f"  {name}", f"{outcome['kind']} ({outcome['articles']} articles) {outcome['reason']}", COMMAND))
    rows.append(("  healthy feeds failed in hostile batches", str(hostile["healthy_failures"]), COMMAND))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  value")
    for name, value, _ in rows:
        print(f"{name.ljust(width)}  {value}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "benchmark": "poll",
                "command": COMMAND,
                "figures": {k: {"value": v, "command": COMMAND} for k, v in figures.items()},
            },
            indent=2,
        )
    )
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    for invocation in hostile["invocations"]:
        print(f"  invocation: {invocation}")
    ok = figures["second_poll_all_304"] and first_summary["ok"] + first_summary["failed"] == FEEDS
    ok = ok and not hostile["wrong_outcomes"] and not hostile["healthy_failures"]
    ok = ok and hostile["max_peak_rss_mb"] <= INVOCATION_MEMORY_LIMIT_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
