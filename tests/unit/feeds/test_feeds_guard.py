"""The SSRF guard. Every test runs with a connector stub that fails on any non-loopback connect,
so a broken guard fails here and never sends a packet to a metadata, private or public address."""

from __future__ import annotations

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import SafeHttpClient, address_block_reason, check_url, validate_feed_url

from .conftest import FAKE_PUBLIC_IP, LoopbackOnlyConnector, StubResolver

BLOCKED = [
    "127.0.0.1",
    "127.5.5.5",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "192.0.0.170",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "::1",
    "::",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:db8::1",
    "not-an-ip",
]
ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:93.184.216.34",
]


@pytest.mark.parametrize("address", BLOCKED)
def test_non_global_addresses_are_refused(address):
    assert address_block_reason(address) is not None


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert address_block_reason(address) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_allow_loopback_permits_loopback(address):
    assert address_block_reason(address, allow_loopback=True) is None


@pytest.mark.parametrize(
    "address", ["10.0.0.1", "169.254.169.254", "fd00:ec2::254", "100.64.0.1", "::ffff:192.168.0.1"]
)
def test_allow_loopback_never_permits_private_or_link_local(address):
    assert address_block_reason(address, allow_loopback=True) is not None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://example.com/",
        "feed://example.com/rss",
        "javascript:alert(1)",
        "/relative/path",
        "http://",
        "http://exa mple.com:99999/",
    ],
)
def test_only_http_and_https_urls_are_accepted(url):
    with pytest.raises(FetchError) as info:
        check_url(url)
    assert info.value.kind == "bad_scheme"


def make_client(connector, table, allow_loopback=False, **kw):
    return SafeHttpClient(allow_loopback=allow_loopback, resolver=StubResolver(table), connector=connector, **kw)


def public_route(feed_server):
    """The fake public address on port 80 is served by the loopback test server."""
    return LoopbackOnlyConnector(routes={(FAKE_PUBLIC_IP, 80): ("127.0.0.1", feed_server.server_address[1])})


def test_public_host_is_fetched_from_the_checked_address_with_its_hostname(feed_server):
    connector = public_route(feed_server)
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]})
    result = client.get("http://feeds.example.com/host-echo")
    assert connector.calls == [(FAKE_PUBLIC_IP, 80)]
    assert b"host=feeds.example.com" in result.body  # Host header names the host, not the IP
    assert not connector.violations


def test_redirect_to_loopback_is_refused_when_loopback_is_not_allowed(feed_server):
    connector = public_route(feed_server)
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]})
    with pytest.raises(FetchError) as info:
        client.get("http://feeds.example.com/to-loopback")
    assert info.value.kind == "blocked_address" and "loopback" in info.value.message
    assert connector.calls == [(FAKE_PUBLIC_IP, 80)]  # the redirect target was never connected to


@pytest.mark.parametrize("allow_loopback", [False, True])
def test_redirect_to_cloud_metadata_is_refused_even_with_loopback_allowed(feed_server, allow_loopback):
    connector = public_route(feed_server)
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]}, allow_loopback=allow_loopback)
    with pytest.raises(FetchError) as info:
        client.get("http://feeds.example.com/to-metadata")
    assert info.value.kind == "blocked_address" and "169.254.169.254" in info.value.message
    assert connector.calls == [(FAKE_PUBLIC_IP, 80)]


def test_redirect_to_a_name_resolving_to_a_private_address_is_refused(feed_server):
    connector = public_route(feed_server)
    resolver_table = {"feeds.example.com": [FAKE_PUBLIC_IP], "internal.example": ["10.1.2.3"]}
    client = make_client(connector, resolver_table, allow_loopback=True)
    with pytest.raises(FetchError) as info:
        client.get("http://feeds.example.com/to-private-name")
    assert info.value.kind == "blocked_address"
    assert connector.calls == [(FAKE_PUBLIC_IP, 80)]


def test_redirect_to_file_scheme_is_refused(feed_server):
    connector = public_route(feed_server)
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]})
    with pytest.raises(FetchError) as info:
        client.get("http://feeds.example.com/to-file")
    assert info.value.kind == "bad_scheme"


def test_a_host_with_any_private_address_is_refused_whatever_the_order():
    connector = LoopbackOnlyConnector()
    client = make_client(connector, {"mixed.example": [FAKE_PUBLIC_IP, "169.254.169.254"]})
    with pytest.raises(FetchError) as info:
        client.get("http://mixed.example/rss")
    assert info.value.kind == "blocked_address"
    assert connector.calls == []


def test_dns_rebinding_cannot_swap_the_address_after_the_check(feed_server):
    """The resolver answers public first and metadata afterwards; the client resolves once per
    hop and connects to the address it checked."""
    answers = iter([[FAKE_PUBLIC_IP], ["169.254.169.254"], ["169.254.169.254"]])
    connector = public_route(feed_server)
    client = make_client(connector, {"rebind.example": lambda host: next(answers)})
    result = client.get("http://rebind.example/feed.xml")
    assert result.status == 200
    assert connector.calls == [(FAKE_PUBLIC_IP, 80)]
    assert client.resolver.lookups == ["rebind.example"]


def test_literal_private_ip_in_the_url_is_refused_without_connecting():
    connector = LoopbackOnlyConnector()
    client = SafeHttpClient(connector=connector)  # the real resolver: numeric forms resolve locally
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://[fd00:ec2::254]/",
    ):
        with pytest.raises(FetchError) as info:
            client.get(url)
        assert info.value.kind == "blocked_address", url
    assert connector.calls == []


def test_loopback_is_refused_by_default(feed_server):
    connector = LoopbackOnlyConnector()
    with pytest.raises(FetchError) as info:
        SafeHttpClient(connector=connector).get(f"{feed_server.base}/feed.xml")
    assert info.value.kind == "blocked_address"
    assert connector.calls == []


def test_unusual_ports_are_refused_for_public_hosts():
    connector = LoopbackOnlyConnector()
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]})
    for url in ("http://feeds.example.com:22/", "https://feeds.example.com:6379/", "http://feeds.example.com:8080/"):
        with pytest.raises(FetchError) as info:
            client.get(url)
        assert info.value.kind == "blocked_address" and "port" in info.value.message
    assert connector.calls == []


def test_unresolvable_host_is_a_dns_failure():
    connector = LoopbackOnlyConnector()
    with pytest.raises(FetchError) as info:
        make_client(connector, {}).get("http://nowhere.example/rss")
    assert info.value.kind == "dns"


def test_from_env_allows_loopback_only_when_set():
    assert SafeHttpClient.from_env({}).allow_loopback is False
    assert SafeHttpClient.from_env({"CLAIMWATCH_ALLOW_LOOPBACK": "0"}).allow_loopback is False
    client = SafeHttpClient.from_env({"CLAIMWATCH_ALLOW_LOOPBACK": "1", "CLAIMWATCH_FETCH_DEADLINE_S": "7"})
    assert client.allow_loopback is True and client.deadline_s == 7.0
    env = {"CLAIMWATCH_ALLOW_LOOPBACK": "1"}
    assert SafeHttpClient.from_env(env, allow_loopback=None).allow_loopback is True  # None keeps the setting
    assert SafeHttpClient.from_env({}, allow_loopback=True).allow_loopback is True


@pytest.mark.parametrize(
    "url",
    [
        "http://feeds.example.com:0/rss",
        "https://feeds.example.com:0/",
        "http://[::1]:0/",
        "http://feeds.example.com:65536/",
        "http://feeds.example.com:-1/",
    ],
)
def test_port_zero_and_out_of_range_ports_are_refused(url):
    with pytest.raises(FetchError) as info:
        check_url(url)
    assert info.value.kind == "bad_scheme" and "port" in info.value.message.lower()


def test_port_zero_is_never_connected_to_as_port_80(feed_server):
    connector = public_route(feed_server)  # port 80 of the public address would reach the test server
    client = make_client(connector, {"feeds.example.com": [FAKE_PUBLIC_IP]})
    with pytest.raises(FetchError) as info:
        client.get("http://feeds.example.com:0/feed.xml")
    assert info.value.kind == "bad_scheme" and connector.calls == []


@pytest.mark.parametrize(
    "url,fragment",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fd00:ec2::254]/", "private"),
        ("http://10.0.0.1/feed", "private"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number
        ("http://0x7f.1/", "loopback"),
        ("http://0251.0376.0251.0376/", "link-local"),  # 169.254.169.254 in octal
        ("http://127.1:8080/", "loopback"),
        ("http://localhost/feed", "loopback"),
        ("http://LOCALHOST./feed", "loopback"),
        ("http://127.0.0.1./feed", "loopback"),
        ("http://feeds.localhost/feed", "loopback"),
        ("http://news.example:0/rss", "port 0"),
        ("http://news.example:8080/rss", "port 8080"),
        ("http://news.example:99999/rss", "Port out of range"),
        ("ftp://news.example/rss", "scheme"),
        ("http:///rss", "no host"),
    ],
)
def test_validate_feed_url_refuses_without_dns(url, fragment, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("validate_feed_url must not resolve names")

    monkeypatch.setattr("socket.getaddrinfo", no_dns)
    with pytest.raises(FetchError) as info:
        validate_feed_url(url)
    assert fragment in info.value.message and info.value.kind in ("blocked_address", "bad_scheme")


@pytest.mark.parametrize(
    "url,normalised",
    [
        (" HTTP://News.Example:80/rss?x=1#top ", "http://news.example/rss?x=1"),
        ("https://news.example:443", "https://news.example/"),
        ("http://bücher.example/feed", "http://xn--bcher-kva.example/feed"),
        ("https://[2606:4700:4700::1111]/feed", "https://[2606:4700:4700::1111]/feed"),
        ("http://93.184.216.34/rss", "http://93.184.216.34/rss"),
    ],
)
def test_validate_feed_url_accepts_and_normalises_public_urls(url, normalised):
    assert validate_feed_url(url) == normalised


def test_validate_feed_url_with_loopback_allowed_accepts_loopback_only():
    assert validate_feed_url("http://127.0.0.1:8080/feed.xml", allow_loopback=True) == "http://127.0.0.1:8080/feed.xml"
    assert validate_feed_url("http://localhost:8000/f", allow_loopback=True) == "http://localhost:8000/f"
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://news.example:0/"):
        with pytest.raises(FetchError):
            validate_feed_url(url, allow_loopback=True)
