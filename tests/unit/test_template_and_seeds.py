"""The deployable shape: what template.yaml promises, and the seed files a deployment starts from."""

from __future__ import annotations

import json
import os
from pathlib import Path

from claimwatch.feeds.http import check_feed_url
from claimwatch.feeds.opml import parse_opml
from claimwatch.local.template import REPO_ROOT, load_template
from claimwatch.watch.matcher import WatchIndex
from claimwatch.watch.watchlist import load_watchlist

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}


def events_of(kind: str):
    for name, fn in FUNCTIONS.items():
        for ev in (fn["Properties"].get("Events") or {}).values():
            if ev["Type"] == kind:
                yield name, fn, ev["Properties"]


def test_every_function_has_its_handler_file_and_an_event_fixture():
    for name, fn in FUNCTIONS.items():
        code = REPO_ROOT / fn["Properties"]["CodeUri"]
        module = fn["Properties"]["Handler"].split(".")[0]
        assert (code / f"{module}.py").exists(), name
        fixtures = list((REPO_ROOT / "events" / code.name).glob("*.json"))
        assert fixtures, f"{name} has no event fixture in events/{code.name}/"
        for f in fixtures:
            json.loads(f.read_text())


def test_queues_report_partial_failures_and_redrive_to_a_dlq_after_the_function_timeout():
    sqs_sources = list(events_of("SQS"))
    assert {name for name, _, _ in sqs_sources} == {"FetchFunction", "ExtractFunction"}
    for name, fn, props in sqs_sources:
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        queue = RESOURCES[props["Queue"]["Fn::GetAtt"][0]]["Properties"]
        # Throttled receives count too (issue 16): fewer than 5 dead-letters articles on a short throttle.
        assert 5 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
        assert queue["VisibilityTimeout"] >= 6 * fn["Properties"]["Timeout"], "AWS advises 6x the timeout"


def test_the_claims_stream_source_is_bounded_and_has_an_on_failure_destination():
    ((name, fn, props),) = list(events_of("DynamoDB"))
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRetryAttempts"] <= 5
    assert props["MaximumRecordAgeInSeconds"] > 0
    assert props["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    assert json.loads(props["FilterCriteria"]["Filters"][0]["Pattern"]) == {"eventName": ["INSERT"]}


def test_policies_are_least_privilege_and_schedules_use_scheduler_v2():
    for name, fn in FUNCTIONS.items():
        for policy in fn["Properties"].get("Policies", []):
            assert "DynamoDBCrudPolicy" not in policy, f"{name}: use Read/Write policies, not Crud"
    assert {n for n, _, _ in events_of("ScheduleV2")} == {"SchedulerFunction", "DigestFunction"}
    assert not list(events_of("Schedule"))
    assert TEMPLATE["Parameters"]["AllowLoopback"]["Default"] == "false"


def test_spacy_ships_only_with_the_extract_function():
    with_nlp = [n for n, fn in FUNCTIONS.items() if {"Ref": "NlpLayer"} in (fn["Properties"].get("Layers") or [])]
    assert with_nlp == ["ExtractFunction"]


def test_starter_feeds_parse_and_are_pollable_urls():
    feeds = parse_opml((REPO_ROOT / "seeds" / "feeds.opml").read_bytes())
    assert len(feeds) >= 4
    for f in feeds:
        assert check_feed_url(f.url) == f.url


def test_demo_watchlist_places_all_resolve():
    watches = load_watchlist(Path(REPO_ROOT / "seeds" / "watchlist.yaml"))
    index = WatchIndex(watches)
    # People and companies of the fictional demo are not in the alias table (they match by name);
    # every place must resolve, or its watch could never fire on another spelling.
    places = [u for u in index.unresolved if u[1] in ("places", "near.place")]
    assert places == [], f"watch places the gazetteer cannot resolve: {places}"


def test_template_passes_cfn_lint_with_the_sam_transform():
    """What `sam validate --lint` runs (cfn-lint is in the dev extras; sam itself has its own venv)."""
    import subprocess
    import sys

    lint = Path(sys.executable).with_name("cfn-lint")
    # Informational checks enforced too: I3011 (explicit Deletion/UpdateReplacePolicy on every
    # stateful resource), I3013 (explicit message retention), I3042 and the rest of I*.
    result = subprocess.run(
        [str(lint), "--include-checks", "I", "--", str(REPO_ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
