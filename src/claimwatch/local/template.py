"""Read `template.yaml` and create its tables, queues, topic and bucket (moto or a real endpoint).

The local runner builds everything from the template itself, so a resource added, renamed or
re-keyed there is what the tests and the demo use too: local and cloud cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "template.yaml"


# What the local stack does not create, and why: code runs in-process (functions, layers), and
# nothing local reads logs, alarms, dashboards, e-mail subscriptions or resource policies; the HTTP
# API is served locally by `claimwatch serve` (local.api_server), which calls the same handler. A type
# in neither this set nor LocalStack's creators fails `create_all`, so a new kind of resource in
# the template is a decision here, not a silent gap.
NOT_CREATED_LOCALLY = {
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::SNS::Subscription",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Serverless::HttpApi",
}
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags as {"Fn::X": value} dicts."""


def _intrinsic(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_CfnLoader)


def create_table(dynamodb_client, props: dict, name: str) -> dict:
    """Create one AWS::DynamoDB::Table from its template Properties (keys, stream, TTL, indexes)."""
    kwargs = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    for index_key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(index_key):
            kwargs[index_key] = props[index_key]
    desc = dynamodb_client.create_table(**kwargs)["TableDescription"]
    if props.get("TimeToLiveSpecification"):
        dynamodb_client.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
    return desc


def create_template_table(dynamodb, logical: str, name: str | None = None) -> str:
    """The template's table `logical` (e.g. "NoveltyTable") on a boto3 resource or client, named
    `name` (default: the logical id), for tests and benchmarks that need one table only."""
    client = getattr(getattr(dynamodb, "meta", None), "client", dynamodb)
    create_table(client, load_template()["Resources"][logical]["Properties"], name or logical)
    return name or logical


@dataclass
class Physical:
    """What a logical resource became: the values !Ref and !GetAtt resolve to."""

    type: str
    ref: str
    attrs: dict = field(default_factory=dict)


@dataclass
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    timeout: int
    memory: int
    environment: dict
    events: dict


class LocalStack:
    """The template's resources, created through boto3 against whatever endpoint is active."""

    def __init__(self, session, template: dict | None = None, parameters: dict | None = None, prefix: str = "cw"):
        self.session = session
        self.template = template or load_template()
        self.prefix = prefix
        self.region = session.region_name or "us-east-1"
        self.params = {k: str(v.get("Default", "")) for k, v in self.template.get("Parameters", {}).items()}
        self.params.update({k: str(v) for k, v in (parameters or {}).items()})
        self.resources: dict[str, Physical] = {}

    # ---------------------------------------------------------------- intrinsic functions
    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if "Ref" in value:
                name = value["Ref"]
                if name in self.params:
                    return self.params[name]
                if name == "AWS::Region":
                    return self.region
                if name == "AWS::StackName":
                    return self.prefix
                if name == "AWS::AccountId":
                    return LOCAL_ACCOUNT_ID
                return self.resources[name].ref
            if "Fn::GetAtt" in value:
                logical, attr = value["Fn::GetAtt"]
                return self.resources[logical].attrs[attr]
            if "Fn::Sub" in value:
                text = value["Fn::Sub"]
                for name in list(self.params) + list(self.resources) + ["AWS::Region", "AWS::StackName"]:
                    text = text.replace(f"${{{name}}}", str(self.resolve({"Ref": name})))
                text = text.replace("${AWS::Region}", self.region).replace("${AWS::URLSuffix}", "amazonaws.com")
                # Naming a resource that exists only in AWS (the HTTP API): nothing locally.
                return "" if "${" in text else text
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    # ---------------------------------------------------------------- creation
    def create_all(self) -> LocalStack:
        res = self.template["Resources"]
        creators = {
            "AWS::S3::Bucket": self._create_bucket,
            "AWS::DynamoDB::Table": self._create_table,
            "AWS::SNS::Topic": self._create_topic,
            "AWS::SQS::Queue": self._create_queue,
        }
        order = {t: i for i, t in enumerate(creators)}
        unknown = {v["Type"] for v in res.values()} - set(creators) - NOT_CREATED_LOCALLY
        if unknown:
            raise ValueError(f"template.yaml has resource types the local stack neither creates nor skips: {unknown}")
        # Dead-letter queues first: a queue's redrive policy needs its DLQ's ARN.
        queues_with_redrive = {k for k, v in res.items() if (v.get("Properties") or {}).get("RedrivePolicy")}
        logicals = sorted(
            (k for k, v in res.items() if v["Type"] in order),
            key=lambda k: (order[res[k]["Type"]], k in queues_with_redrive, k),
        )
        for logical in logicals:
            creators[res[logical]["Type"]](logical, res[logical].get("Properties") or {})
        return self

    def _name(self, logical: str) -> str:
        return f"{self.prefix}-{logical}"

    def _create_bucket(self, logical, props):
        s3 = self.session.client("s3")
        name = self._name(logical).lower()
        kwargs = {"Bucket": name}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        s3.create_bucket(**kwargs)
        self.resources[logical] = Physical("bucket", name, {"Arn": f"arn:aws:s3:::{name}"})

    def _create_table(self, logical, props):
        name = self._name(logical)
        desc = create_table(self.session.client("dynamodb"), props, name)
        attrs = {"Arn": desc["TableArn"]}
        if desc.get("LatestStreamArn"):
            attrs["StreamArn"] = desc["LatestStreamArn"]
        self.resources[logical] = Physical("table", name, attrs)

    def _create_topic(self, logical, props):
        arn = self.session.client("sns").create_topic(Name=self._name(logical))["TopicArn"]
        self.resources[logical] = Physical("topic", arn, {"TopicName": self._name(logical)})

    def _create_queue(self, logical, props):
        sqs = self.session.client("sqs")
        name = self._name(logical)
        attributes = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in props:
                attributes[key] = str(props[key])
        if props.get("RedrivePolicy"):
            attributes["RedrivePolicy"] = json.dumps(self.resolve(props["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.resources[logical] = Physical("queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    # ---------------------------------------------------------------- functions
    def functions(self) -> dict[str, FunctionSpec]:
        globals_fn = (self.template.get("Globals") or {}).get("Function") or {}
        global_env = ((globals_fn.get("Environment") or {}).get("Variables")) or {}
        specs = {}
        for logical, res in self.template["Resources"].items():
            if res["Type"] != "AWS::Serverless::Function":
                continue
            props = res["Properties"]
            env = {**global_env, **((props.get("Environment") or {}).get("Variables") or {})}
            specs[logical] = FunctionSpec(
                logical_id=logical,
                code_uri=REPO_ROOT / props["CodeUri"],
                handler=props["Handler"],
                timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
                memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
                environment={k: str(self.resolve(v)) for k, v in env.items()},
                events=props.get("Events") or {},
            )
        return specs

    def ref(self, logical: str) -> str:
        return self.resources[logical].ref
