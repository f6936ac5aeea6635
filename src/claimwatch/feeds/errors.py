"""The one error type the fetch path raises, with a fixed vocabulary of kinds.

The kind is what feed health counts and what the failure metric is dimensioned by, so it is a
closed set: a new failure mode maps onto one of these rather than inventing a new label.
"""

from __future__ import annotations

FETCH_ERROR_KINDS = (
    "blocked_address",  # resolves to (or is) a non-public address, or a non-standard port
    "bad_scheme",  # anything but http/https, or a malformed URL
    "dns",  # the name does not resolve
    "connect",  # TCP/TLS connection failed or was reset
    "timeout",  # connect/read timeout or the overall deadline
    "too_large",  # body or decompressed body over its cap
    "too_many_redirects",  # redirect chain too long or a loop
    "http_status",  # a status other than 2xx/304
    "bad_content_type",  # e.g. an image where a feed was expected
    "parse",  # not a feed, or a hostile document (entity expansion, an element with too many attributes)
    "bad_encoding",  # a character encoding outside the allow-list (EBCDIC, UTF-7, ...): never decoded
)


class FetchError(Exception):
    """A fetch or parse failure of one feed or page; ``kind`` is one of FETCH_ERROR_KINDS."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        if kind not in FETCH_ERROR_KINDS:
            raise ValueError(f"unknown FetchError kind {kind!r}")
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.url = url
        self.status = status
        self.retry_after = retry_after  # seconds, from a 429/503 Retry-After header

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "url": self.url, "status": self.status}
