"""One host's due feeds travel in one feed-poll message, so the per-host limit holds across
concurrent fetchers (issue 16); a malformed message fails alone (issue 11)."""

from __future__ import annotations

import json

import pytest

from claimwatch.feeds.pollmessages import MAX_FEEDS_PER_MESSAGE, group_by_host
from claimwatch.feeds.state import FeedState
from claimwatch.store.queues import PoisonMessage, feed_ids_from_message, feed_message


def due(*urls: str) -> list[tuple[str, str]]:
    return [(FeedState.new(url).feed_id, url) for url in urls]


def test_feeds_of_one_host_share_a_message_and_other_hosts_get_their_own():
    feeds = due("https://a.example/rss", "https://b.example/feed", "https://A.example/world/rss")
    assert group_by_host(feeds) == [[feeds[0][0], feeds[2][0]], [feeds[1][0]]]


def test_a_host_with_many_due_feeds_is_split_so_a_message_fits_the_fetch_timeout():
    feeds = due(*(f"https://big.example/section/{i}/rss" for i in range(2 * MAX_FEEDS_PER_MESSAGE + 1)))
    groups = group_by_host(feeds)
    assert [len(g) for g in groups] == [MAX_FEEDS_PER_MESSAGE, MAX_FEEDS_PER_MESSAGE, 1]
    assert sorted(i for g in groups for i in feed_ids_from_message(feed_message(g))) == sorted(f for f, _ in feeds)


def test_a_corrupt_registry_url_is_grouped_apart():
    feeds = [("good", "https://a.example/rss"), ("no-url", None), ("number", 7)]
    assert group_by_host(feeds) == [["good"], ["no-url", "number"]]


def test_messages_of_either_shape_give_their_feed_ids_and_malformed_ones_are_poison():
    assert feed_ids_from_message('{"feed_ids": ["x", "y"]}') == ["x", "y"]
    assert feed_ids_from_message('{"feed_id": "x"}') == ["x"]  # queued before the grouping
    for bad in (
        "{not json",
        '{"other": 1}',
        '{"feed_ids": "x"}',
        '{"feed_ids": [1]}',
        '{"feed_ids": []}',
        '{"feed_ids": ["ok", ""]}',
        '["feed_id"]',
    ):
        with pytest.raises(PoisonMessage):
            feed_ids_from_message(bad)
    assert json.loads(feed_message(["a"])) == {"feed_ids": ["a"]}
