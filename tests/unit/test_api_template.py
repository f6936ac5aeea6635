"""The claims API in template.yaml: SigV4 by default, public only for the page, reads only."""

from __future__ import annotations

from claimwatch.local.template import load_template

RESOURCES = load_template()["Resources"]
API = RESOURCES["ApiFunction"]["Properties"]


def test_the_http_api_requires_iam_except_for_the_page():
    auth = RESOURCES["ClaimsHttpApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "AWS_IAM" and auth["EnableIamAuthorizer"] is True
    public = {
        e["Properties"]["Path"]
        for e in API["Events"].values()
        if e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    }
    assert public == {"/", "/static/{name}"}  # files only: every data route is signed
    paths = {e["Properties"]["Path"] for e in API["Events"].values() if e["Type"] == "HttpApi"}
    assert {
        "/claims",
        "/claims/{id}",
        "/clusters/{id}",
        "/watches",
        "/watches/{id}/claims",
        "/watches/{id}/alerts.atom",
    } <= paths


def test_the_api_function_only_reads():
    kinds = {next(iter(p)) for p in API["Policies"]}
    assert kinds == {"DynamoDBReadPolicy"}
    tables = {p["DynamoDBReadPolicy"]["TableName"]["Ref"] for p in API["Policies"]}
    assert tables == {"ClaimsTable", "MentionsTable", "NoveltyTable", "AlertsTable", "WatchesTable"}


def test_the_indexes_the_api_queries_exist():
    claims = {i["IndexName"]: i for i in RESOURCES["ClaimsTable"]["Properties"]["GlobalSecondaryIndexes"]}
    assert claims["BySource"]["Projection"]["ProjectionType"] == "KEYS_ONLY"
    watches = {i["IndexName"] for i in RESOURCES["WatchesTable"]["Properties"]["GlobalSecondaryIndexes"]}
    assert watches == {"Listed"}
    assert "ApiUrl" in load_template()["Outputs"]
