"""A loopback HTTP server for demo and test feeds, with real conditional-GET behaviour.

Serves `/feeds/<name>.xml` from a directory; files named `<name>.pollN.xml` are versions: the
server serves the newest version whose N <= its current `round`, so a test or the demo can make
new items appear between polls. ETag and Last-Modified come from the bytes served, and a matching
`If-None-Match` gets a 304 with no body.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_VERSIONED = re.compile(r"^(?P<name>.+)\.poll(?P<n>\d+)\.xml$")


class FeedDirectory:
    def __init__(self, root: Path | None = None, extra: dict[str, Callable[[int], bytes]] | None = None):
        self.root = Path(root) if root else None
        self.extra = dict(extra or {})  # name -> function(round) -> bytes, for generated feeds
        self.round = 1

    def names(self) -> list[str]:
        names = set(self.extra)
        if self.root:
            for p in self.root.glob("*.xml"):
                m = _VERSIONED.match(p.name)
                names.add(m.group("name") if m else p.stem)
        return sorted(names)

    def body(self, name: str) -> bytes | None:
        if name in self.extra:
            return self.extra[name](self.round)
        if not self.root:
            return None
        versions = []
        for p in self.root.glob(f"{name}.poll*.xml"):
            m = _VERSIONED.match(p.name)
            if m and m.group("name") == name and int(m.group("n")) <= self.round:
                versions.append((int(m.group("n")), p))
        if versions:
            return max(versions)[1].read_bytes()
        plain = self.root / f"{name}.xml"
        return plain.read_bytes() if plain.exists() else None


class _Handler(BaseHTTPRequestHandler):
    directory: FeedDirectory
    hits: list

    def log_message(self, *args):  # keep demo output clean
        pass

    def do_GET(self):
        self.hits.append(self.path)
        m = re.match(r"^/feeds/([\w.-]+)\.xml$", self.path.split("?")[0])
        body = self.directory.body(m.group(1)) if m else None
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(usegmt=True))
        self.end_headers()
        self.wfile.write(body)


class FeedServer:
    """`with FeedServer(FeedDirectory(path)) as srv: srv.url("kyiv-wire")` on 127.0.0.1."""

    def __init__(self, directory: FeedDirectory, host: str = "127.0.0.1", port: int = 0):
        handler = type("Handler", (_Handler,), {"directory": directory, "hits": []})
        self.directory = directory
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.hits: list = handler.hits  # type: ignore[attr-defined]  # set on the class built just above
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://{host.decode()}:{port}"

    def url(self, name: str) -> str:
        return f"{self.base_url}/feeds/{name}.xml"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
