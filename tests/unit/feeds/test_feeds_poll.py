"""poll_feed / poll_many over every case of the loopback server: each ends in the right feed
health, nothing raises, and one bad feed does not disturb the others."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest

from claimwatch.feeds import poll as poll_module
from claimwatch.feeds.health import HealthPolicy
from claimwatch.feeds.poll import poll_feed, poll_many, summarize
from claimwatch.feeds.state import FeedState

from .conftest import NOW


def new_state(feed_server, path) -> FeedState:
    return FeedState.new(f"{feed_server.base}{path}", now=NOW)


def test_normal_feed_then_304_costs_no_parsing(client, feed_server, monkeypatch):
    first = poll_feed(new_state(feed_server, "/feed.xml"), client, NOW)
    assert first.ok and not first.not_modified and not first.bozo
    assert [a.title for a in first.articles] == ["Shelling reported near the river", "Talks resume"]
    assert first.articles[0].canonical_url == "http://news.test/a/1"  # utm_* dropped
    assert first.articles[1].canonical_url == "http://news.test/a/2"  # fragment dropped
    assert first.articles[0].outlet == "Loopback News" and first.articles[0].published == "2026-01-05T10:00:00Z"
    state = first.state
    assert (state.health, state.last_status, state.etag, state.title) == ("ok", 200, '"v1"', "Loopback News")
    assert state.last_success == NOW and NOW < state.next_poll <= NOW + timedelta(seconds=900 * 1.2)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("a 304 must not be parsed")

    monkeypatch.setattr(poll_module, "parse_feed", must_not_parse)
    later = NOW + timedelta(minutes=20)
    second = poll_feed(state, client, later)
    assert second.ok and second.not_modified and second.articles == []
    assert second.state.last_status == 304 and second.state.etag == '"v1"' and second.state.last_success == later


@pytest.mark.parametrize(
    "path,kind,status",
    [
        ("/500", "http_status", 500),
        ("/404", "http_status", 404),
        ("/loop-a", "too_many_redirects", 302),
        ("/slow", "timeout", None),
        ("/big", "too_large", None),
        ("/gzip-bomb", "too_large", None),
        ("/billion-laughs", "parse", None),
        ("/ebcdic-laughs", "bad_encoding", None),
        ("/quadratic", "parse", None),
        ("/not-a-feed", "parse", None),
        ("/image", "bad_content_type", None),
    ],
)
def test_failures_back_off_and_are_counted_by_kind(client, feed_server, path, kind, status):
    started = time.monotonic()
    result = poll_feed(new_state(feed_server, path), client, NOW, deadline_s=1.0)
    # The deadline, not the server, ends the poll: /slow alone would take 10 s (margin for a busy CI).
    assert time.monotonic() - started < 5.0
    assert result.error is not None and result.error.kind == kind and result.articles == []
    state = result.state
    assert state.health == "failing" and state.consecutive_failures == 1
    assert state.failures_by_kind == {kind: 1} and state.last_error_kind == kind
    assert state.last_status == status and state.last_success is None
    assert state.next_poll > NOW  # backed off, not retried at once


@pytest.mark.parametrize("path", ["/to-metadata", "/410"])
def test_failures_retrying_cannot_fix_park_at_once_with_a_reason(client, feed_server, path):
    state = poll_feed(new_state(feed_server, path), client, NOW).state
    assert state.health == "parked" and state.parked_reason
    assert state.next_poll >= NOW + timedelta(hours=19)  # probed daily, not dropped


def test_redirect_to_loopback_is_followed_when_loopback_is_allowed(client, feed_server):
    result = poll_feed(new_state(feed_server, "/to-loopback"), client, NOW)
    assert result.ok and len(result.articles) == 2


def test_invalid_xml_yields_what_it_can_and_counts_a_warning(client, feed_server):
    result = poll_feed(new_state(feed_server, "/invalid-xml"), client, NOW)
    assert result.ok and result.bozo and result.bozo_message
    assert [a.title for a in result.articles] == ["First & foremost", "Second"]
    assert result.state.health == "ok" and result.state.bozo_count == 1 and result.state.failures_by_kind == {}


@pytest.mark.parametrize("path", ["/cp1251", "/cp1251-no-header-charset"])
def test_windows_1251_feed_is_decoded(client, feed_server, path):
    result = poll_feed(new_state(feed_server, path), client, NOW)
    assert result.ok and result.state.title == "Новости"
    (article,) = result.articles
    assert article.title == "Обстрел в Донецке" and "Советник главы ДНР" in article.summary


def test_changing_guids_keep_the_same_article_ids(client, feed_server):
    first = poll_feed(new_state(feed_server, "/changing-guids"), client, NOW)
    second = poll_feed(first.state, client, NOW + timedelta(minutes=15))
    assert [a.guid for a in first.articles] != [a.guid for a in second.articles]
    assert [a.article_id for a in first.articles] == [a.article_id for a in second.articles]
    assert [a.content_hash for a in first.articles] == [a.content_hash for a in second.articles]


def test_a_failing_feed_backs_off_exponentially_parks_and_recovers(client, feed_server):
    policy = HealthPolicy(park_after=4, jitter=0.0)
    feed_server.flaky_ok = False
    state = new_state(feed_server, "/flaky")
    now = NOW
    delays = []
    for _ in range(4):
        state = poll_feed(state, client, now, policy=policy).state
        delays.append((state.next_poll - now).total_seconds())
        now = state.next_poll
    assert delays[:3] == [900, 1800, 3600]  # interval · 2^(n-1)
    assert state.health == "parked" and "4 consecutive failures" in state.parked_reason
    assert "http_status" in state.parked_reason and delays[3] == policy.park_probe_s

    feed_server.flaky_ok = True  # the site comes back: the daily probe un-parks it
    recovered = poll_feed(state, client, now, policy=policy)
    assert recovered.ok and len(recovered.articles) == 2
    state = recovered.state
    assert state.health == "ok" and state.parked_reason is None and state.consecutive_failures == 0
    assert state.failures_by_kind == {"http_status": 4}  # history kept for the metric


def test_poll_feed_never_raises_even_on_an_unexpected_bug(feed_server):
    class BrokenClient:
        def get(self, *args, **kwargs):
            raise RuntimeError("bug in a client")

    result = poll_feed(new_state(feed_server, "/feed.xml"), BrokenClient(), NOW)
    assert result.error.kind == "parse" and "RuntimeError" in result.error.message
    assert result.state.health == "failing"


def test_poll_many_every_case_at_once_keeps_order_and_the_good_feeds_good(client, feed_server):
    paths = [
        "/feed.xml",
        "/500",
        "/slow",
        "/gzip-bomb",
        "/billion-laughs",
        "/cp1251",
        "/to-metadata",
        "/invalid-xml",
        "/404",
        "/changing-guids",
    ]
    states = [new_state(feed_server, p) for p in paths]
    started = time.monotonic()
    # 2.5 s per feed: with a gzip bomb and an entity bomb decoding beside it, a healthy feed took
    # over 1 s on a loaded 2-core CI machine and was marked failing
    results = poll_many(states, client, NOW, max_workers=8, per_host=8, feed_deadline_s=2.5)
    assert time.monotonic() - started < 8.0  # the slow feed (10 s) costs its 2.5 s deadline, in parallel
    assert [r.state.url for r in results] == [s.url for s in states]
    health = {p: r.state.health for p, r in zip(paths, results, strict=True)}
    assert health == {
        "/feed.xml": "ok",
        "/500": "failing",
        "/slow": "failing",
        "/gzip-bomb": "failing",
        "/billion-laughs": "failing",
        "/cp1251": "ok",
        "/to-metadata": "parked",
        "/invalid-xml": "ok",
        "/404": "failing",
        "/changing-guids": "ok",
    }
    summary = summarize(results)
    assert summary["failed"] == 6 and summary["ok"] == 4 and summary["bozo"] == 1
    assert summary["failures_by_kind"] == {
        "http_status": 2,
        "timeout": 1,
        "too_large": 1,
        "parse": 1,
        "blocked_address": 1,
    }
    assert states[0].last_success is None  # inputs are not mutated: results carry new states


def test_poll_many_limits_concurrency_per_host(feed_server):
    class CountingClient:
        def __init__(self):
            self.active, self.peak, self.lock = {}, {}, threading.Lock()

        def get(self, url, **kwargs):
            host = url.split("/")[2]
            with self.lock:
                self.active[host] = self.active.get(host, 0) + 1
                self.peak[host] = max(self.peak.get(host, 0), self.active[host])
            time.sleep(0.02)
            with self.lock:
                self.active[host] -= 1
            from claimwatch.feeds.errors import FetchError

            raise FetchError("connect", "counting client never connects")

    counting = CountingClient()
    states = [FeedState.new(f"http://host{i % 3}.test/feed/{i}", now=NOW) for i in range(30)]
    results = poll_many(states, counting, NOW, max_workers=16, per_host=2, rng=random.Random(1))
    assert len(results) == 30 and all(r.error.kind == "connect" for r in results)
    assert counting.peak == {"host0.test": 2, "host1.test": 2, "host2.test": 2}
