"""The fetch function's batch: per-feed deadlines within the invocation's time, results by feed id."""

from __future__ import annotations

import pytest

from claimwatch.feeds.pollbatch import PER_HOST, STORE_RESERVE_S, PolledBatch, feed_deadline
from claimwatch.feeds.state import FeedState


def states(*urls: str) -> list[FeedState]:
    return [FeedState(feed_id=f"f{i}", url=url) for i, url in enumerate(urls)]


def test_one_hosts_feeds_share_the_time_left_round_by_round():
    ten = states(*(f"https://slow.example/feed{i}" for i in range(10)))
    rounds = 10 // PER_HOST
    assert feed_deadline(ten, remaining_s=115.0, client_deadline_s=25.0) == pytest.approx(
        (115 - STORE_RESERVE_S) / rounds
    )
    assert feed_deadline(ten[:2], remaining_s=115.0, client_deadline_s=25.0) == 25.0  # one round: the client's own
    assert feed_deadline(ten, remaining_s=5.0, client_deadline_s=25.0) == 1.0  # never below a second


def test_a_feed_whose_state_could_not_be_read_fails_its_own_record():
    batch = PolledBatch({"broken": ConnectionError("throttled")})
    with pytest.raises(ConnectionError):
        batch.result("broken")
    assert batch.result("deleted") is None
