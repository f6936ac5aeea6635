"""Registration-time check of a feed URL: the fetcher's rules that need no DNS.

A feed registered with ``feeds add`` or ``feeds import`` would otherwise be refused only when it
is first fetched. Here, before anything is stored: the scheme is http or https, the port is 80 or
443 (any port 1-65535 for a loopback literal when loopback is allowed), and a host written as an
address, in any form the C resolver accepts ("127.1", "0x7f.0.0.1", "2130706433", "[::ffff:…]"),
is judged by the same ``address_block_reason`` the client applies. Host names are not resolved:
the fetcher checks every address they resolve to at each fetch.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Optional
from urllib.parse import urlsplit

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import DEFAULT_ALLOWED_PORTS, address_block_reason, check_url

# Hosts made of digits, dots and hex: inet_aton reads them as IPv4 ("127.1", "0x7f000001").
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.IGNORECASE)


def literal_address(host: str) -> Optional[str]:
    """The IP address a host written as an address denotes, or None for a host name."""
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host.rstrip(".")))  # parsing only: no lookup
        except OSError:
            return None
    return None


def validate_feed_url(url: str, allow_loopback: bool = False) -> str:
    """The trimmed URL, or FetchError when the fetcher would refuse it whatever DNS says."""
    url = url.strip()
    target = check_url(url)  # scheme, host, port syntax
    written_port = urlsplit(url).port
    if written_port is not None and not 1 <= written_port <= 65535:
        raise FetchError("blocked_address", f"port {written_port} is not a valid port", url=url)
    address = literal_address(target.host)
    if address is not None:
        reason = address_block_reason(address, allow_loopback)
        if reason:
            raise FetchError("blocked_address", f"{target.host}: {reason}", url=url)
    if target.port not in DEFAULT_ALLOWED_PORTS:
        loopback = address is not None and ipaddress.ip_address(address).is_loopback
        if not (allow_loopback and (loopback or target.host == "localhost")):
            raise FetchError("blocked_address", f"port {target.port} is not allowed (feeds are fetched on 80 and 443 only)",
                             url=url)
    return url
