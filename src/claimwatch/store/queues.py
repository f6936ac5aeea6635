"""The two work queues: FeedPollQueue (one message per due feed) and ArticleQueue (one message per
new article), their message formats, and the SQS calls that send them."""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from claimwatch.model import Article
from claimwatch.store import aws

SQS_BODY_LIMIT = 240_000  # bytes; SQS takes 256 KiB, leave room for the envelope
SQS_BATCH_SIZE = 10  # SendMessageBatch takes at most 10 entries
FEED_ID_MAX_CHARS = 128  # feed ids are 16 hex characters; DynamoDB refuses keys over 2 KB


class PoisonMessage(ValueError):
    """A message that no retry can process: fail it alone, let the redrive policy park it."""


def feed_message(feed_id: str) -> str:
    return json.dumps({"feed_id": feed_id})


def feed_id_from_message(body: str) -> str:
    """The feed id of a FeedPollQueue message; PoisonMessage for anything else (not JSON, not an
    object, a feed id that is missing, empty, too long or not a string)."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise PoisonMessage(f"not JSON: {exc}") from None
    feed_id = message.get("feed_id") if isinstance(message, dict) else None
    if not isinstance(feed_id, str) or not feed_id.strip() or len(feed_id) > FEED_ID_MAX_CHARS:
        raise PoisonMessage(f"no usable feed_id in {body[:200]!r}")
    return feed_id


def article_message(article: Article, truncated=()) -> tuple[str, list[str]]:
    """The article as a queue message and the fields cut to fit SQS: the longer of content and
    summary is halved until it fits (extract falls back to fetching the page, as it does for
    summary-only entries). ``truncated``: fields already cut upstream, recorded in the message."""
    values = asdict(article)
    cut = sorted(truncated)
    body = _body(values, cut)
    while len(body) > SQS_BODY_LIMIT:
        name = max(("content", "summary"), key=lambda n: len(values.get(n) or ""))
        if not values.get(name):  # only the metadata is left: FeedStore caps it well below this
            raise ValueError(f"article {article.article_id}: {len(body)} bytes of metadata do not fit SQS")
        values[name] = values[name][: len(values[name]) // 2]
        cut = sorted({*cut, name})
        body = _body(values, cut)
    return body.decode("ascii"), cut


def _body(values: dict, truncated: list[str]) -> bytes:
    # ensure_ascii: SQS refuses some code points (U+FFFE, lone surrogates) that escapes carry safely
    return json.dumps({**values, "truncated": truncated} if truncated else values).encode("ascii")


class _Queue:
    url_variable = ""  # the environment variable template.yaml sets to the queue's URL

    def __init__(self, queue_url: str, sqs=None):
        self.queue_url = queue_url
        self.sqs = sqs or aws.client("sqs")

    @classmethod
    def from_env(cls, sqs=None):
        return cls(os.environ[cls.url_variable], sqs)


class ArticleQueue(_Queue):
    url_variable = "ARTICLE_QUEUE_URL"

    def send(self, article: Article, truncated=()) -> list[str]:
        """Queue one article; returns every field cut on its way (``truncated`` included)."""
        body, cut = article_message(article, truncated)
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return cut


class FeedPollQueue(_Queue):
    url_variable = "FEED_QUEUE_URL"

    def send(self, feed_ids: list[str]) -> tuple[int, list[str]]:
        """One message per feed, ten per call. Returns (sent, errors): a failed call or entry does
        not stop the others."""
        sent, errors = 0, []
        for start in range(0, len(feed_ids), SQS_BATCH_SIZE):
            chunk = feed_ids[start : start + SQS_BATCH_SIZE]
            try:
                resp = self.sqs.send_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[{"Id": str(i), "MessageBody": feed_message(fid)} for i, fid in enumerate(chunk)],
                )
            except Exception as exc:
                errors.append(f"{len(chunk)} feeds: {exc}")
                continue
            sent += len(resp.get("Successful", []))
            errors += [f"{chunk[int(f['Id'])]}: {f.get('Message') or f.get('Code')}" for f in resp.get("Failed", [])]
        return sent, errors
