"""Registration-time URL validation: the fetcher's no-DNS rules, applied before a feed is stored."""

from __future__ import annotations

import socket

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import validate_feed_url


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """The check must never resolve a name: any lookup fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"validate_feed_url looked a name up: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://10.0.0.1/rss", "private address"),
        ("http://192.168.1.20/rss", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://[fd00::1]/rss", "private address"),
        ("http://127.0.0.1/rss", "loopback"),
        ("http://2130706433/rss", "loopback"),  # 127.0.0.1 as one decimal number
        ("http://0x7f.1/rss", "loopback"),  # and in hex/short form
        ("http://0/rss", "unspecified"),
        ("http://100.64.0.1/rss", "special-use"),
        ("http://news.example:0/rss", "port 0"),
        ("http://news.example:8080/rss", "port 8080 is not allowed"),
        ("ftp://news.example/rss", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("http:///rss", "no host"),
        ("http://news.example:99999/rss", "malformed URL"),
    ],
)
def test_unpollable_urls_are_refused_at_registration(url, reason):
    with pytest.raises(FetchError) as err:
        validate_feed_url(url)
    assert reason in err.value.message


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://news.example/rss", "https://news.example/rss"),
        (" http://News.Example:80/feed.xml#top ", "http://news.example/feed.xml"),
        ("https://8.8.8.8/rss", "https://8.8.8.8/rss"),
        ("https://[2001:4860:4860::8888]/rss", "https://[2001:4860:4860::8888]/rss"),
    ],
)
def test_public_urls_pass_normalised(url, normalised):
    assert validate_feed_url(url) == normalised


def test_loopback_only_when_allowed_and_then_on_any_port():
    assert validate_feed_url("http://127.0.0.1:8000/rss", allow_loopback=True) == "http://127.0.0.1:8000/rss"
    assert validate_feed_url("http://localhost:8000/rss", allow_loopback=True)
    with pytest.raises(FetchError, match="loopback name"):
        validate_feed_url("http://localhost:8000/rss")
    with pytest.raises(FetchError, match="private"):
        validate_feed_url("http://10.0.0.1:8000/rss", allow_loopback=True)
    with pytest.raises(FetchError, match="port 8000"):
        validate_feed_url("http://news.example:8000/rss")
    with pytest.raises(FetchError, match="port 8000"):
        validate_feed_url("http://8.8.8.8:8000/rss", allow_loopback=True)
