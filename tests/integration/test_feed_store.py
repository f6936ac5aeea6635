"""FeedStore against moto: registry idempotency, due feeds, state round trip, and the
"new article" decision (replays, changed GUIDs and syndicated copies are not new)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from claimwatch.feeds.errors import FetchError  # noqa: E402
from claimwatch.feeds.health import record_failure, record_success  # noqa: E402
from claimwatch.feeds.identity import article_id_for, canonical_url, content_hash  # noqa: E402
from claimwatch.local.template import create_template_table  # noqa: E402
from claimwatch.model import Article  # noqa: E402
from claimwatch.store.feeds import FeedStore  # noqa: E402

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
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
        article_id=article_id_for(link, guid, title, feed_id), url=link, canonical_url=canonical_url(link),
        title=title, feed_id=feed_id, guid=guid, content=text, content_hash=content_hash(text, title),
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


def test_forget_article_lets_a_retry_enqueue_it_again(store):
    item = article("https://news.example/a/9", "g9", LONG_TEXT)
    assert store.put_article_if_new(item) is True
    store.forget_article(item)  # e.g. SQS send failed after the put
    assert store.put_article_if_new(item) is True


def test_the_seen_record_keeps_metadata_not_the_text(store):
    big = article("https://news.example/a/big", "big", "word " * 120_000)  # over DynamoDB's 400 KB item cap
    assert store.put_article_if_new(big) is True
    stored = store.get_article(big.article_id)
    assert "content" not in stored and stored["canonical_url"] == big.canonical_url


def test_record_new_articles_skips_known_items_before_the_transaction(store):
    old = article("https://news.example/a/1", "g1", LONG_TEXT)
    assert store.put_article_if_new(old) is True
    new = article("https://news.example/a/2", "g2", LONG_TEXT + " A new paragraph.")
    copy = article("https://mirror.example/b/7", "m7", LONG_TEXT)  # syndicated: same text
    calls = []
    store._client.meta.events.register("before-call.dynamodb.TransactWriteItems", lambda **kw: calls.append(1))
    assert [a.article_id for a in store.record_new_articles([old, new, copy])] == [new.article_id]
    assert len(calls) == 1, "only the unseen article reaches a conditional transaction"
    assert store.record_new_articles([old, new, copy]) == []
