"""The page and its files, served by the API function itself (no bucket, no CDN, works offline)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from claimwatch.api.params import ApiError

STATIC = Path(__file__).resolve().parent / "static"
# The only files served: a fixed list, so no request path ever reaches the file system.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "countries-110m.json": "application/json",
}
# The page loads only its own files and calls only its own API.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def asset(name: str) -> tuple[str, str]:
    """(body, content type) of a served file; 404 for any other name."""
    if name not in ASSETS:
        raise ApiError(404, f"no such file: {name[:80]}")
    return (STATIC / name).read_text(encoding="utf-8"), ASSETS[name]


def base_url(headers: dict, domain_name: str | None) -> str:
    """The URL the client called (API Gateway sets the host; the local server says http)."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    proto = headers.get("x-forwarded-proto", "https")
    host = domain_name or headers.get("host") or "localhost"
    return f"{proto}://{host}"
