"""Bad input loses nothing: poison articles end in the DLQ after bounded retries, an alert that
cannot be published ends in the stream's on-failure queue, the rest of the batch goes on."""

from __future__ import annotations

import json

import pytest

from claimwatch.store.claims import ClaimStore
from claimwatch.store.watches import WatchStore
from claimwatch.watch.watchlist import load_watchlist
from lambda_events import load_event

pytestmark = pytest.mark.slow


def test_poison_article_lands_in_the_dlq_with_its_reason_and_the_good_ones_are_stored(local_pipeline):
    pipe = local_pipeline
    queue = pipe.stack.ref("ArticleQueue")
    for record in load_event("extract/article_batch.json")["Records"]:  # two articles and one poison
        pipe.sqs.send_message(QueueUrl=queue, MessageBody=record["body"])
    pipe.pump()
    extract_calls = [n for name, n in pipe.invocations if name == "ExtractFunction"]
    max_receives = pipe.stack.template["Resources"]["ArticleQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    assert len(extract_calls) == max_receives, "the poison message is received maxReceiveCount times, no more"
    dlq = pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("ArticleDLQ"), MaxNumberOfMessages=10,
                                   MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in dlq] == ["{this is not an article"]
    assert "Expecting" in dlq[0]["MessageAttributes"]["error_reason"]["StringValue"]
    assert pipe.queue_depth("ArticleQueue") == 0
    claims = ClaimStore(pipe.env["CLAIMS_TABLE"], pipe.env["MENTIONS_TABLE"]).scan_claims()
    assert len({c.provenance.article_id for c in claims}) == 2


def test_unpublishable_alerts_go_to_the_on_failure_queue_after_bounded_retries(local_pipeline):
    pipe = local_pipeline
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(
        load_watchlist("watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n"))
    sns = pipe.session.client("sns")
    sns.delete_topic(TopicArn=pipe.stack.ref("AlertTopic"))  # every publish now fails

    for record in load_event("extract/article_batch.json")["Records"][:1]:
        pipe.sqs.send_message(QueueUrl=pipe.stack.ref("ArticleQueue"), MessageBody=record["body"])
    pipe.pump()

    alert_calls = [name for name, _ in pipe.invocations if name == "AlertFunction"]
    assert len(alert_calls) == 4, "one try plus MaximumRetryAttempts (3) retries"
    failures = pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("AlertFailureQueue"))["Messages"]
    assert len(failures) == 1
    info = json.loads(failures[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] >= 1
