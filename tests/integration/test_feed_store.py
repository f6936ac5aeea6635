"""FeedStore against moto: registry idempotency, due feeds, state round trip, the "new article"
decision (replays, changed GUIDs and syndicated copies are not new), and that no failure leaves an
article seen but not queued."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.health import record_failure, record_success
from claimwatch.feeds.identity import article_id_for, canonical_url, content_hash
from claimwatch.feeds.poll import PollResult
from claimwatch.local.template import create_template_table
from claimwatch.model import Article
from claimwatch.store.feeds import FIELD_LIMITS, FeedStore
from claimwatch.store.queues import SQS_BODY_LIMIT, ArticleQueue

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with moto.mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        create_template_table(dynamodb, "FeedsTable", "Feeds")
        create_template_table(dynamodb, "ArticlesTable", "Articles")
        yield FeedStore("Feeds", "Articles", dynamodb=dynamodb)


def article(link, guid, text, title="Bridge hit", feed_id="f1") -> Article:
    return Article(
        article_id=article_id_for(link, guid, title, feed_id),
        url=link,
        canonical_url=canonical_url(link),
        title=title,
        feed_id=feed_id,
        guid=guid,
        content=text,
        content_hash=content_hash(text, title),
    )


LONG_TEXT = "Officials said the bridge over the river was hit overnight. " * 10


def test_add_feed_is_idempotent_and_listed(store):
    first = store.add_feed("https://news.example/rss", "Example News", now=NOW)
    again = store.add_feed("https://news.example/rss", "Another title", now=NOW + timedelta(hours=1))
    assert again.feed_id == first.feed_id
    assert again.title == "Example News"  # the existing registration is not overwritten
    assert [s.url for s in store.list_feeds()] == ["https://news.example/rss"]
    assert store.get(first.feed_id).added_at == NOW


def test_unpollable_urls_are_not_registered(store):
    for url in ("file:///etc/passwd", "ftp://news.example/rss", "not a url"):
        with pytest.raises(ValueError):
            store.add_feed(url)
    assert store.list_feeds() == []


def test_state_round_trips_and_due_feeds_follow_next_poll_and_parking(store):
    ok = store.add_feed("https://ok.example/rss", now=NOW)
    failing = store.add_feed("https://failing.example/rss", now=NOW)
    parked = store.add_feed("https://parked.example/rss", now=NOW)
    assert {s.feed_id for s in store.due_feeds(NOW)} == {ok.feed_id, failing.feed_id, parked.feed_id}

    ok.interval_s = 6 * 3600  # a slow feed: polled every six hours
    record_success(ok, NOW, status=200, etag='"abc"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    record_failure(failing, FetchError("http_status", "HTTP 500", status=500), NOW)
    record_failure(parked, FetchError("blocked_address", "resolves to 10.0.0.1"), NOW)
    for state in (ok, failing, parked):
        assert store.save_state(state)

    loaded = store.get(ok.feed_id)
    assert loaded == ok  # every field, times and counters included, survives DynamoDB
    assert store.get(failing.feed_id).failures_by_kind == {"http_status": 1}
    assert store.due_feeds(NOW) == []  # nothing is due right after a poll

    later = NOW + timedelta(hours=2)  # past the failing feed's 15-min backoff, before the others
    assert [s.feed_id for s in store.due_feeds(later)] == [failing.feed_id]
    much_later = NOW + timedelta(days=3)
    assert {s.feed_id for s in store.due_feeds(much_later)} == {ok.feed_id, failing.feed_id, parked.feed_id}
    assert parked.feed_id not in {s.feed_id for s in store.due_feeds(much_later, include_parked=False)}


def test_save_state_does_not_resurrect_a_removed_feed(store):
    state = store.add_feed("https://gone.example/rss", now=NOW)
    store.remove_feed(state.feed_id)
    assert store.save_state(state) is False
    assert store.get(state.feed_id) is None


def test_put_article_if_new_rejects_replays_changed_guids_and_syndicated_copies(store):
    original = article("https://news.example/a/1?utm_source=rss", "guid-1", LONG_TEXT)
    assert store.put_article_if_new(original) is True
    assert store.put_article_if_new(original) is False  # replay of the same message
    regenerated_guid = article("https://news.example/a/1#top", "guid-2", LONG_TEXT)
    assert regenerated_guid.article_id == original.article_id
    assert store.put_article_if_new(regenerated_guid) is False
    syndicated = article("https://other.example/story", "x", LONG_TEXT, feed_id="f2")
    assert syndicated.article_id != original.article_id
    assert store.put_article_if_new(syndicated) is False  # same text under another URL
    # The losing attempt wrote nothing: the transaction is all or nothing.
    assert store.get_article(syndicated.article_id) is None

    different = article("https://news.example/a/2", "guid-3", LONG_TEXT.replace("bridge", "dam"))
    assert store.put_article_if_new(different) is True
    stored = store.get_article(original.article_id)
    assert stored["canonical_url"] == "https://news.example/a/1" and stored["kind"] == "article"
    assert store.get_article(f"content#{original.content_hash}")["original_article_id"] == original.article_id


def test_the_seen_record_keeps_metadata_not_the_text(store):
    big = article("https://news.example/a/big", "big", "word " * 120_000)  # over DynamoDB's 400 KB item cap
    assert store.put_article_if_new(big) is True
    stored = store.get_article(big.article_id)
    assert "content" not in stored and stored["canonical_url"] == big.canonical_url


class RecordingQueue:
    """Stands in for ArticleQueue.send: records what was queued, fails the sends it is told to."""

    def __init__(self, fail_ids=()):
        self.sent, self.fail_ids = [], set(fail_ids)

    def send(self, item, truncated=()):
        if item.article_id in self.fail_ids:
            raise RuntimeError("SQS unavailable")
        self.sent.append(item)
        return list(truncated)

    @property
    def ids(self) -> list[str]:
        return [a.article_id for a in self.sent]


def seen_ids(store) -> set[str]:
    return {i["article_id"] for i in store.articles.scan()["Items"] if i["kind"] == "article"}


def fail_nth_transaction(store, n: int) -> None:
    """The nth conditional put is throttled (after the SDK's own retries, as a caller sees it)."""
    calls = []

    def throttle(**kwargs):
        calls.append(1)
        if len(calls) == n:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    store._client.meta.events.register("before-call.dynamodb.TransactWriteItems", throttle)


def test_record_new_articles_skips_known_items_before_the_transaction(store):
    old = article("https://news.example/a/1", "g1", LONG_TEXT)
    assert store.put_article_if_new(old) is True
    new = article("https://news.example/a/2", "g2", LONG_TEXT + " A new paragraph.")
    copy = article("https://mirror.example/b/7", "m7", LONG_TEXT)  # syndicated: same text
    calls = []
    store._client.meta.events.register("before-call.dynamodb.TransactWriteItems", lambda **kw: calls.append(1))
    queue = RecordingQueue()
    assert [a.article_id for a in store.record_new_articles([old, new, copy], queue.send).queued] == [new.article_id]
    assert queue.ids == [new.article_id]
    assert len(calls) == 1, "only the unseen article reaches a conditional transaction"
    again = store.record_new_articles([old, new, copy], queue.send)
    assert again.queued == [] and again.complete and queue.ids == [new.article_id]


def test_one_text_listed_twice_in_a_poll_is_queued_once(store):
    first = article("https://news.example/a/1", "g1", LONG_TEXT)
    mirror = article("https://mirror.example/b/1", "m1", LONG_TEXT)
    queue = RecordingQueue()
    assert [a.article_id for a in store.record_new_articles([first, first, mirror], queue.send).queued] == [
        first.article_id
    ]
    assert queue.ids == [first.article_id]


def test_an_oversized_article_is_stored_truncated_and_queued(store):
    huge = article("https://news.example/a/huge", "g" * 500_000, LONG_TEXT, title="T" * 300_000)
    before, after = (article(f"https://news.example/a/{n}", f"g{n}", LONG_TEXT + n) for n in ("x", "y"))
    queue = RecordingQueue()
    outcome = store.record_new_articles([before, huge, after], queue.send)
    assert outcome.complete and queue.ids == [before.article_id, huge.article_id, after.article_id]
    assert outcome.truncated == {huge.article_id: ["guid", "title"]}
    stored = store.get_article(huge.article_id)
    assert stored["truncated"] == ["guid", "title"]
    assert len(stored["guid"]) == FIELD_LIMITS["guid"] and len(stored["title"]) == FIELD_LIMITS["title"]
    assert "truncated" not in store.get_article(before.article_id)
    assert seen_ids(store) == set(queue.ids)


def test_a_throttled_put_leaves_its_article_queued_and_the_others_seen_and_queued(store):
    items = [article(f"https://news.example/a/{n}", f"g{n}", f"{LONG_TEXT} Item {n}.") for n in range(4)]
    fail_nth_transaction(store, 2)
    queue = RecordingQueue()
    outcome = store.record_new_articles(items, queue.send)
    assert not outcome.complete
    assert [a.article_id for a in outcome.unmarked] == [items[1].article_id]
    assert queue.ids == [a.article_id for a in items], "every article was queued"
    assert seen_ids(store) == {items[0].article_id, items[2].article_id, items[3].article_id}
    retry = store.record_new_articles(items, queue.send)  # the record's retry marks it
    assert retry.complete and [a.article_id for a in retry.queued] == [items[1].article_id]
    assert seen_ids(store) == {a.article_id for a in items}


def test_a_failed_send_leaves_its_article_unseen_and_the_poll_stops_after_three_failures(store):
    items = [article(f"https://news.example/a/{n}", f"g{n}", f"{LONG_TEXT} Item {n}.") for n in range(6)]
    queue = RecordingQueue(fail_ids=[items[1].article_id])
    outcome = store.record_new_articles(items, queue.send)
    assert [a.article_id for a in outcome.failed] == [items[1].article_id]
    assert seen_ids(store) == set(queue.ids) == {a.article_id for a in items} - {items[1].article_id}

    fresh = [article(f"https://news.example/b/{n}", f"h{n}", f"{LONG_TEXT} Other {n}.") for n in range(6)]
    down = RecordingQueue(fail_ids=[a.article_id for a in fresh])
    outcome = store.record_new_articles(fresh, down.send)
    assert len(outcome.failed) == 6 and down.sent == [] and len(outcome.errors) == 4  # 3 tried, 3 left


def test_store_poll_saves_the_state_on_a_partial_failure_without_its_validators(store):
    state = store.add_feed("https://news.example/rss", now=NOW)
    record_success(state, NOW, status=200, etag='"v2"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    items = [article(f"https://news.example/a/{n}", f"g{n}", f"{LONG_TEXT} Item {n}.") for n in range(3)]
    queue = RecordingQueue(fail_ids=[items[2].article_id])
    outcome = store.store_poll(PollResult(state, items), queue.send)
    assert outcome.state_saved and not outcome.complete
    saved = store.get(state.feed_id)
    assert saved.last_success == NOW and saved.next_poll == state.next_poll
    assert saved.etag is None and saved.last_modified is None, "the retry's GET lists the unqueued item again"

    outcome = store.store_poll(PollResult(state, items), RecordingQueue().send)
    assert outcome.complete and [a.article_id for a in outcome.queued] == [items[2].article_id]
    assert store.get(state.feed_id).etag == '"v2"'


class RecordingSqs:
    def __init__(self):
        self.bodies = []

    def send_message(self, QueueUrl, MessageBody):
        self.bodies.append(MessageBody)


def test_the_worst_case_article_fits_both_the_item_and_the_message(store):
    """Every capped field ten times over its cap in astral-plane characters (12 bytes each once
    JSON-escaped, 4 in DynamoDB) and a megabyte of content: cut, stored, queued."""
    wide = "\U0001d54f"
    hostile = Article(
        article_id="a" * 24,
        feed_id="f1",
        content_hash="c" * 32,
        content=wide * 1_000_000,
        summary=wide * 100_000,
        **{name: wide * limit * 10 for name, limit in FIELD_LIMITS.items()},
    )
    sqs = RecordingSqs()
    outcome = store.record_new_articles([hostile], ArticleQueue("queue-url", sqs=sqs).send)
    assert outcome.complete and [a.article_id for a in outcome.queued] == [hostile.article_id]
    (body,) = sqs.bodies
    assert len(body.encode()) <= SQS_BODY_LIMIT
    message = json.loads(body)
    assert message["truncated"] == sorted([*FIELD_LIMITS, "content", "summary"])
    assert message["content"] and message["content"] == wide * len(message["content"])
    assert store.get_article(hostile.article_id)["truncated"] == message["truncated"]
