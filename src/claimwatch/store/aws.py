"""boto3 entry points: one place decides region and endpoint (moto server, LocalStack or AWS)."""

from __future__ import annotations

import os
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
