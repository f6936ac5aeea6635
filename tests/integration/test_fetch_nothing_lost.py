"""The fetch function loses no article: whatever fails (an item over DynamoDB's 400 KB limit, a
throttled put, a malformed message), no article ends up marked seen without being queued, the
rest of the batch goes on, and every polled feed's state is saved. Feeds are generated in the test
and served on loopback."""

from __future__ import annotations

import copy
import json
import sys

import pytest
from botocore.exceptions import ClientError

from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.store.feeds import FIELD_LIMITS, FeedStore
from claimwatch.store.queues import SQS_BODY_LIMIT

from lambda_events import load_event

pytestmark = pytest.mark.slow

HUGE_GUID = "urn:x-huge:" + "g" * 500_000  # the seen-record alone would pass DynamoDB's 400 KB


def rss(name: str, items: int, huge_at: int | None = None) -> bytes:
    entries = []
    for n in range(items):
        guid = HUGE_GUID if n == huge_at else f"{name}-{n}"
        entries.append(
            f"<item><title>{name} story {n}</title><link>http://news.example/{name}/{n}</link>"
            f'<guid isPermaLink="false">{guid}</guid><pubDate>Mon, 05 Jan 2026 10:0{n % 10}:00 GMT</pubDate>'
            f"<description>Officials in {name} said item {n} was reported overnight.</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://news.example/{name}</link><description>generated</description>{''.join(entries)}"
        "</channel></rss>"
    ).encode()


def fetch_module(pipe):
    pipe.handler("FetchFunction")
    return sys.modules[f"claimwatch_fn_FetchFunction_{pipe.stack.prefix}"]


def batch(*feed_ids: str) -> dict:
    template = load_event("fetch/feed_batch.json")["Records"][0]
    records = []
    for n, feed_id in enumerate(feed_ids):
        record = copy.deepcopy(template)
        record["messageId"] = f"msg-{n}"
        record["body"] = json.dumps({"feed_id": feed_id})
        records.append(record)
    return {"Records": records}


def queued(pipe) -> list[dict]:
    out = []
    while msgs := pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("ArticleQueue"), MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        out += msgs
    return out


def seen(store: FeedStore) -> dict[str, dict]:
    return {i["article_id"]: i for i in store.articles.scan()["Items"] if i["kind"] == "article"}


@pytest.fixture
def served():
    directory = FeedDirectory(
        extra={
            "big": lambda r: rss("big", 5, huge_at=2),
            "plain": lambda r: rss("plain", 4),
            "other": lambda r: rss("other", 2),
        }
    )
    with FeedServer(directory) as server:
        yield server


def test_an_article_over_the_item_limit_is_stored_truncated_queued_and_the_rest_go_on(local_pipeline, served):
    pipe = local_pipeline
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    feed = store.add_feed(served.url("big"))
    assert pipe.invoke("FetchFunction", batch(feed.feed_id)) == {"batchItemFailures": []}

    messages = queued(pipe)
    articles = [json.loads(m["Body"]) for m in messages]
    assert len(articles) == 5 and all(len(m["Body"].encode()) <= SQS_BODY_LIMIT for m in messages)
    ledger = seen(store)
    assert set(ledger) == {a["article_id"] for a in articles}, "every article seen is queued, and only those"
    (huge,) = [a for a in articles if a["guid"].startswith("urn:x-huge:")]
    assert len(huge["guid"]) <= FIELD_LIMITS["guid"] and len(ledger[huge["article_id"]]["guid"]) <= FIELD_LIMITS["guid"]
    state = store.get(feed.feed_id)
    assert state.last_status == 200 and state.etag, "the feed's state is saved"


def test_a_throttled_put_loses_nothing_and_the_state_is_saved(local_pipeline, served):
    pipe = local_pipeline
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    plain, other = store.add_feed(served.url("plain")), store.add_feed(served.url("other"))
    module = fetch_module(pipe)
    puts, throttled = [], []

    def throttle_third_put(params, **kwargs):
        puts.append(1)
        if len(puts) == 3:
            throttled.append(params["TransactItems"][0]["Put"]["Item"]["article_id"])
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    events = module.feeds._client.meta.events
    events.register("before-parameter-build.dynamodb.TransactWriteItems", throttle_third_put)
    event = batch(plain.feed_id, other.feed_id)
    result = pipe.invoke("FetchFunction", copy.deepcopy(event))
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}, "only the plain feed's record fails"

    first = [json.loads(m["Body"])["article_id"] for m in queued(pipe)]
    assert len(first) == 6 and throttled[0] in first, "the throttled article was queued all the same"
    assert set(seen(store)) == set(first) - set(throttled), "no article is seen without being queued"
    plain_state, other_state = store.get(plain.feed_id), store.get(other.feed_id)
    assert plain_state.last_status == 200 and plain_state.consecutive_failures == 0, "saved despite the failure"
    assert plain_state.etag is None, "so the retry's GET lists the throttled article again, not a 304"
    assert other_state.etag

    events.unregister("before-parameter-build.dynamodb.TransactWriteItems", throttle_third_put)
    retry = {"Records": event["Records"][:1]}  # SQS redelivers the failed record
    assert pipe.invoke("FetchFunction", retry) == {"batchItemFailures": []}
    again = [json.loads(m["Body"])["article_id"] for m in queued(pipe)]
    assert again == throttled, "queued once more (extract's idempotency drops the copy), now marked seen"
    assert set(seen(store)) == set(first)
    assert store.get(plain.feed_id).etag


@pytest.mark.parametrize(
    "body",
    [{"feed_id": ["a", "b"]}, {"feed_id": {"id": "x"}}, {"feed_id": ""}, {"feed_id": 7}, ["feed_id"], {"feed": "x"}],
)
def test_a_malformed_feed_message_fails_alone(local_pipeline, served, body):
    pipe = local_pipeline
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    good = store.add_feed(served.url("other"))
    event = batch(good.feed_id, "placeholder", good.feed_id)
    event["Records"][1]["body"] = json.dumps(body)
    assert pipe.invoke("FetchFunction", event) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert len(queued(pipe)) == 2 and store.get(good.feed_id).last_status == 200


def test_a_feed_whose_state_cannot_be_read_fails_alone(local_pipeline, served):
    pipe = local_pipeline
    store = FeedStore(pipe.env["FEEDS_TABLE"], pipe.env["ARTICLES_TABLE"])
    good = store.add_feed(served.url("other"))
    broken = store.add_feed(served.url("plain"))
    store.feeds.update_item(
        Key={"feed_id": broken.feed_id},
        UpdateExpression="SET added_at = :bad",
        ExpressionAttributeValues={":bad": "not a time"},
    )
    event = batch(broken.feed_id, good.feed_id)
    assert pipe.invoke("FetchFunction", event) == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert len(queued(pipe)) == 2 and store.get(good.feed_id).last_status == 200

    # The scheduler reads only ids and URLs: the corrupt item is still enqueued, to fail its own poll.
    assert pipe.invoke("SchedulerFunction", load_event("scheduler/schedule.json")) == {"enqueued": 1, "messages": 1}
    (message,) = pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("FeedPollQueue"))["Messages"]
    assert json.loads(message["Body"]) == {"feed_ids": [broken.feed_id]}
