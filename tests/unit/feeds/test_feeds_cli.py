from __future__ import annotations

from datetime import timedelta

import pytest

from claimwatch.feeds.cli import format_feed_health, import_opml
from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.health import record_failure, record_success
from claimwatch.feeds.http import check_feed_url
from claimwatch.feeds.state import FeedState

from .conftest import NOW
from .test_feeds_opml import FEEDLY


class MemoryFeedStore:
    """The two FeedStore methods the CLI helpers use, in memory."""

    def __init__(self):
        self.states = {}

    def add_feed(self, url, title=None):
        state = FeedState.new(url, title, NOW)
        return self.states.setdefault(state.feed_id, state)

    def list_feeds(self):
        return list(self.states.values())


def test_feed_health_table_shows_parked_and_failing_first_with_reasons():
    ok = record_success(FeedState.new("https://ok.example/rss", "OK News", NOW), NOW, status=200)
    failing = record_failure(
        FeedState.new("https://slow.example/rss", None, NOW), FetchError("timeout", "no complete response in time"), NOW
    )
    parked = record_failure(
        FeedState.new("https://meta.example/rss", "Meta", NOW),
        FetchError("blocked_address", "meta.example -> 169.254.169.254"),
        NOW,
    )
    text = format_feed_health([ok, failing, parked], now=NOW + timedelta(minutes=5))
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["HEALTH", "FAILS", "STATUS"]
    assert lines[1].startswith("parked") and "Meta <https://meta.example/rss>" in lines[1]
    assert "parked: refused: blocked_address" in lines[2]
    assert lines[3].startswith("failing") and "last error (timeout)" in lines[4]
    assert lines[5].startswith("ok") and "5m ago" in lines[5]
    assert "1 parked, 1 failing, 1 ok (3 feeds)" in text
    assert "failures by kind: blocked_address=1, timeout=1" in text


def test_empty_registry_says_how_to_add_feeds():
    assert "feeds add" in format_feed_health([])


def test_import_is_idempotent_and_rejects_unpollable_urls():
    store = MemoryFeedStore()
    first = import_opml(store, FEEDLY)
    assert len(first.added) == 3 and first.existing == [] and first.rejected == []
    again = import_opml(store, FEEDLY)
    assert again.added == [] and len(again.existing) == 3
    assert again.format() == "imported 0 new feeds, 3 already registered"
    bad = import_opml(store, b'<opml><body><outline xmlUrl="file:///etc/passwd"/></body></opml>')
    assert bad.rejected and "file" in bad.rejected[0][1]


def test_check_feed_url():
    assert check_feed_url("  https://news.example/rss ") == "https://news.example/rss"
    with pytest.raises(ValueError):
        check_feed_url("ftp://news.example/rss")
