"""Transport limits of SafeHttpClient against the loopback server: deadlines, caps, bombs,
redirect handling, conditional GET and the User-Agent."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import USER_AGENT

from .conftest import NORMAL_FEED


def fetch_error(client, url, **kw) -> FetchError:
    with pytest.raises(FetchError) as info:
        client.get(url, **kw)
    return info.value


def test_normal_feed_returns_body_validators_and_sends_user_agent(client, feed_server):
    result = client.get(f"{feed_server.base}/feed.xml")
    assert result.status == 200 and result.body == NORMAL_FEED
    assert result.etag == '"v1"' and result.last_modified == "Mon, 05 Jan 2026 10:00:00 GMT"
    path, headers = feed_server.requests[-1]
    assert headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("claimwatch/")
    assert "github.com/claimwatch/claimwatch" in USER_AGENT


def test_conditional_get_sends_validators_and_returns_304_without_body(client, feed_server):
    result = client.get(f"{feed_server.base}/feed.xml", etag='"v1"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    assert result.not_modified and result.body == b""
    _, headers = feed_server.requests[-1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Mon, 05 Jan 2026 10:00:00 GMT"


def test_slow_drip_is_cut_at_the_deadline(client, feed_server):
    started = time.monotonic()
    error = fetch_error(client, f"{feed_server.base}/slow", deadline_s=1.0)
    elapsed = time.monotonic() - started
    assert error.kind == "timeout"
    assert 0.9 <= elapsed < 2.0  # every byte arrived within the read timeout; the deadline still holds


def test_declared_body_over_the_cap_is_refused_before_reading(client, feed_server):
    error = fetch_error(client, f"{feed_server.base}/big")
    assert error.kind == "too_large" and "Content-Length" in error.message


def test_undeclared_body_over_the_cap_is_cut(client, feed_server):
    error = fetch_error(client, f"{feed_server.base}/big-undeclared")
    assert error.kind == "too_large"


def test_gzip_bomb_stops_at_the_decompressed_cap_with_bounded_memory(client, feed_server):
    tracemalloc.start()
    try:
        error = fetch_error(client, f"{feed_server.base}/gzip-bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind == "too_large" and "decompressed" in error.message
    assert peak < 4 * client.max_decompressed  # 16 MB of zeros never materialise


def test_gzip_feed_is_decompressed(client, feed_server):
    assert client.get(f"{feed_server.base}/gzip-feed").body == NORMAL_FEED


def test_redirect_loop_is_detected(client, feed_server):
    error = fetch_error(client, f"{feed_server.base}/loop-a")
    assert error.kind == "too_many_redirects" and "loop" in error.message


def test_redirects_are_followed_up_to_five_hops(client, feed_server):
    result = client.get(f"{feed_server.base}/chain/4")  # 5 redirects then the feed
    assert result.status == 200 and result.url.endswith("/feed.xml") and len(result.redirects) == 5
    error = fetch_error(client, f"{feed_server.base}/chain/5")
    assert error.kind == "too_many_redirects"


@pytest.mark.parametrize("path,status", [("/500", 500), ("/404", 404), ("/410", 410)])
def test_error_statuses_raise_http_status(client, feed_server, path, status):
    error = fetch_error(client, f"{feed_server.base}{path}")
    assert error.kind == "http_status" and error.status == status


def test_retry_after_is_reported(client, feed_server):
    error = fetch_error(client, f"{feed_server.base}/503-retry-after")
    assert error.status == 503 and error.retry_after == 7200


def test_wrong_content_type_is_refused_before_the_body(client, feed_server):
    error = fetch_error(client, f"{feed_server.base}/image")
    assert error.kind == "bad_content_type"
    error = fetch_error(client, f"{feed_server.base}/feed.xml", expect="page")  # a page must be HTML
    assert error.kind == "bad_content_type"


def test_connection_refused_is_a_connect_failure(client):
    error = fetch_error(client, "http://127.0.0.1:9/feed")  # discard port: nothing listens
    assert error.kind == "connect"


def test_custom_content_type_predicate_and_charset(client, feed_server):
    from claimwatch.feeds.http import page_content_type_ok

    result = client.get(f"{feed_server.base}/cp1251", content_type_ok=lambda ct: "rss" in ct)
    assert result.charset == "windows-1251"
    error = fetch_error(client, f"{feed_server.base}/cp1251", content_type_ok=page_content_type_ok)
    assert error.kind == "bad_content_type"
