from __future__ import annotations

import json
import random
from datetime import timedelta

from claimwatch.feeds.errors import FETCH_ERROR_KINDS, FetchError
from claimwatch.feeds.health import HealthPolicy, backoff_seconds, record_failure, record_success
from claimwatch.feeds.state import FeedState

from .conftest import NOW


def test_state_round_trips_through_json():
    state = FeedState.new("https://news.example/rss", "News", NOW)
    record_failure(state, FetchError("timeout", "slow"), NOW)
    record_success(state, NOW + timedelta(hours=1), status=200, etag='"e"', last_modified="Mon, 05 Jan 2026")
    record_failure(state, FetchError("http_status", "HTTP 503", status=503), NOW + timedelta(hours=2))
    data = json.loads(json.dumps(state.to_dict()))
    assert data["next_poll"].endswith("Z") and data["failures_by_kind"] == {"timeout": 1, "http_status": 1}
    assert FeedState.from_dict(data) == state


def test_backoff_is_exponential_capped_and_jittered():
    policy = HealthPolicy(max_backoff_s=4 * 3600, park_after=100, jitter=0.2)
    state = FeedState.new("https://news.example/rss", now=NOW)
    rng = random.Random(7)
    for n in range(1, 12):
        record_failure(state, FetchError("connect", "refused"), NOW, policy=policy, rng=rng)
        expected = min(4 * 3600, 900 * 2 ** (n - 1))
        assert backoff_seconds(state, policy) == expected
        delay = (state.next_poll - NOW).total_seconds()
        assert 0.8 * expected <= delay <= 1.2 * expected
    assert state.health == "failing" and state.consecutive_failures == 11


def test_retry_after_extends_the_backoff():
    state = FeedState.new("https://news.example/rss", now=NOW)
    record_failure(
        state, FetchError("http_status", "429", status=429, retry_after=7200), NOW, policy=HealthPolicy(jitter=0.0)
    )
    assert state.next_poll == NOW + timedelta(seconds=7200)


def test_304_keeps_the_validators_200_replaces_them():
    state = FeedState.new("https://news.example/rss", now=NOW)
    record_success(state, NOW, status=200, etag='"a"', last_modified="Mon")
    record_success(state, NOW, status=304)
    assert (state.etag, state.last_modified) == ('"a"', "Mon")
    record_success(state, NOW, status=200, etag=None, last_modified=None)
    assert state.etag is None


def test_error_kinds_are_a_closed_vocabulary():
    assert len(FETCH_ERROR_KINDS) == 11
    try:
        FetchError("weird", "x")
    except ValueError:
        pass
    else:
        raise AssertionError("unknown kinds must be refused")
