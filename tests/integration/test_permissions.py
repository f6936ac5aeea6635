"""Every AWS call a handler makes is allowed by that function's policies in template.yaml.

moto does not enforce IAM, so a missing permission would only show after `sam deploy`. This test
records each API call the handlers make while the whole pipeline runs (demo feeds, two polls,
digest, a failing extraction) and checks it against the SAM policy templates the function lists.
"""

from __future__ import annotations

import json
from collections import defaultdict

import botocore.client
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS, DEMO_WATCHLIST, LocalRun

from lambda_events import load_event

pytestmark = pytest.mark.slow

# What each SAM policy template grants (serverless-application-model policy_templates.json).
SAM_POLICY_ACTIONS = {
    "DynamoDBReadPolicy": {
        "dynamodb:GetItem",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:DescribeTable",
    },
    "DynamoDBWritePolicy": {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
    "SQSSendMessagePolicy": {"sqs:SendMessage", "sqs:GetQueueAttributes"},
    "SNSPublishMessagePolicy": {"sns:Publish"},
    "S3ReadPolicy": {"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion"},
    "S3WritePolicy": {"s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"},
}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _logical(value) -> str:
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        return value["Fn::GetAtt"][0]
    raise AssertionError(f"unexpected policy parameter {value!r}")


def granted(function_props: dict) -> set[tuple[str, str]]:
    """(action, logical resource) pairs a function's Policies allow."""
    out = set()
    for policy in function_props.get("Policies", []):
        for name, params in policy.items():
            if name == "Statement":
                for st in params:
                    actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                    resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                    out |= {(a, _logical(r)) for a in actions for r in resources}
            else:
                (param,) = params.values()
                out |= {(a, _logical(param)) for a in SAM_POLICY_ACTIONS[name]}
    return out


def calls_to_actions(service: str, op: str, params: dict, physical_to_logical: dict) -> list[tuple[str, str]]:
    """The IAM actions (and the logical resources they touch) of one API call."""

    def res(name):
        return physical_to_logical.get(name, name)

    if service == "dynamodb":
        if op == "TransactWriteItems":
            return [
                (f"dynamodb:{TRANSACT_ACTIONS[kind]}", res(body["TableName"]))
                for item in params["TransactItems"]
                for kind, body in item.items()
            ]
        if op in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{op}", res(t)) for t in params["RequestItems"]]
        return [(f"dynamodb:{op}", res(params["TableName"]))]
    if service == "sqs":
        action = "sqs:SendMessage" if op.startswith("SendMessage") else f"sqs:{op}"
        return [(action, res(params["QueueUrl"]))]
    if service == "sns":
        return [(f"sns:{op}", res(params["TopicArn"]))]
    if service == "s3":
        return [(f"s3:{op}", res(params["Bucket"]))]
    return [(f"{service}:{op}", "*")]


def test_every_handler_call_is_allowed_by_its_policies(monkeypatch, tmp_path):
    current: list[str | None] = [None]
    calls: list[tuple[str, str, str, dict]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        if current[0]:
            calls.append((current[0], self.meta.service_model.service_name, operation_name, dict(api_params)))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)

    directory = FeedDirectory(DEMO_FEEDS)
    with FeedServer(directory) as server:
        run = LocalRun([(server.url(n), None) for n in directory.names()], DEMO_WATCHLIST, allow_loopback=True)
        pipe = run.pipe
        invoke = pipe.invoke

        def attributed(logical, event):
            current[0] = logical
            try:
                return invoke(logical, event)
            finally:
                current[0] = None

        monkeypatch.setattr(pipe, "invoke", attributed)
        try:
            run.poll()
            directory.round = 2
            run.poll()
            # The claims API reads what the pipeline wrote: every route.
            for name in ("claims_by_place", "watches", "watch_claims", "watch_alerts"):
                assert pipe.invoke("ApiFunction", load_event(f"api/{name}.json"))["statusCode"] == 200, name
            by_source = load_event("api/claims_by_place.json")
            by_source["queryStringParameters"] = {"source": "Igor Volkhov"}
            first = json.loads(pipe.invoke("ApiFunction", by_source)["body"])["claims"][0]
            for path in (f"/claims/{first['id']}", f"/clusters/{first['cluster_id']}"):
                event = load_event("api/claim.json")
                event["rawPath"] = event["requestContext"]["http"]["path"] = path
                assert pipe.invoke("ApiFunction", event)["statusCode"] == 200, path
            # A failing extraction: Powertools idempotency cleans up its in-progress record.
            s3, bucket = pipe.session.client("s3"), pipe.stack.ref("ArticleTextBucket")
            for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
            s3.delete_bucket(Bucket=bucket)
            article = json.loads(load_event("extract/article_batch.json")["Records"][0]["body"])
            article["article_id"] = "permission-test"
            record = load_event("extract/article_batch.json")["Records"][0]
            record["body"] = json.dumps(article)
            with pytest.raises(BatchProcessingError):  # the only record failed: Lambda retries the batch
                pipe.invoke("ExtractFunction", {"Records": [record]})
            physical = {}
            for logical, phys in pipe.stack.resources.items():
                physical[phys.ref] = logical
                physical[phys.ref.rsplit("/", 1)[-1]] = logical
            template_functions = {
                k: v["Properties"]
                for k, v in pipe.stack.template["Resources"].items()
                if v["Type"] == "AWS::Serverless::Function"
            }
        finally:
            run.close()

    used: dict[str, set] = defaultdict(set)
    for function, service, op, params in calls:
        used[function] |= set(calls_to_actions(service, op, params, physical))
    assert set(used) == set(template_functions), "every function ran in this scenario"
    assert ("dynamodb:DeleteItem", "IdempotencyTable") in used["ExtractFunction"]
    missing = {f: sorted(actions - granted(template_functions[f])) for f, actions in used.items()}
    missing = {f: m for f, m in missing.items() if m}
    assert not missing, f"calls the template does not allow: {missing}"
