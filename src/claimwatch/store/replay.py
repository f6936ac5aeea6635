"""Replaying the three failure queues (`claimwatch replay`).

- ArticleDLQ and FeedPollDLQ hold the original message bodies: each is sent again to its source
  queue (ArticleQueue, FeedPollQueue) and deleted from the dead-letter queue once sent. Re-sending
  rather than an SQS message move task: it works on any endpoint (moto has no move tasks), lists
  what it moves, and drops the extract function's error attributes from the replayed message.
- AlertFailureQueue holds Lambda's on-failure records for the Claims stream: not the records,
  only where they were (stream, shard, first and last sequence number). The records are read back
  from the stream and handed to the alert function again (its exactly-once guard makes a record
  that did alert before a no-op). A stream keeps records for 24 hours: an older range, or one the
  stream no longer has, is reported as not retained and left in the queue.

Every message is received once and held invisible while the replay runs; with `dry_run` nothing
is sent, invoked or deleted, and the messages become visible again at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from claimwatch.store import aws

STREAM_RETENTION = timedelta(hours=24)
HOLD_S = 300  # visibility timeout while a replay works through a queue
# Lambda's event source filter on the Claims stream (template.yaml FilterCriteria): inserts only.
REPLAYED_STREAM_EVENTS = ("INSERT",)
NOT_RETAINED_ERRORS = ("TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException")


@dataclass
class Outcome:
    message_id: str
    status: str  # "replayed", "would replay", "not retained", "failed again"
    detail: str


@dataclass
class ReplayReport:
    queue: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def left_in_queue(self) -> int:
        return sum(o.status in ("not retained", "failed again") for o in self.outcomes)

    def format(self) -> str:
        verb = "would replay" if self.dry_run else "replayed"
        lines = [
            f"{self.queue}: {len(self.outcomes)} message(s), {verb} {self.count(verb)}"
            + (f", {self.left_in_queue} left in the queue" if self.left_in_queue else "")
        ]
        lines += [f"  {o.message_id}  {o.status}: {o.detail}" for o in self.outcomes]
        return "\n".join(lines)


def receive_all(sqs, queue_url: str, hold_s: int = HOLD_S) -> list[dict]:
    """Every message now in the queue, each once, held invisible for `hold_s` seconds."""
    found: dict[str, dict] = {}
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=hold_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not batch:
            return list(found.values())
        for message in batch:
            found.setdefault(message["MessageId"], message)


def _release(sqs, queue_url: str, messages: list[dict]) -> None:
    for message in messages:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)


def _failure_reason(message: dict) -> str:
    attributes = message.get("MessageAttributes") or {}
    reason = (attributes.get("error_reason") or {}).get("StringValue")
    return f" (failed: {reason[:120]})" if reason else ""


def resend(sqs, dlq_url: str, source_url: str, dry_run: bool, name: str) -> ReplayReport:
    """Send each dead letter's body to its source queue again, then delete it from the DLQ."""
    report = ReplayReport(name, dry_run)
    messages = receive_all(sqs, dlq_url)
    for message in messages:
        detail = f"{message['Body'][:100]}{_failure_reason(message)}"
        if dry_run:
            report.outcomes.append(Outcome(message["MessageId"], "would replay", detail))
            continue
        sqs.send_message(QueueUrl=source_url, MessageBody=message["Body"])
        sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
        report.outcomes.append(Outcome(message["MessageId"], "replayed", detail))
    if dry_run:
        _release(sqs, dlq_url, messages)
    return report


# ---------------------------------------------------------------- the Claims stream
def lambda_stream_record(record: dict, stream_arn: str) -> dict:
    """A DynamoDB Streams API record as Lambda delivers it (source ARN, epoch creation time)."""
    out = {**record, "eventSourceARN": stream_arn, "dynamodb": dict(record.get("dynamodb") or {})}
    created = out["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        out["dynamodb"]["ApproximateCreationDateTime"] = created.timestamp()
    return out


def _arrival(info: dict) -> datetime | None:
    value = info.get("approximateArrivalOfFirstRecord")
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_stream_range(streams, info: dict, max_empty_pages: int = 5) -> list[dict]:
    """The records from startSequenceNumber to endSequenceNumber of the recorded shard.
    Raises ClientError (NOT_RETAINED_ERRORS) when the stream no longer has them."""
    start, end = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    records: list[dict] = []
    empty = 0
    while iterator and empty < max_empty_pages:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        iterator = page.get("NextShardIterator")
        empty = 0 if page.get("Records") else empty + 1
        for record in page.get("Records", []):
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence > end:
                return records
            if sequence >= start:
                records.append(lambda_stream_record(record, info["streamArn"]))
        if records and int(records[-1]["dynamodb"]["SequenceNumber"]) == end:
            return records
    return records


def replay_stream_failures(
    sqs,
    streams,
    failure_url: str,
    invoke: Callable[[dict], dict],
    dry_run: bool,
    now: datetime | None = None,
    name: str = "AlertFailureQueue",
) -> ReplayReport:
    """Read back each failed batch's records and invoke the alert function with them again.
    `invoke(event) -> response` is the alert function (Lambda Invoke, or the local pipeline's)."""
    now = now or datetime.now(UTC)
    report = ReplayReport(name, dry_run)
    messages = receive_all(sqs, failure_url)
    kept = []
    for message in messages:
        outcome = _replay_failed_batch(streams, message, invoke, dry_run, now)
        report.outcomes.append(outcome)
        if outcome.status == "replayed":
            sqs.delete_message(QueueUrl=failure_url, ReceiptHandle=message["ReceiptHandle"])
        else:
            kept.append(message)
    _release(sqs, failure_url, kept)
    return report


def _replay_failed_batch(streams, message: dict, invoke, dry_run: bool, now: datetime) -> Outcome:
    mid = message["MessageId"]
    try:
        info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    except (ValueError, KeyError, TypeError):
        return Outcome(mid, "failed again", "not a DynamoDB stream on-failure record")
    span = f"shard {info.get('shardId')} sequence {info.get('startSequenceNumber')}..{info.get('endSequenceNumber')}"
    arrival = _arrival(info)
    if arrival is not None and now - arrival > STREAM_RETENTION:
        return Outcome(
            mid,
            "not retained",
            f"{span}: first record arrived {arrival:%Y-%m-%d %H:%M} UTC, beyond "
            f"the stream's 24-hour retention; these alerts cannot be replayed",
        )
    try:
        records = read_stream_range(streams, info)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in NOT_RETAINED_ERRORS:
            return Outcome(mid, "not retained", f"{span}: the stream no longer has these records ({code})")
        raise
    expected = int(info.get("batchSize") or 0)
    if not records or (expected and len(records) < expected):
        return Outcome(mid, "not retained", f"{span}: the stream returned {len(records)} of {expected} records")
    inserts = [r for r in records if r.get("eventName") in REPLAYED_STREAM_EVENTS]
    detail = f"{span}: {len(records)} record(s), {len(inserts)} new claim(s)"
    if dry_run:
        return Outcome(mid, "would replay", detail)
    if inserts:
        try:
            response = invoke({"Records": inserts}) or {}
        except Exception as exc:  # noqa: BLE001 - the function failed again: the record stays for later
            return Outcome(mid, "failed again", f"{detail}; {type(exc).__name__}: {exc}")
        failed = response.get("batchItemFailures") or []
        if failed:
            return Outcome(mid, "failed again", f"{detail}; {len(failed)} record(s) failed again")
    return Outcome(mid, "replayed", detail)


# ---------------------------------------------------------------- a deployment
def stack_outputs(stack_name: str) -> dict[str, str]:
    stack = aws.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def lambda_invoker(function_name: str) -> Callable[[dict], dict]:
    """Invoke a deployed function synchronously; its error, if it raised, as an exception."""

    def invoke(event: dict) -> dict:
        response = aws.client("lambda").invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(event, default=str).encode(),
        )
        payload = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            raise RuntimeError(f"{function_name} failed: {payload.get('errorMessage', payload)}")
        return payload

    return invoke


def streams_client():
    """The regional DynamoDB Streams endpoint (moto does not route account-based ones)."""
    return boto3.client(
        "dynamodbstreams", endpoint_url=aws.endpoint_url(), config=Config(account_id_endpoint_mode="disabled")
    )
