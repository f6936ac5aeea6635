"""Bad input loses nothing: poison articles end in the DLQ after bounded retries, an alert that
cannot be published ends in the stream's on-failure queue, the rest of the batch goes on."""

from __future__ import annotations

import copy
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
    dlq = pipe.sqs.receive_message(
        QueueUrl=pipe.stack.ref("ArticleDLQ"), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in dlq] == ["{this is not an article"]
    assert "Expecting" in dlq[0]["MessageAttributes"]["error_reason"]["StringValue"]
    assert pipe.queue_depth("ArticleQueue") == 0
    claims = ClaimStore(pipe.env["CLAIMS_TABLE"], pipe.env["MENTIONS_TABLE"]).scan_claims()
    assert len({c.provenance.article_id for c in claims}) == 2


def test_unpublishable_alerts_go_to_the_on_failure_queue_after_bounded_retries(local_pipeline):
    pipe = local_pipeline
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(
        load_watchlist("watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n")
    )
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


ALERT_WATCH = "watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n"


def claim_records_with_poison(at: int) -> tuple[list[dict], str]:
    """The fixture's three claim INSERTs with an unreadable image inserted at position ``at``."""
    records = load_event("alert/claim_insert.json")["Records"]
    poison = copy.deepcopy(records[0])
    poison["dynamodb"]["SequenceNumber"] = "000000000000000999999"
    poison["dynamodb"]["NewImage"] = {"claim_id": {"S": "unreadable"}, "claim": {"S": "not a claim map"}}
    records.insert(at, poison)
    return records, poison["dynamodb"]["SequenceNumber"]


def alert_source(pipe) -> dict:
    (props,) = [ev["Properties"] for ev in pipe.functions["AlertFunction"].events.values() if ev["Type"] == "DynamoDB"]
    return props


def failure_messages(pipe) -> list[dict]:
    msgs = pipe.sqs.receive_message(QueueUrl=pipe.stack.ref("AlertFailureQueue"), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in msgs.get("Messages", [])]


@pytest.mark.parametrize(
    "image",
    [
        {"claim_id": {"S": "x"}, "claim": {"S": "not a claim map"}},
        {"claim_id": {"S": "x"}, "claim": {"N": "not a number"}},
        {"claim_id": {"S": "x"}},
    ],
)
def test_an_unreadable_claim_image_fails_alone_and_the_batch_alerts(local_pipeline, image):
    pipe = local_pipeline
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(load_watchlist(ALERT_WATCH))
    records, poison = claim_records_with_poison(0)
    records[0]["dynamodb"]["NewImage"] = image
    assert pipe.invoke("AlertFunction", {"Records": records}) == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert [a["attributes"]["watch_id"] for a in pipe.drain_alerts()] == [["kostiantynivka"]]  # a String.Array


def test_the_runner_retries_a_stream_batch_from_the_reported_record_then_hands_it_on(local_pipeline):
    pipe = local_pipeline
    WatchStore(pipe.env["WATCHES_TABLE"]).put_watches(load_watchlist(ALERT_WATCH))
    records, poison = claim_records_with_poison(1)
    pipe._invoke_stream_batch("AlertFunction", alert_source(pipe), records)
    assert [n for name, n in pipe.invocations if name == "AlertFunction"] == [4, 3, 3, 3], (
        "retried from the poison record on, MaximumRetryAttempts (3) times"
    )
    assert len(pipe.drain_alerts()) == 1, "the good claims alerted once, however often they were retried"
    (failure,) = failure_messages(pipe)
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == poison
    assert failure["requestContext"]["approximateInvokeCount"] == 4


def test_the_runner_bisects_a_stream_batch_whose_invocation_raised(local_pipeline):
    """Lambda's BisectBatchOnFunctionError: split in half (no retry used), halves in stream order,
    down to the one poison record, which alone uses the retries and reaches the failure queue."""
    pipe = local_pipeline
    records = load_event("alert/claim_insert.json")["Records"][:1] * 5
    records = [copy.deepcopy(r) for r in records]
    for n, record in enumerate(records):
        record["dynamodb"]["SequenceNumber"] = f"{n:021d}"
    poison, batches = records[3]["dynamodb"]["SequenceNumber"], []

    def crashes_on_poison(event, context):
        seqs = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        batches.append([int(s) for s in seqs])
        if poison in seqs:
            raise RuntimeError("unhandled")
        return {"batchItemFailures": []}

    pipe._handlers["AlertFunction"] = crashes_on_poison
    pipe._invoke_stream_batch("AlertFunction", alert_source(pipe), records)
    assert batches == [[0, 1, 2, 3, 4], [0, 1], [2, 3, 4], [2], [3, 4], [3], [3], [3], [3], [4]]
    (failure,) = failure_messages(pipe)
    info = failure["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (poison, poison, 1)


def test_a_malformed_watch_item_is_skipped_and_the_other_watches_alert(local_pipeline):
    pipe = local_pipeline
    store = WatchStore(pipe.env["WATCHES_TABLE"])
    store.put_watches(load_watchlist(ALERT_WATCH))
    store.table.put_item(Item={"watch_id": "hand-edited", "listed": "watch", "id": "hand-edited", "near": "Bakhmut"})
    store.table.put_item(Item={"watch_id": "no-fields"})
    assert [w.id for w in store.all()] == ["kostiantynivka"]
    records = load_event("alert/claim_insert.json")["Records"]
    assert pipe.invoke("AlertFunction", {"Records": records}) == {"batchItemFailures": []}
    assert [a["attributes"]["watch_id"] for a in pipe.drain_alerts()] == [["kostiantynivka"]]
