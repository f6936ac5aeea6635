"""`claimwatch replay alerts` hands the read-back records to the deployed alert function: a
synchronous Invoke whose function error is an error, not a silent success (issue 16)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from claimwatch.store import replay


class RecordingLambda:
    def __init__(self, payload: dict, function_error: str | None = None):
        self.payload, self.function_error, self.calls = payload, function_error, []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        response = {"Payload": io.BytesIO(json.dumps(self.payload).encode()), "StatusCode": 200}
        if self.function_error:
            response["FunctionError"] = self.function_error
        return response


def test_the_invoker_sends_the_event_synchronously_and_returns_the_functions_answer(monkeypatch):
    client = RecordingLambda({"batchItemFailures": []})
    monkeypatch.setattr(replay.aws, "client", lambda service: client)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    event = {
        "Records": [
            replay.lambda_stream_record(
                {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "7", "ApproximateCreationDateTime": created}},
                "arn:aws:dynamodb:us-east-1:123456789012:table/Claims/stream/x",
            )
        ]
    }
    assert replay.lambda_invoker("claimwatch-AlertFunction-1")(event) == {"batchItemFailures": []}
    (call,) = client.calls
    assert call["FunctionName"] == "claimwatch-AlertFunction-1" and call["InvocationType"] == "RequestResponse"
    sent = json.loads(call["Payload"])["Records"][0]
    assert (
        sent["eventSourceARN"].endswith("/stream/x")
        and sent["dynamodb"]["ApproximateCreationDateTime"] == created.timestamp()
    )


def test_a_function_error_is_raised_so_the_failure_record_stays_in_the_queue(monkeypatch):
    monkeypatch.setattr(replay.aws, "client", lambda service: RecordingLambda({"errorMessage": "boom"}, "Unhandled"))
    with pytest.raises(RuntimeError, match="boom"):
        replay.lambda_invoker("f")({"Records": []})
