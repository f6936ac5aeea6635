"""Run the deployed shape locally: the template's resources on moto (or an endpoint), the
template's functions called with the events Lambda would send them.

- ScheduleV2 events: invoked with an EventBridge Scheduler event on each `tick()`.
- SQS event sources: batches of up to BatchSize messages; `batchItemFailures` are made visible
  again at once (Lambda waits for the visibility timeout) so the queue's redrive policy moves a
  poison message to its DLQ after maxReceiveCount receives, as in AWS.
- DynamoDB stream sources: records read from the table's stream (moto's get_records), filtered
  by the source's FilterCriteria and retried as Lambda does: a batch whose invocation raised is
  split in half when BisectBatchOnFunctionError is set (splitting uses no retry; halves run in
  stream order), a reported item failure retries the batch from that record on, and a batch
  that used up MaximumRetryAttempts is described to the OnFailure destination queue.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from claimwatch.local.template import FunctionSpec, LocalStack, load_template
from claimwatch.settings import FUNCTION_SETTINGS, SettingsError
from claimwatch.store import aws
from claimwatch.store.replay import lambda_stream_record

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}

# Quiet, offline Powertools: no X-Ray daemon here, EMF metrics would drown the demo output.
LOCAL_POWERTOOLS_ENV = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_DEV": "false",
}


@dataclass
class FakeLambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    invoked_function_arn: str = ""
    aws_request_id: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    function_version: str = "$LATEST"

    def __post_init__(self):
        self._deadline = time.monotonic() + self.timeout_s
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())
        self.invoked_function_arn = (
            self.invoked_function_arn or f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def handler_module_name(spec: FunctionSpec, instance: str = "") -> str:
    return f"claimwatch_fn_{spec.logical_id}_{instance}"


def load_handler(spec: FunctionSpec, instance: str = "") -> Callable:
    """Import `CodeUri/<module>.py` as a fresh module and return its handler.

    Fresh per pipeline: handlers read table names and create clients at module scope, as in a
    Lambda container, so a new (moto) environment needs a new "container".
    """
    module_name, func_name = spec.handler.rsplit(".", 1)
    path = Path(spec.code_uri) / (module_name.replace(".", "/") + ".py")
    unique = handler_module_name(spec, instance)
    module_spec = importlib.util.spec_from_file_location(unique, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[unique] = module
    module_spec.loader.exec_module(module)
    return getattr(module, func_name)


def _attribute_value(attribute: dict):
    """An SNS message attribute as delivered to SQS: a String.Array becomes a list."""
    if attribute.get("Type") == "String.Array":
        return json.loads(attribute.get("Value") or "[]")
    return attribute.get("Value")


def matches_filter(record: dict, pattern: dict) -> bool:
    """EventBridge-style pattern: each key must match; lists are allowed values."""
    for key, expected in pattern.items():
        value = record.get(key) if isinstance(record, dict) else None
        if isinstance(expected, dict):
            if not matches_filter(value or {}, expected):
                return False
        elif isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


class LocalPipeline:
    """The whole claimwatch deployment in one process.

    `endpoint_url=None` and no AWS credentials in the environment → in-process moto.
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        parameters: dict | None = None,
        region: str = "us-east-1",
        use_moto: bool | None = None,
        extra_env: dict | None = None,
        prefix: str | None = None,
    ):
        self._mock = None
        self._saved_env: dict[str, str | None] = {}  # restored by close(): tests run many pipelines
        if use_moto is None:
            use_moto = endpoint_url is None and not os.environ.get("AWS_ENDPOINT_URL")
        env = {"AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", region), **LOCAL_POWERTOOLS_ENV}
        if use_moto:
            from moto import mock_aws

            env.update(FAKE_CREDENTIALS)
            self._setenv(env)
            self._mock = mock_aws()
            self._mock.start()
        else:
            self._setenv(env)
        if endpoint_url:
            self._setenv({"AWS_ENDPOINT_URL": endpoint_url})
        aws.reset()
        self.session = boto3.Session(region_name=os.environ["AWS_DEFAULT_REGION"])
        try:
            self.stack = LocalStack(
                self.session, load_template(), parameters=parameters, prefix=prefix or f"cw{uuid.uuid4().hex[:6]}"
            ).create_all()
        except BaseException:  # e.g. an unreachable --endpoint-url: give the environment back
            self.close()
            raise
        self.functions = self.stack.functions()
        merged: dict[str, str] = {}
        for spec in self.functions.values():
            merged.update(spec.environment)
        merged.update(LOCAL_POWERTOOLS_ENV)  # local quiet settings win over the template's
        merged.update(extra_env or {})
        self._setenv(merged)
        self.env = merged
        try:  # each function's settings, checked as its init would check them: one message for all
            self.settings = {
                logical: FUNCTION_SETTINGS[spec.code_uri.name].from_env(merged)
                for logical, spec in self.functions.items()
                if spec.code_uri.name in FUNCTION_SETTINGS
            }
        except SettingsError:
            self.close()
            raise
        self._handlers: dict[str, Callable] = {}
        self._stream_iterators: dict[str, dict[str, str | None]] = {}
        self._shard_of: dict[str, str] = {}  # stream record sequence number -> shard id
        self.sqs = self.session.client("sqs")
        # Account-based stream endpoints (<account>.streams-ddb...) are not routed by moto; the
        # regional endpoint is equivalent for AWS too.
        self.streams = self.session.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self.invocations: list[tuple[str, int]] = []  # (function, batch size), for tests and stats
        self.alert_sink_url = self._subscribe_alert_sink()

    # ---------------------------------------------------------------- lifecycle
    def _setenv(self, values: dict) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def close(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        aws.reset()

    def __enter__(self) -> LocalPipeline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- invocation
    def handler(self, logical: str) -> Callable:
        if logical not in self._handlers:
            self._handlers[logical] = load_handler(self.functions[logical], self.stack.prefix)
        return self._handlers[logical]

    def handler_module(self, logical: str):
        """The function's module (its clients at module scope), loaded as `handler` loads it."""
        self.handler(logical)
        return sys.modules[handler_module_name(self.functions[logical], self.stack.prefix)]

    def invoke(self, logical: str, event: dict) -> Any:
        spec = self.functions[logical]
        ctx = FakeLambdaContext(function_name=logical, memory_limit_in_mb=spec.memory, timeout_s=spec.timeout)
        self.invocations.append((logical, len(event.get("Records", [])) if isinstance(event, dict) else 0))
        return self.handler(logical)(event, ctx)

    def schedule_event(self, logical: str, event_name: str) -> dict:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": "123456789012",
            "time": now,
            "region": self.stack.region,
            "resources": [
                f"arn:aws:scheduler:{self.stack.region}:123456789012:schedule/default/{logical}-{event_name}"
            ],
            "detail": "{}",
        }

    def tick(self, only: str | None = None) -> None:
        """Fire every schedule (or only the one of function `only`) once."""
        for logical, spec in self.functions.items():
            if only and logical != only:
                continue
            for name, ev in spec.events.items():
                if ev["Type"] in ("Schedule", "ScheduleV2"):
                    self.invoke(logical, self.schedule_event(logical, name))

    def pump(self, max_rounds: int = 200) -> int:
        """Deliver queued messages and stream records until nothing is left; returns invocations."""
        total = 0
        for _ in range(max_rounds):
            n = 0
            for logical, spec in self.functions.items():
                for ev in spec.events.values():
                    if ev["Type"] == "SQS":
                        n += self._deliver_sqs(logical, ev["Properties"])
                    elif ev["Type"] == "DynamoDB":
                        n += self._deliver_stream(logical, ev["Properties"])
            total += n
            if n == 0:
                return total
        raise RuntimeError(f"local pipeline did not settle after {max_rounds} rounds")

    # ---------------------------------------------------------------- SQS
    def _queue_url_for_arn(self, arn: str) -> str:
        for phys in self.stack.resources.values():
            if phys.type == "queue" and phys.attrs["Arn"] == arn:
                return phys.ref
        raise KeyError(arn)

    def _deliver_sqs(self, logical: str, props: dict) -> int:
        queue_arn = self.stack.resolve(props["Queue"])
        url = self._queue_url_for_arn(queue_arn)
        resp = self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, int(props.get("BatchSize", 10))),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        messages = resp.get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self._sqs_record(m, queue_arn) for m in messages]}
        failed: set[str] = set()
        try:
            result = self.invoke(logical, event) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception as exc:  # a crashed invocation fails the whole batch, as in Lambda
            print(f"[local] {logical} raised {exc!r}; the batch will be retried", file=sys.stderr)
            failed = {m["MessageId"] for m in messages}
        for m in messages:
            if m["MessageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
            else:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return 1

    def _sqs_record(self, m: dict, queue_arn: str) -> dict:
        attrs = {}
        for name, a in (m.get("MessageAttributes") or {}).items():
            attrs[name] = {
                "stringValue": a.get("StringValue"),
                "binaryValue": a.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": a["DataType"],
            }
        return {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": attrs,
            "md5OfBody": m.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": self.stack.region,
        }

    # ---------------------------------------------------------------- DynamoDB streams
    def _stream_records(self, stream_arn: str, limit: int) -> list[dict]:
        iters = self._stream_iterators.setdefault(stream_arn, {})
        desc = self.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
        out: list[dict] = []
        for shard in desc["Shards"]:
            sid = shard["ShardId"]
            if sid not in iters:
                iters[sid] = self.streams.get_shard_iterator(
                    StreamArn=stream_arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            if iters[sid] is None:
                continue
            resp = self.streams.get_records(ShardIterator=iters[sid], Limit=limit - len(out))
            iters[sid] = resp.get("NextShardIterator")
            out += resp.get("Records", [])
            self._shard_of.update({r["dynamodb"]["SequenceNumber"]: sid for r in resp.get("Records", [])})
            if len(out) >= limit:
                break
        return out

    def _deliver_stream(self, logical: str, props: dict) -> int:
        stream_arn = self.stack.resolve(props["Stream"])
        records = self._stream_records(stream_arn, int(props.get("BatchSize", 100)))
        if not records:
            return 0
        patterns = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
        records = [lambda_stream_record(r, stream_arn) for r in records]
        if patterns:
            records = [r for r in records if any(matches_filter(r, p) for p in patterns)]
        if records:
            self._invoke_stream_batch(logical, props, records)
        return 1

    def _invoke_stream_batch(self, logical: str, props: dict, records: list[dict]) -> None:
        bisect = bool(props.get("BisectBatchOnFunctionError"))
        max_retries = int(props.get("MaximumRetryAttempts", -1))
        pending = [(records, 0)]  # (batch, retries used so far), the next batch first
        while pending:
            batch, retries = pending.pop(0)
            try:
                result = self.invoke(logical, {"Records": batch}) or {}
            except Exception as exc:
                print(f"[local] {logical} raised {exc!r} on {len(batch)} record(s)", file=sys.stderr)
                if bisect and len(batch) > 1:
                    half = len(batch) // 2
                    pending[:0] = [(batch[:half], retries), (batch[half:], retries)]
                    continue
            else:
                failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures") or []}
                if not failed:
                    continue
                seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
                if failed <= set(seqs):  # checkpoint before the first failed record
                    batch = batch[min(seqs.index(s) for s in failed) :]
                # else an identifier naming no record of the batch fails all of it, as in Lambda
            if 0 <= max_retries <= retries:
                self._stream_failure(logical, props, batch, invocations=retries + 1)
            else:
                pending.insert(0, (batch, retries + 1))

    def _stream_failure(self, logical: str, props: dict, records: list[dict], invocations: int) -> None:
        dest = (((props.get("DestinationConfig") or {}).get("OnFailure")) or {}).get("Destination")
        if not dest:
            return
        url = self._queue_url_for_arn(self.stack.resolve(dest))
        seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
        arrivals = [
            datetime.fromtimestamp(r["dynamodb"].get("ApproximateCreationDateTime") or time.time(), UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"
            )
            for r in (records[0], records[-1])
        ]
        body = {  # the fields of Lambda's on-failure record that `claimwatch replay` reads
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "functionArn": logical,
                "approximateInvokeCount": invocations,
            },
            "DDBStreamBatchInfo": {
                "shardId": self._shard_of.get(seqs[0]),
                "startSequenceNumber": seqs[0],
                "endSequenceNumber": seqs[-1],
                "approximateArrivalOfFirstRecord": arrivals[0],
                "approximateArrivalOfLastRecord": arrivals[1],
                "batchSize": len(records),
                "streamArn": records[0]["eventSourceARN"],
            },
        }
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))

    # ---------------------------------------------------------------- alerts out
    def _subscribe_alert_sink(self) -> str | None:
        """An SQS queue subscribed to the alert topic: what an SNS subscriber would receive."""
        # the alert topic first, not the chat copy
        topics = [
            k for _, k in sorted((k != "AlertTopic", k) for k, v in self.stack.resources.items() if v.type == "topic")
        ]
        if not topics:
            return None
        url = self.sqs.create_queue(QueueName=f"{self.stack.prefix}-alert-sink")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.session.client("sns").subscribe(TopicArn=self.stack.ref(topics[0]), Protocol="sqs", Endpoint=arn)
        return url

    def drain_alerts(self) -> list[dict]:
        """SNS notifications received by the sink: {"subject", "text", "alert", "attributes"}:
        `text` is the e-mail body, `alert` the structured JSON an SQS/HTTP subscriber gets."""
        out: list[dict] = []
        while self.alert_sink_url:
            resp = self.sqs.receive_message(QueueUrl=self.alert_sink_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            msgs = resp.get("Messages", [])
            if not msgs:
                break
            for m in msgs:
                envelope = json.loads(m["Body"])
                try:
                    alert = json.loads(envelope.get("Message") or "")
                except ValueError:  # a plain-text publish
                    alert = {"text": envelope.get("Message")}
                out.append(
                    {
                        "subject": envelope.get("Subject"),
                        "text": alert.get("text") if isinstance(alert, dict) else None,
                        "alert": alert,
                        "attributes": {
                            k: _attribute_value(v) for k, v in (envelope.get("MessageAttributes") or {}).items()
                        },
                    }
                )
                self.sqs.delete_message(QueueUrl=self.alert_sink_url, ReceiptHandle=m["ReceiptHandle"])
        return out

    def queue_depth(self, logical: str) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.ref(logical),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def dead_letters(self) -> dict[str, list[dict]]:
        """Messages waiting in each DLQ / failure queue (peeked, then made visible again)."""
        out: dict[str, list[dict]] = {}
        for logical in ("FeedPollDLQ", "ArticleDLQ", "AlertFailureQueue"):
            if logical not in self.stack.resources:
                continue
            url = self.stack.ref(logical)
            resp = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
            )
            out[logical] = resp.get("Messages", [])
        return out
