"""Fetching that survives the open web: SSRF-safe HTTP, feed parsing, identity, health, OPML.

Everything here is pure (no boto3); the DynamoDB adapter lives in ``claimwatch.store.feeds``.
"""
