"""One host's due feeds travel in one feed-poll message, so the per-host limit holds across
concurrent fetchers (issue 16)."""

from __future__ import annotations

import json

import pytest

from claimwatch.feeds.pollmessages import MAX_FEEDS_PER_MESSAGE, message_feed_ids, poll_messages
from claimwatch.feeds.state import FeedState


def state(url: str) -> FeedState:
    return FeedState.new(url)


def test_feeds_of_one_host_share_a_message_and_other_hosts_get_their_own():
    due = [state("https://a.example/rss"), state("https://b.example/feed"), state("https://A.example/world/rss")]
    groups = [json.loads(body)["feed_ids"] for body in poll_messages(due)]
    assert groups == [[due[0].feed_id, due[2].feed_id], [due[1].feed_id]]


def test_a_host_with_many_due_feeds_is_split_so_a_message_fits_the_fetch_timeout():
    due = [state(f"https://big.example/section/{i}/rss") for i in range(2 * MAX_FEEDS_PER_MESSAGE + 1)]
    sizes = [len(json.loads(body)["feed_ids"]) for body in poll_messages(due)]
    assert sizes == [MAX_FEEDS_PER_MESSAGE, MAX_FEEDS_PER_MESSAGE, 1]
    assert sorted(i for body in poll_messages(due) for i in message_feed_ids(body)) == sorted(s.feed_id for s in due)


def test_messages_of_either_shape_give_their_feed_ids_and_malformed_ones_raise():
    assert message_feed_ids('{"feed_ids": ["x", "y"]}') == ["x", "y"]
    assert message_feed_ids('{"feed_id": "x"}') == ["x"]  # queued before the grouping
    for bad in ("{not json", '{"other": 1}', '{"feed_ids": "x"}', '{"feed_ids": [1]}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            message_feed_ids(bad)
