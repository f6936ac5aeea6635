"""A loopback HTTP server serving every hostile and broken case the fetcher must survive,
and the resolver/connector stubs that prove the SSRF guard without sending a packet anywhere
but 127.0.0.1."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claimwatch.feeds.http import SafeHttpClient

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
# A public address the stubs route to the loopback server; no packet is ever sent to it.
FAKE_PUBLIC_IP = "93.184.216.34"


def rss(items, title="Loopback News", encoding="utf-8", declaration=True) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{guid}</guid>"
        f"<description>{desc}</description><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
        for t, link, guid, desc in items
    )
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    doc = (
        f'{head}<rss version="2.0"><channel><title>{title}</title><link>http://news.test/</link>{body}</channel></rss>'
    )
    return doc.encode(encoding)


NORMAL_FEED = rss(
    [
        (
            "Shelling reported near the river",
            "http://news.test/a/1?utm_source=rss&amp;utm_medium=feed",
            "g-1",
            "Officials said the bridge was hit overnight.",
        ),
        ("Talks resume", "http://news.test/a/2#comments", "g-2", "Negotiators met again on Monday."),
    ]
)
CP1251_FEED = rss(
    [("Обстрел в Донецке", "http://news.test/ru/1", "ru-1", "Советник главы ДНР заявил о наступлении.")],
    title="Новости",
    encoding="windows-1251",
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    b"<link>http://news.test/lol</link></item></channel></rss>"
)
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"A" * 40_000 + b'">]>'
    b'<rss version="2.0"><channel><title>q</title><item><title>' + b"&a;" * 15_000 + b"</title>"
    b"<link>http://news.test/q</link></item></channel></rss>"
)
# The same bomb written in EBCDIC: feedparser decodes cp037 itself, a byte-level guard sees nothing.
EBCDIC_LAUGHS = (
    BILLION_LAUGHS.decode("ascii")
    .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="cp037"?>')
    .encode("cp037")
)
# Unescaped ampersand and an unclosed element: malformed, but the entries are recoverable.
INVALID_XML_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Broken & Co</title>'
    b"<item><title>First & foremost</title><link>http://news.test/b/1</link><description>one<br></description></item>"
    b"<item><title>Second</title><link>http://news.test/b/2</link></item></channel>"
)
NOT_A_FEED = b"<html><head><title>Oops</title></head><body><p>This is a web page.</p></body></html>"
GZIP_BOMB = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.requests: list[tuple[str, dict]] = []
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def handle_error(self, request, client_address):
        pass  # clients hanging up early (caps, deadlines) is the point of several routes

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body=b"", content_type="application/rss+xml; charset=utf-8", headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location, status=302):
        self._send(status, b"", content_type=None, headers={"Location": location})

    def do_GET(self):  # noqa: C901 - one route table
        server: FeedServer = self.server
        path = self.path
        with server.lock:
            server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            hit = server.hits[path] = server.hits.get(path, 0) + 1
        if path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, content_type=None, headers={"ETag": '"v1"'})
            return self._send(
                200, NORMAL_FEED, headers={"ETag": '"v1"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"}
            )
        if path == "/500":
            return self._send(500, b"oops", "text/plain")
        if path == "/503-retry-after":
            return self._send(503, b"busy", "text/plain", headers={"Retry-After": "7200"})
        if path == "/404":
            return self._send(404, b"not here", "text/plain")
        if path == "/410":
            return self._send(410, b"gone", "text/plain")
        if path == "/loop-a":
            return self._redirect("/loop-b")
        if path == "/loop-b":
            return self._redirect("/loop-a")
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return self._redirect(f"/chain/{n - 1}" if n > 0 else "/feed.xml", 301)
        if path == "/to-loopback":
            return self._redirect(f"{server.base}/feed.xml")
        if path == "/to-metadata":
            return self._redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        if path == "/to-private-name":
            return self._redirect("http://internal.example/feed.xml")
        if path == "/to-file":
            return self._redirect("file:///etc/passwd")
        if path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100):  # one byte every 0.1 s: each read is "in time", the whole is not
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return
        if path == "/big":
            return self._send(200, b"<rss>" + b"x" * 300_000 + b"</rss>")
        if path == "/big-undeclared":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"x" * 10_000)
            except OSError:
                pass
            self.close_connection = True
            return
        if path == "/gzip-bomb":
            return self._send(200, GZIP_BOMB, headers={"Content-Encoding": "gzip"})
        if path == "/gzip-feed":
            return self._send(200, gzip.compress(NORMAL_FEED), headers={"Content-Encoding": "gzip"})
        if path == "/billion-laughs":
            return self._send(200, BILLION_LAUGHS)
        if path == "/ebcdic-laughs":
            return self._send(200, EBCDIC_LAUGHS, "application/rss+xml")
        if path == "/quadratic":
            return self._send(200, QUADRATIC_BLOWUP)
        if path == "/invalid-xml":
            return self._send(200, INVALID_XML_FEED)
        if path == "/not-a-feed":
            return self._send(200, NOT_A_FEED, "text/html")
        if path == "/image":
            return self._send(200, b"\x89PNG\r\n", "image/png")
        if path == "/cp1251":
            return self._send(200, CP1251_FEED, "application/rss+xml; charset=windows-1251")
        if path == "/cp1251-no-header-charset":
            return self._send(200, CP1251_FEED, "text/xml")
        if path == "/changing-guids":
            # Every build mints new GUIDs; links (with fresh tracking noise) stay the same.
            return self._send(
                200,
                rss(
                    [
                        ("Story one", f"http://news.test/s/1?utm_campaign=c{hit}", f"urn:uuid:{hit}-1", "First story."),
                        ("Story two", "http://news.test/s/2", f"urn:uuid:{hit}-2", "Second story."),
                    ]
                ),
            )
        if path == "/flaky":
            # Fails until the test flips it, so park-and-recover can be driven end to end.
            if getattr(server, "flaky_ok", False):
                return self._send(200, NORMAL_FEED)
            return self._send(500, b"down", "text/plain")
        if path == "/page":
            return self._send(200, ARTICLE_PAGE, "text/html; charset=utf-8")
        if path == "/host-echo":
            host = self.headers.get("Host", "")
            return self._send(200, rss([(f"host={host}", "http://news.test/h", "h", "x")]))
        return self._send(404, b"no route", "text/plain")


ARTICLE_PAGE = (
    "<!doctype html><html><head><title>Bridge hit overnight | Loopback News</title>"
    '<link rel="canonical" href="http://news.test/a/1">'
    '<meta property="og:site_name" content="Loopback News">'
    '<meta property="article:published_time" content="2026-01-05T10:00:00Z">'
    "</head><body><nav>Home | World | Sport</nav><article><h1>Bridge hit overnight</h1>"
    + "".join(
        f"<p>Paragraph {i}: officials said the bridge over the river was hit overnight and repair crews "
        f"were sent at dawn, according to the regional administration, which gave no casualty figures.</p>"
        for i in range(8)
    )
    + "</article><footer>Copyright Loopback News. Subscribe to our newsletter.</footer></body></html>"
).encode("utf-8")


@pytest.fixture(scope="session")
def feed_server():
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class LoopbackOnlyConnector:
    """Connector stub: records every (ip, port) it is asked for, connects only to loopback
    (or to the loopback server a fake public address is routed to), and fails the test on any
    other address instead of sending a packet."""

    def __init__(self, routes=None):
        self.calls: list[tuple[str, int]] = []
        self.violations: list[tuple[str, int]] = []
        self.routes = routes or {}

    def __call__(self, ip, port, timeout):
        self.calls.append((ip, port))
        target = self.routes.get((ip, port))
        if target is None:
            if not ipaddress.ip_address(ip).is_loopback:
                self.violations.append((ip, port))
                pytest.fail(f"the guard let a connect to non-loopback {ip}:{port} through")
            target = (ip, port)
        return socket.create_connection(target, timeout=timeout)


class StubResolver:
    def __init__(self, table):
        self.table = table
        self.lookups: list[str] = []

    def __call__(self, host, port):
        self.lookups.append(host)
        if host not in self.table:
            raise OSError(f"stub resolver: no such host {host}")
        answer = self.table[host]
        return answer(host) if callable(answer) else list(answer)


@pytest.fixture
def connector():
    stub = LoopbackOnlyConnector()
    yield stub
    assert not stub.violations, f"non-loopback connects attempted: {stub.violations}"


@pytest.fixture
def client(connector):
    """allow_loopback on (as in the local demo), loopback-only connector, short limits."""
    return SafeHttpClient(
        allow_loopback=True,
        connector=connector,
        deadline_s=3.0,
        read_timeout=2.0,
        max_body=100_000,
        max_decompressed=1_000_000,
    )
