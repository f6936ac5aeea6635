"""Operable in a real account (issue 16): the template, translated offline by the SAM translator as
`sam deploy` would, can be deployed twice side by side, keeps its data, logs with a retention and
alarms on every failure path."""

from __future__ import annotations

import copy
import json
import re

from claimwatch.feeds.errors import FETCH_ERROR_KINDS
from claimwatch.local.template import REPO_ROOT, load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
PARAMETERS = TEMPLATE["Parameters"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
QUEUES = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::SQS::Queue"}
ALARMS = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}

# The property that names each resource type in the translated template. A fixed string there
# makes a second stack in the same account and region fail; every type must be listed, so a new
# kind of resource is checked too.
NAME_PROPERTY = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::Lambda::EventSourceMapping": None,
    "AWS::Lambda::EventInvokeConfig": None,
    "AWS::Lambda::Permission": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SQS::QueuePolicy": None,
    "AWS::SNS::Topic": "TopicName",
    "AWS::SNS::Subscription": None,
    "AWS::S3::Bucket": "BucketName",
    "AWS::S3::BucketPolicy": None,
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    # An HTTP API's name need not be unique, but two stacks' APIs should still be told apart.
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::ApiGatewayV2::Stage": None,
}


def translated(source: dict = TEMPLATE) -> dict:
    """The CloudFormation `sam deploy` would submit (code locations as `sam package` writes them)."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    class AwsManagedPolicies(dict):  # offline: the ARN of an AWS managed policy is its name
        def __missing__(self, name):
            return f"arn:aws:iam::aws:policy/{name}"

    template = copy.deepcopy(source)
    for resource in template["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://bucket/{resource['Properties'][key]}"
    return Translator(AwsManagedPolicies(), Parser()).translate(template, parameter_values={})


def mentions_stack_name(value) -> bool:
    text = json.dumps(value)
    return '"Ref": "AWS::StackName"' in text or "${AWS::StackName}" in text


def fixed_names(resources: dict) -> list[str]:
    out = []
    for logical, resource in resources.items():
        assert resource["Type"] in NAME_PROPERTY, f"{resource['Type']}: add its name property to NAME_PROPERTY"
        prop = NAME_PROPERTY[resource["Type"]]
        value = (resource.get("Properties") or {}).get(prop) if prop else None
        if value is not None and not mentions_stack_name(value):
            out.append(f"{logical}.{prop} = {value!r}")
    return out


def test_the_translated_template_names_nothing_a_second_stack_would_collide_with():
    resources = translated()["Resources"]
    assert fixed_names(resources) == []
    schedules = [r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    assert len(schedules) == 2  # both ScheduleV2 events, named by CloudFormation (OmitName)


def test_the_name_check_catches_what_sam_names_by_default():
    """Without OmitName SAM names the schedule after its logical id; without LayerName the layer."""
    template = copy.deepcopy(TEMPLATE)
    del template["Resources"]["SchedulerFunction"]["Properties"]["Events"]["PollSchedule"]["Properties"]["OmitName"]
    del template["Resources"]["CoreLayer"]["Properties"]["LayerName"]
    found = fixed_names(translated(template)["Resources"])
    assert any("SchedulerFunctionPollSchedule.Name" in f for f in found)
    assert any(".LayerName = 'CoreLayer'" in f for f in found)


def test_stateful_resources_are_retained_and_the_three_precious_tables_recoverable():
    for logical in ("FeedsTable", "WatchesTable", "ClaimsTable", "MentionsTable", "ArticlesTable", "ArticleTextBucket"):
        assert RESOURCES[logical].get("DeletionPolicy") == "Retain", logical
        assert RESOURCES[logical].get("UpdateReplacePolicy") == "Retain", logical
    for logical in ("FeedsTable", "WatchesTable", "ClaimsTable"):
        pitr = RESOURCES[logical]["Properties"]["PointInTimeRecoverySpecification"]
        assert pitr["PointInTimeRecoveryEnabled"] is True, logical


def test_the_bucket_expires_texts_by_a_parameter_and_refuses_plain_http():
    (rule,) = RESOURCES["ArticleTextBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ArticleTextExpireDays"}
    assert rule["Transitions"][0]["TransitionInDays"] == {"Ref": "ArticleTextInfrequentAccessDays"}
    policies = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    assert [p["Bucket"] for p in policies] == [{"Ref": "ArticleTextBucket"}]
    (deny,) = [s for s in policies[0]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny["Principal"] == "*"


def test_every_function_logs_to_its_own_log_group_with_a_retention():
    assert PARAMETERS["LogRetentionDays"]["Default"] == 30
    groups = set()
    for name, fn in FUNCTIONS.items():
        group = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup", name
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
        groups.add(group)
    assert len(groups) == len(FUNCTIONS)


def test_log_level_and_debug_sampling_are_parameters():
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert env["POWERTOOLS_LOGGER_SAMPLE_RATE"] == {"Ref": "DebugLogSampleRate"}
    assert PARAMETERS["DebugLogSampleRate"]["Default"] == 0


def alarm_on(namespace: str, metric: str, dimension_value) -> list[dict]:
    return [
        a
        for a in ALARMS.values()
        if a["Namespace"] == namespace
        and a["MetricName"] == metric
        and any(d["Value"] == dimension_value for d in a["Dimensions"])
    ]


def test_every_failure_queue_alarms_when_it_holds_a_message():
    for logical, queue in QUEUES.items():
        redrive = (queue.get("Properties") or {}).get("RedrivePolicy")
        watched = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] if redrive else logical
        (alarm,) = alarm_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [watched, "QueueName"]})
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold"), logical


def test_ops_alarms_cover_lag_errors_throttles_and_a_stalled_fetch_and_go_to_the_ops_topic():
    assert alarm_on("AWS/SQS", "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": ["ArticleQueue", "QueueName"]})
    (iterator,) = alarm_on("AWS/Lambda", "IteratorAge", {"Ref": "AlertFunction"})
    max_age_ms = (
        FUNCTIONS["AlertFunction"]["Properties"]["Events"]["ClaimInserts"]["Properties"]["MaximumRecordAgeInSeconds"]
        * 1000
    )
    assert iterator["Threshold"] < max_age_ms, "must fire before the source drops records"
    for name in FUNCTIONS:
        for metric in ("Errors", "Throttles"):
            assert alarm_on("AWS/Lambda", metric, {"Ref": name}), f"{name} {metric}"
    (stalled,) = alarm_on("Claimwatch", "NewArticles", {"Ref": "AWS::StackName"})
    assert stalled["TreatMissingData"] == "breaching" and stalled["EvaluationPeriods"] == {
        "Ref": "NoArticlesAlarmHours"
    }
    assert 'name="NewArticles"' in (REPO_ROOT / "functions/fetch/app.py").read_text()
    for logical, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}], logical
    assert RESOURCES["OpsTopic"]["Type"] == "AWS::SNS::Topic"


def emitted_metric_names() -> set[str]:
    names = set()
    for app in (REPO_ROOT / "functions").glob("*/app.py"):
        names |= set(re.findall(r'add_metric\(\s*name=f?"([A-Za-z_]+)', app.read_text()))
    return names


def test_the_dashboard_is_valid_json_and_shows_only_metrics_the_handlers_emit():
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    dashboard = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    custom = {m[1] for w in dashboard["widgets"] for m in w["properties"]["metrics"] if m[0] == "Claimwatch"}
    emitted = emitted_metric_names()
    failure_kinds = {m.removeprefix("FeedFailure_") for m in custom if m.startswith("FeedFailure_")}
    assert failure_kinds == set(FETCH_ERROR_KINDS) and "FeedFailure_" in emitted
    assert {m for m in custom if not m.startswith("FeedFailure_")} - emitted == set()
    assert {"FeedsPolled", "FeedsNotModified", "NewArticles", "Claims", "AlertsSent"} <= custom
    for logical in re.findall(r"\$\{(\w+)[.}]", body):
        assert logical in RESOURCES or logical.startswith("AWS"), logical


def test_scheduled_functions_record_failed_invocations_and_the_scheduler_runs_alone():
    for name in ("SchedulerFunction", "DigestFunction"):
        props = FUNCTIONS[name]["Properties"]
        destination = props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert destination == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["InvocationFailureQueue", "Arn"]}}
        (event,) = props["Events"].values()
        assert event["Properties"]["OmitName"] is True
        assert event["Properties"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["InvocationFailureQueue", "Arn"]}
    reserved = FUNCTIONS["SchedulerFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert reserved == {"Fn::If": ["ReservesSchedulerConcurrency", 1, {"Ref": "AWS::NoValue"}]}
    assert PARAMETERS["SchedulerReservedConcurrency"]["Default"] == 1


def test_sqs_triggers_are_capped_by_parameters_and_extract_knows_the_receive_budget():
    for name, parameter in (("FetchFunction", "FetchMaxConcurrency"), ("ExtractFunction", "ExtractMaxConcurrency")):
        (event,) = FUNCTIONS[name]["Properties"]["Events"].values()
        assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": parameter}
        assert PARAMETERS[parameter]["MinValue"] >= 2  # what AWS accepts
    receives = QUEUES["ArticleQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    env = FUNCTIONS["ExtractFunction"]["Properties"]["Environment"]["Variables"]
    assert int(env["ARTICLE_MAX_RECEIVES"]) == receives


def test_the_local_stack_still_builds_from_the_template():
    """The local runner creates what it can run and knowingly skips logs, alarms and the dashboard."""
    import boto3
    from moto import mock_aws

    from claimwatch.local.template import LocalStack

    with mock_aws():
        stack = LocalStack(boto3.Session(region_name="us-east-1"), prefix="ops").create_all()
        assert {"FeedsTable", "ArticlesTable", "OpsTopic", "InvocationFailureQueue"} <= set(stack.resources)
        assert not {k for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"} & set(stack.resources)
        assert stack.functions()["FetchFunction"].environment["POWERTOOLS_SERVICE_NAME"] == "ops"


def test_the_local_stack_refuses_a_resource_type_it_neither_creates_nor_knowingly_skips():
    import boto3
    import pytest
    from moto import mock_aws

    from claimwatch.local.template import LocalStack

    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["ClickStream"] = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}
    with mock_aws(), pytest.raises(ValueError, match="AWS::Kinesis::Stream"):
        LocalStack(boto3.Session(region_name="us-east-1"), template, prefix="ops").create_all()
