"""A page served on 127.0.0.1 that records every request: what the CLI tests fetch or must not."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class LoopbackPage:
    def __init__(self, body: bytes, content_type: str = "text/html; charset=utf-8"):
        page = self
        self.hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                page.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str = "/page") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def loopback_page():
    """``loopback_page(body)`` starts a page server; every one started is stopped after the test."""
    pages = []

    def start(body: bytes, content_type: str = "text/html; charset=utf-8") -> LoopbackPage:
        pages.append(LoopbackPage(body, content_type))
        return pages[-1]

    yield start
    for page in pages:
        page.close()
