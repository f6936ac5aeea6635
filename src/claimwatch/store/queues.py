"""The two work queues: FeedPollQueue (one message per host's due feeds: feeds.pollmessages) and
ArticleQueue (one message per new article), their message formats, and the SQS calls that send them."""

from __future__ import annotations

import json
from dataclasses import asdict

from claimwatch.model import Article
from claimwatch.store import aws

SQS_BODY_LIMIT = 240_000  # bytes; SQS takes 256 KiB, leave room for the envelope
SQS_BATCH_SIZE = 10  # SendMessageBatch takes at most 10 entries
FEED_ID_MAX_CHARS = 128  # feed ids are 16 hex characters; DynamoDB refuses keys over 2 KB


class PoisonMessage(ValueError):
    """A message that no retry can process: fail it alone, let the redrive policy park it."""


def feed_message(feed_ids: list[str]) -> str:
    return json.dumps({"feed_ids": feed_ids})


def _usable_feed_id(feed_id: object) -> bool:
    return isinstance(feed_id, str) and bool(feed_id.strip()) and len(feed_id) <= FEED_ID_MAX_CHARS


def feed_ids_from_message(body: str) -> list[str]:
    """The feed ids of a FeedPollQueue message, ``{"feed_ids": [...]}`` or, as queued before the
    grouping by host, ``{"feed_id": ...}``; PoisonMessage for anything else (not JSON, not an
    object, no ids, an id that is empty, too long or not a string)."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise PoisonMessage(f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise PoisonMessage(f"not a JSON object: {body[:200]!r}")
    ids = message["feed_ids"] if "feed_ids" in message else [message.get("feed_id")]
    if not isinstance(ids, list) or not ids or not all(_usable_feed_id(i) for i in ids):
        raise PoisonMessage(f"no usable feed ids in {body[:200]!r}")
    return ids


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
    def __init__(self, queue_url: str, sqs=None):
        self.queue_url = queue_url  # from the function's settings (claimwatch.settings)
        self.sqs = sqs or aws.client("sqs")


class ArticleQueue(_Queue):
    def send(self, article: Article, truncated=()) -> list[str]:
        """Queue one article; returns every field cut on its way (``truncated`` included)."""
        body, cut = article_message(article, truncated)
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return cut


class FeedPollQueue(_Queue):
    def send(self, groups: list[list[str]]) -> tuple[int, int, list[str]]:
        """One message per group of feed ids, ten messages per call. Returns (messages sent, feeds
        sent, errors): a failed call or entry does not stop the others."""
        messages = feeds = 0
        errors: list[str] = []
        for start in range(0, len(groups), SQS_BATCH_SIZE):
            chunk = groups[start : start + SQS_BATCH_SIZE]
            try:
                resp = self.sqs.send_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[{"Id": str(i), "MessageBody": feed_message(ids)} for i, ids in enumerate(chunk)],
                )
            except Exception as exc:
                errors.append(f"{sum(map(len, chunk))} feeds: {exc}")
                continue
            sent = resp.get("Successful", [])
            messages += len(sent)
            feeds += sum(len(chunk[int(ok["Id"])]) for ok in sent)
            errors += [
                f"{', '.join(chunk[int(f['Id'])])}: {f.get('Message') or f.get('Code')}" for f in resp.get("Failed", [])
            ]
        return messages, feeds, errors


class DeadLetterQueue(_Queue):
    def forward(self, body: str, error: Exception, receive_count: int | str | None) -> None:
        """Park a message that failed its last attempt, with the reason as message attributes (the
        redrive policy would move it too, but without the reason)."""
        self.sqs.send_message(
            QueueUrl=self.queue_url,
            MessageBody=body,
            MessageAttributes={
                "error_type": {"DataType": "String", "StringValue": type(error).__name__},
                "error_reason": {"DataType": "String", "StringValue": str(error)[:1000] or type(error).__name__},
                "receive_count": {"DataType": "Number", "StringValue": str(receive_count)},
            },
        )


def unique_feed_ids(bodies) -> list[str]:
    """The feed ids of the well-formed FeedPollQueue messages among ``bodies``, each once; a
    malformed message is skipped here (it fails alone when its own record is handled)."""
    ids: list[str] = []
    for body in bodies:
        try:
            ids += feed_ids_from_message(body)
        except (PoisonMessage, TypeError):
            continue
    return list(dict.fromkeys(ids))
