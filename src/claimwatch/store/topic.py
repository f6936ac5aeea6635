"""Publishing alerts: SNS for real, a list in memory for tests and the CLI.

SNS messages use ``MessageStructure=json``: e-mail subscribers get the plain-text body, SQS,
Lambda and HTTP(S) subscribers get the JSON document (the structured claim). Every message
carries the alert's MessageAttributes, so subscribers select with filter policies.

Chat: with a chat topic (``ChatAlertTopic``, when the stack's ``ChatAlerts`` is true) every alert
is published there too, as an AWS Chatbot custom notification, with the same attributes. Which
format a subscriber gets is chosen by the topic it subscribes to, so nobody receives both. The
chat copy is best effort: it goes out after the main message, and a failure is logged, never
retried (a retry would send the main message twice).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from claimwatch.alerts.render import chat_notification
from claimwatch.store import aws

log = logging.getLogger(__name__)

SNS_MAX_BYTES = 256 * 1024
_HEADROOM = 8 * 1024  # attributes and subject count towards the limit too


def sns_message(rendered) -> str:
    """The per-protocol message document, shrunk to fit SNS's 256 KB limit if it must."""
    text = rendered.text
    # Machine subscribers get the structured alert plus the readable body, so a queue consumer
    # (or `claimwatch run`) can show exactly what an e-mail subscriber reads.
    doc = json.dumps({**rendered.json, "text": text}, ensure_ascii=False, default=str)
    body = _envelope(text, doc)
    if len(body.encode("utf-8")) > SNS_MAX_BYTES - _HEADROOM:
        slim = {k: v for k, v in rendered.json.items() if k not in ("alerts", "claim", "clusters")}
        slim["truncated"] = True
        slim["text"] = text[:100_000]
        text = text[:100_000] + "\n… (truncated)"
        body = _envelope(text, json.dumps(slim, ensure_ascii=False, default=str))
    return body


def _envelope(text: str, doc: str) -> str:
    return json.dumps(
        {"default": text, "email": text, "sqs": doc, "lambda": doc, "http": doc, "https": doc}, ensure_ascii=False
    )


class SnsPublisher:
    def __init__(self, topic_arn: str, sns=None, chat_topic_arn: str | None = None):
        self.topic_arn = topic_arn
        self.chat_topic_arn = chat_topic_arn or None
        self.sns = sns or aws.client("sns")

    def publish(self, rendered) -> str:
        resp = self.sns.publish(
            TopicArn=self.topic_arn,
            Subject=rendered.subject,
            Message=sns_message(rendered),
            MessageStructure="json",
            MessageAttributes=rendered.attributes,
        )
        if self.chat_topic_arn:
            self.publish_chat(rendered, resp["MessageId"])
        return resp["MessageId"]

    def publish_chat(self, rendered, message_id: str | None = None) -> str | None:
        try:
            return self.sns.publish(
                TopicArn=self.chat_topic_arn,
                Subject=rendered.subject,
                Message=json.dumps(chat_notification(rendered, message_id), ensure_ascii=False),
                MessageAttributes=rendered.attributes,
            )["MessageId"]
        except Exception:  # noqa: BLE001 - best effort: the main message is out and must not be resent
            log.exception("chat copy of alert %s not published", message_id)
            return None


class InMemoryPublisher:
    """Keeps every published alert; ``echo`` (e.g. ``print``) also shows each one as it goes."""

    def __init__(self, echo: Callable[[object], None] | None = None):
        self.messages: list = []
        self.echo = echo
        self._lock = threading.Lock()

    def publish(self, rendered) -> str:
        with self._lock:
            self.messages.append(rendered)
            message_id = f"local-{len(self.messages)}"
        if self.echo:
            self.echo(rendered)
        return message_id
