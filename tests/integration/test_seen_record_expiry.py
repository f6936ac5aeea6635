"""Articles' seen-records expire (TTL, issue 16). An entry a feed still lists after its record
expired is queued again; that must not alert anyone a second time, even when every other expiring
record (idempotency, novelty, sent alerts) has gone too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claimwatch.model import Article
from claimwatch.store.feeds import FeedStore
from claimwatch.store.watches import WatchStore
from claimwatch.watch.watchlist import load_watchlist

from lambda_events import load_event

pytestmark = pytest.mark.slow


def test_seen_records_carry_the_configured_expiry_and_none_when_kept_forever(local_pipeline):
    pipe = local_pipeline
    now = datetime(2026, 1, 1, tzinfo=UTC)
    article = Article(article_id="a1", url="https://x.example/a1", feed_id="f", content_hash="h1")
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"], seen_days=400)
    assert store.put_article_if_new(article, now)
    for key in ("a1", "content#h1"):
        assert store.get_article(key)["expires_at"] == int(now.timestamp()) + 400 * 86400
    forever = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"], seen_days=0)
    assert forever.put_article_if_new(Article(article_id="a2", url="https://x.example/a2", feed_id="f"), now)
    assert "expires_at" not in forever.get_article("a2")
    assert pipe.env["ARTICLE_SEEN_DAYS"] == "400"  # the template's default reaches the fetch function


def empty(pipe, logical: str) -> None:
    table = pipe.session.resource("dynamodb").Table(pipe.stack.ref(logical))
    keys = [k["AttributeName"] for k in table.key_schema]
    for item in table.scan()["Items"]:
        table.delete_item(Key={k: item[k] for k in keys})


def test_an_article_queued_again_after_every_ttl_expired_alerts_no_one_again(local_pipeline):
    pipe = local_pipeline
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(
        load_watchlist("watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n")
    )
    body = load_event("extract/article_batch.json")["Records"][0]["body"]

    pipe.sqs.send_message(QueueUrl=pipe.stack.ref("ArticleQueue"), MessageBody=body)
    pipe.pump()
    assert pipe.drain_alerts(), "the first time the article alerts"

    for logical in ("ArticlesTable", "IdempotencyTable", "NoveltyTable", "AlertsTable"):
        empty(pipe, logical)
    pipe.sqs.send_message(QueueUrl=pipe.stack.ref("ArticleQueue"), MessageBody=body)
    pipe.pump()
    assert pipe.drain_alerts() == []  # same claim ids, Claims retained: no INSERT on the stream
