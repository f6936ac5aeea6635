"""boto3 entry points: one place decides region and endpoint (moto server, LocalStack or AWS)."""

from __future__ import annotations

import os
import time
from functools import cache

import boto3

# What the handlers' X-Ray tracer patches: the AWS calls. Powertools' default patches every
# library X-Ray knows, sqlite3 included, which would make each gazetteer query a subsegment.
TRACED_MODULES = ("botocore",)


def endpoint_url() -> str | None:
    # AWS_ENDPOINT_URL is the SDK-wide standard variable; boto3 honours it too, this keeps it explicit.
    return os.environ.get("AWS_ENDPOINT_URL") or None


@cache
def resource(service: str):
    return boto3.resource(service, endpoint_url=endpoint_url())


@cache
def client(service: str):
    return boto3.client(service, endpoint_url=endpoint_url())


def reset() -> None:
    """Forget cached clients (tests and the local runner switch endpoints and credentials)."""
    resource.cache_clear()
    client.cache_clear()


def scan_all(table, **kwargs) -> list[dict]:
    """Every item of a scan, following LastEvaluatedKey (admin and test paths only: handlers query)."""
    items: list[dict] = []
    while True:
        resp = table.scan(**kwargs)
        items += resp.get("Items", [])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


BATCH_GET_LIMIT = 100  # keys per BatchGetItem request


def batch_get_all(dynamodb, table_name: str, keys: list, **options) -> list[dict]:
    """Every existing item of these keys: BatchGetItem in chunks, unprocessed keys retried with
    backoff. ``options``: ConsistentRead, ProjectionExpression, ExpressionAttributeNames."""
    items: list[dict] = []
    for i in range(0, len(keys), BATCH_GET_LIMIT):
        request = {table_name: {"Keys": keys[i : i + BATCH_GET_LIMIT], **options}}
        for attempt in range(8):
            resp = dynamodb.batch_get_item(RequestItems=request)
            items += resp.get("Responses", {}).get(table_name, [])
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        else:
            raise RuntimeError("DynamoDB left keys unprocessed after retries")
    return items
