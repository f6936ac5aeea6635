"""SSRF-safe HTTP GET for feeds and article pages.

The fetcher takes URLs from users and runs with cloud credentials in its environment, so every
request goes through one guard:

- only http/https, on ports 80/443 (any port only for loopback when loopback is allowed);
- the host is resolved once, every address is checked (loopback, private, link-local incl.
  169.254.169.254, CGNAT, ULA, IPv4-mapped/NAT64/6to4 forms, multicast, reserved are refused),
  and the socket is opened to the address that was checked, so there is no DNS-rebinding window;
  the Host header, TLS SNI and certificate check still use the hostname;
- redirects are followed by hand (at most ``max_redirects``), each hop checked again;
- connect and read timeouts, an overall deadline enforced by a watchdog that shuts the socket
  (a slow drip cannot outlive it), a cap on the body as sent and on the decompressed body
  (decompressed incrementally, so a gzip bomb stops at the cap), and a content-type check before
  the body is read.

``resolver(host, port) -> list[str]`` and ``connector(ip, port, timeout) -> socket`` are
injectable so tests can prove the guard with stubs that never send a packet anywhere but loopback.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from claimwatch import __version__
from claimwatch.feeds.errors import FetchError
from claimwatch.settings import HttpClientSettings

USER_AGENT = f"claimwatch/{__version__} (+https://github.com/claimwatch/claimwatch)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5"

DEFAULT_MAX_BODY = 5 * 1024 * 1024
DEFAULT_MAX_DECOMPRESSED = 10 * 1024 * 1024  # ten of these in flight (a fetch batch) stay under 200 MB
DEFAULT_ALLOWED_PORTS = (80, 443)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024
_INFLATE_STEP = 1024 * 1024

Resolver = Callable[[str, int], Sequence[str]]
Connector = Callable[[str, int, float], socket.socket]

# Ranges Python's ipaddress does not already flag as non-global in every version.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n) for n in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "fec0::/10")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_block_reason(address: str, allow_loopback: bool = False) -> str | None:
    """Why connecting to this IP address is refused, or None when it is allowed."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"{address!r} is not an IP address"
    if ip.version == 6:
        # Forms that carry an IPv4 address are judged by that address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_block_reason(str(embedded), allow_loopback)
            return reason and f"{reason} (embedded in {ip})"
        if ip.teredo:
            return "Teredo tunnel address"
    if ip.is_loopback:
        return None if allow_loopback else "loopback address"
    for test, reason in (
        (ip.is_unspecified, "unspecified address"),
        (ip.is_link_local, "link-local address (incl. cloud metadata)"),
        (ip.is_multicast, "multicast address"),
        (ip.is_private, "private address"),
        (ip.is_reserved, "reserved address"),
        (any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version), "special-use address"),
        (not ip.is_global, "not a globally routable address"),
    ):
        if test:
            return reason
    return None


def default_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for host, in its order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def default_connector(ip: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((ip, port), timeout=timeout)


@dataclass
class HttpResult:
    status: int
    url: str  # final URL after redirects
    headers: dict  # lower-case names
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    redirects: list = field(default_factory=list)  # the URLs that redirected, in order
    elapsed_s: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any (bytes are never decoded here)."""
        return content_type_charset(self.content_type)


def content_type_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value, lower-case, or None."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def feed_content_type_ok(content_type: str) -> bool:
    """Feeds are often mislabelled (text/html, octet-stream), so refuse only what cannot be one."""
    media = _media_type(content_type)
    if not media:
        return True
    if any(tok in media for tok in ("xml", "rss", "atom", "rdf")) or media.startswith("text/"):
        return True
    return media in ("application/octet-stream", "binary/octet-stream", "application/x-download")


def page_content_type_ok(content_type: str) -> bool:
    media = _media_type(content_type)
    return not media or media in ("text/html", "application/xhtml+xml", "text/plain")


CONTENT_TYPE_CHECKS = {"feed": feed_content_type_ok, "page": page_content_type_ok, None: lambda _ct: True}


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class _Target:
    url: str
    scheme: str
    host: str  # IDNA-encoded, lower case, no brackets
    port: int
    path: str  # path + query, as sent on the request line


def check_url(url: str) -> _Target:
    """Scheme and syntax check of a URL (no DNS): the parts a request needs; FetchError if unusable."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_scheme", f"malformed URL: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if port == 0:  # urlsplit range-checks 1-65535 except 0, which "port or default" would turn into 80
        raise FetchError("bad_scheme", "port 0 is not a valid port", url=url)
    if scheme not in ("http", "https"):
        raise FetchError("bad_scheme", f"scheme {scheme or '(none)'!r} is not http/https", url=url)
    if not parts.hostname:
        raise FetchError("bad_scheme", "URL has no host", url=url)
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchError("bad_scheme", f"invalid host name: {exc}", url=url) from exc
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(url, scheme, host, _DEFAULT_PORTS[scheme] if port is None else port, path)


def check_feed_url(url: str) -> str:
    """The trimmed URL, or ValueError when it can never be fetched (scheme, host): the same rule
    the client applies, for registering feeds."""
    url = url.strip()
    try:
        check_url(url)
    except FetchError as exc:
        raise ValueError(f"{url}: {exc.message}") from exc
    return url


def literal_address(host: str) -> str | None:
    """The IP address a host name spells without DNS, in every form the system resolver accepts
    (``::1``, ``2130706433``, ``0x7f.1``, ``127.1``), or None for a name that needs resolving."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not re.fullmatch(r"[0-9a-fx.]+", host, re.IGNORECASE):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host))  # parses numbers only: never a lookup
    except OSError:
        return None


def validate_feed_url(url: str, allow_loopback: bool = False) -> str:
    """The normalised URL, or FetchError when fetching it could never pass the guard; no DNS.

    Checks the scheme (http/https), host, port (80/443; any port only when ``allow_loopback``
    and the host may be loopback), and IP literals in any spelling (private, link-local incl.
    metadata, loopback unless ``allow_loopback``), and ``localhost`` names. Names are checked
    again, resolved, at every fetch. Normalised: trimmed, scheme and host lower-case (IDNA),
    default port and fragment dropped.
    """
    url = url.strip()
    target = check_url(url)
    name = target.host.rstrip(".")  # "localhost." and "127.0.0.1." name the same hosts
    address = literal_address(name)
    if address is not None:
        reason = address_block_reason(address, allow_loopback)
        if reason:
            raise FetchError("blocked_address", f"{target.host} is a {reason}", url=url)
    elif (name == "localhost" or name.endswith(".localhost")) and not allow_loopback:
        raise FetchError("blocked_address", f"{target.host} is a loopback name", url=url)
    if target.port not in DEFAULT_ALLOWED_PORTS:
        may_be_loopback = address is None or ipaddress.ip_address(address).is_loopback
        if not (allow_loopback and may_be_loopback):
            raise FetchError("blocked_address", f"port {target.port} is not allowed", url=url)
    parts = urlsplit(url)
    host = f"[{target.host}]" if ":" in target.host else target.host
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if target.port != _DEFAULT_PORTS[target.scheme]:
        netloc += f":{target.port}"
    return urlunsplit((target.scheme, netloc, parts.path or "/", parts.query, ""))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket goes to a pre-checked IP; Host stays the hostname."""

    def __init__(self, host, port, ip, connector, connect_timeout, read_timeout):
        super().__init__(host, port, timeout=read_timeout)
        self._ip = ip
        self._connector = connector
        self._connect_timeout = connect_timeout

    def connect(self):
        sock = self._connector(self._ip, self.port, self._connect_timeout)
        sock.settimeout(self.timeout)
        self.sock = sock


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host, port, ip, connector, connect_timeout, read_timeout, ssl_context):
        super().__init__(host, port, ip, connector, connect_timeout, read_timeout)
        self._ssl_context = ssl_context

    def connect(self):
        super().connect()  # self.sock is the raw socket during the handshake: the watchdog can shut it
        # SNI and certificate verification against the hostname, not the pinned IP.
        self.sock = self._ssl_context.wrap_socket(self.sock, server_hostname=self.host)


class _Watchdog:
    """Shuts the current connection's socket down at the deadline so no blocking call outlives it."""

    def __init__(self, seconds: float):
        self.expired = False
        self.conn: http.client.HTTPConnection | None = None
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self):
        self.expired = True
        sock = self.conn.sock if self.conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self):
        self._timer.cancel()


class _BodyBuffer:
    """Body pieces joined once at the end (a growing bytearray is reallocated as it grows, then
    copied into bytes: a batch of large bodies held up to twice their size)."""

    def __init__(self):
        self.pieces: list[bytes] = []
        self.size = 0

    def __iadd__(self, piece: bytes) -> _BodyBuffer:
        self.pieces.append(piece)
        self.size += len(piece)
        return self

    def __len__(self) -> int:
        return self.size

    def getvalue(self) -> bytes:
        pieces, self.pieces = self.pieces, []
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class SafeHttpClient:
    def __init__(
        self,
        allow_loopback: bool = False,
        resolver: Resolver | None = None,
        connector: Connector | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        deadline_s: float = 25.0,
        max_body: int = DEFAULT_MAX_BODY,
        max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
        max_redirects: int = 5,
        allowed_ports: Sequence[int] = DEFAULT_ALLOWED_PORTS,
        user_agent: str = USER_AGENT,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.allow_loopback = allow_loopback
        self.resolver = resolver or default_resolver
        self.connector = connector or default_connector
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.deadline_s = deadline_s
        self.max_body = max_body
        self.max_decompressed = max_decompressed
        self.max_redirects = max_redirects
        self.allowed_ports = tuple(allowed_ports)
        self.user_agent = user_agent
        if ssl_context is not None:
            self.ssl_context = ssl_context

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """The system's CA certificates, loaded on the first https request (18 ms: the extract
        function fetches a page only for articles whose feed carries no full text)."""
        return ssl.create_default_context()

    @classmethod
    def from_settings(cls, settings: HttpClientSettings, **overrides) -> SafeHttpClient:
        """The client of the function's settings (CLAIMWATCH_ALLOW_LOOPBACK, local demo/tests only;
        CLAIMWATCH_FETCH_DEADLINE_S; CLAIMWATCH_FETCH_MAX_BODY in bytes); an override of None keeps
        the setting."""
        kwargs: dict = {"allow_loopback": settings.allow_loopback}
        if settings.fetch_deadline_s is not None:
            kwargs["deadline_s"] = settings.fetch_deadline_s
        if settings.fetch_max_body is not None:
            kwargs["max_body"] = settings.fetch_max_body
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> SafeHttpClient:
        """The client of the environment's settings (HttpClientSettings), for the CLI and tests."""
        return cls.from_settings(HttpClientSettings.from_env(environ), **overrides)

    # -- public -------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        *,
        expect: str | None = "feed",
        deadline_s: float | None = None,
        content_type_ok: Callable[[str], bool] | None = None,
    ) -> HttpResult:
        """GET url through the guard. Returns 2xx and 304 results; raises FetchError otherwise.

        ``expect`` picks the content-type check: "feed", "page" or None (no check);
        ``content_type_ok`` (a predicate on the Content-Type header) replaces it when given.
        """
        started = time.monotonic()
        deadline = started + (self.deadline_s if deadline_s is None else deadline_s)
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        content_type_ok = content_type_ok or CONTENT_TYPE_CHECKS[expect]
        visited: list[str] = []
        current = url
        for _hop in range(self.max_redirects + 1):
            target = check_url(current)
            ips = self._resolve_checked(target)
            status, resp_headers, body = self._exchange(target, ips, headers, deadline, content_type_ok)
            if status in REDIRECT_STATUSES:
                location = resp_headers.get("location")
                if not location:
                    raise FetchError("http_status", f"{status} without Location", url=current, status=status)
                visited.append(current)
                current = urljoin(current, location.strip())
                if current in visited:
                    raise FetchError("too_many_redirects", f"redirect loop back to {current}", url=url, status=status)
                continue
            return HttpResult(
                status=status,
                url=current,
                headers=resp_headers,
                body=body,
                etag=resp_headers.get("etag"),
                last_modified=resp_headers.get("last-modified"),
                redirects=visited,
                elapsed_s=time.monotonic() - started,
            )
        raise FetchError("too_many_redirects", f"more than {self.max_redirects} redirects", url=url)

    # -- guard --------------------------------------------------------------------------------

    def _resolve_checked(self, target: _Target) -> list[str]:
        try:
            ipaddress.ip_address(target.host)
            ips = [target.host]  # an IP literal is checked as is, never "resolved"
        except ValueError:
            ips = None
        try:
            ips = ips or list(self.resolver(target.host, target.port))
        except FetchError:
            raise
        except OSError as exc:
            raise FetchError("dns", f"cannot resolve {target.host}: {exc}", url=target.url) from exc
        if not ips:
            raise FetchError("dns", f"{target.host} has no address", url=target.url)
        # Strict: one bad address refuses the host, so no answer order or retry reaches it.
        for ip in ips:
            reason = address_block_reason(ip, self.allow_loopback)
            if reason:
                raise FetchError("blocked_address", f"{target.host} -> {ip}: {reason}", url=target.url)
        if target.port not in self.allowed_ports:
            all_loopback = all(ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback for ip in ips)
            if not (self.allow_loopback and all_loopback):
                raise FetchError("blocked_address", f"port {target.port} is not allowed", url=target.url)
        return ips

    # -- transport ----------------------------------------------------------------------------

    def _connection(self, target: _Target, ip: str, timeout: float) -> http.client.HTTPConnection:
        timeout = max(timeout, 0.001)  # a non-positive socket timeout would mean "blocking"/error
        connect_timeout = min(self.connect_timeout, timeout)
        read_timeout = min(self.read_timeout, timeout)
        if target.scheme == "https":
            return _PinnedHTTPSConnection(
                target.host, target.port, ip, self.connector, connect_timeout, read_timeout, self.ssl_context
            )
        return _PinnedHTTPConnection(target.host, target.port, ip, self.connector, connect_timeout, read_timeout)

    def _exchange(self, target, ips, headers, deadline, content_type_ok):
        """One request/response on one hop: (status, headers, body); body only for 2xx."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", "deadline passed before the request", url=target.url)
        watchdog = _Watchdog(remaining)
        conn = None
        last_error: Exception | None = None
        for ip in ips[:2]:  # a second address if the first refuses; each already checked
            conn = watchdog.conn = self._connection(target, ip, deadline - time.monotonic())
            try:
                conn.connect()
                break
            except (OSError, ssl.SSLError) as exc:
                conn.close()
                conn, last_error = None, exc
                if deadline - time.monotonic() <= 0:
                    break
        if conn is None:
            watchdog.cancel()
            timed_out = watchdog.expired or isinstance(last_error, TimeoutError)
            raise FetchError(
                "timeout" if timed_out else "connect",
                f"cannot connect to {target.host}:{target.port}: {last_error}",
                url=target.url,
            )
        try:
            conn.request("GET", target.path, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            resp_headers: dict = {}
            for name, value in resp.getheaders():
                name = name.lower()
                resp_headers[name] = f"{resp_headers[name]}, {value}" if name in resp_headers else value
            if status == 304 or status in REDIRECT_STATUSES:
                return status, resp_headers, b""
            if not 200 <= status < 300:
                raise FetchError(
                    "http_status",
                    f"HTTP {status} {resp.reason}",
                    url=target.url,
                    status=status,
                    retry_after=_retry_after_seconds(resp_headers.get("retry-after")),
                )
            if not content_type_ok(resp_headers.get("content-type", "")):
                raise FetchError(
                    "bad_content_type", f"unexpected content type {resp_headers.get('content-type')!r}", url=target.url
                )
            body = self._read_body(resp, resp_headers, target.url, watchdog)
            return status, resp_headers, body
        except FetchError:
            raise
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as exc:
            if watchdog.expired or isinstance(exc, TimeoutError):
                raise FetchError("timeout", f"no complete response from {target.host} in time", url=target.url) from exc
            raise FetchError("connect", f"{type(exc).__name__}: {exc}", url=target.url) from exc
        finally:
            watchdog.cancel()
            conn.close()

    def _read_body(self, resp: http.client.HTTPResponse, headers: dict, url: str, watchdog: _Watchdog) -> bytes:
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            raise FetchError("too_large", f"Content-Length {declared} over the {self.max_body}-byte cap", url=url)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        decoder: Any  # a zlib decompressor; None: not decided yet; False: no content coding
        if encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decoder = None  # zlib-wrapped or raw: decided on the first bytes
        elif encoding in ("", "identity"):
            decoder = False
        else:
            raise FetchError("bad_content_type", f"unsupported Content-Encoding {encoding!r}", url=url)
        out = _BodyBuffer()
        received = 0
        while True:
            chunk = resp.read1(_CHUNK)
            if watchdog.expired:  # a shut socket reads as EOF: the body is truncated, not complete
                raise FetchError("timeout", "body not complete by the deadline", url=url)
            if not chunk:
                break
            received += len(chunk)
            if received > self.max_body:
                raise FetchError("too_large", f"body over the {self.max_body}-byte cap", url=url)
            if decoder is False:
                out += chunk
                continue
            if decoder is None:
                looks_zlib = len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
                decoder = zlib.decompressobj(zlib.MAX_WBITS if looks_zlib else -zlib.MAX_WBITS)
            self._inflate(decoder, chunk, out, url)
        if decoder:
            try:
                out += decoder.flush()
            except zlib.error as exc:
                raise FetchError("parse", f"corrupt {encoding} body: {exc}", url=url) from exc
            if len(out) > self.max_decompressed:
                raise FetchError("too_large", f"decompressed body over {self.max_decompressed} bytes", url=url)
        return out.getvalue()

    def _inflate(self, decoder, data: bytes, out: _BodyBuffer, url: str) -> None:
        """Decompress with a bounded output per call, so a bomb stops at the cap."""
        while data and not decoder.eof:
            room = self.max_decompressed - len(out)
            try:  # in steps: one call up to the cap would hold the cap twice (the piece and the buffer)
                out += decoder.decompress(data, min(room + 1, _INFLATE_STEP))
            except zlib.error as exc:
                raise FetchError("parse", f"corrupt compressed body: {exc}", url=url) from exc
            if len(out) > self.max_decompressed:
                raise FetchError("too_large", f"decompressed body over {self.max_decompressed} bytes", url=url)
            data = decoder.unconsumed_tail
