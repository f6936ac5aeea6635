"""boto3 entry points: one place decides region and endpoint (moto server, LocalStack or AWS)."""

from __future__ import annotations

import os
from functools import lru_cache

import boto3


def endpoint_url() -> str | None:
    # AWS_ENDPOINT_URL is the SDK-wide standard variable; boto3 honours it too, this keeps it explicit.
    return os.environ.get("AWS_ENDPOINT_URL") or None


@lru_cache(maxsize=None)
def resource(service: str):
    return boto3.resource(service, endpoint_url=endpoint_url())


@lru_cache(maxsize=None)
def client(service: str):
    return boto3.client(service, endpoint_url=endpoint_url())


def reset() -> None:
    """Forget cached clients (tests and the local runner switch endpoints and credentials)."""
    resource.cache_clear()
    client.cache_clear()
