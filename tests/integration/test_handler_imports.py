"""Each handler imported in a fresh process, as Lambda imports it: what it loads and patches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimwatch.local.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(REPO / "template.yaml")


def import_handler(function: str, probe: str, **extra_env) -> object:
    """Imports functions/<function>/app.py in a new interpreter with the template's variable names
    set to dummy values; returns the JSON that ``probe`` prints."""
    resource = next(
        r
        for r in TEMPLATE["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
        and r["Properties"]["CodeUri"].rstrip("/") == f"functions/{function}"
    )
    variables = {
        **TEMPLATE["Globals"]["Function"]["Environment"]["Variables"],
        **resource["Properties"].get("Environment", {}).get("Variables", {}),
    }
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", **extra_env}
    for name, value in variables.items():
        if isinstance(value, str):
            env[name] = value
        elif isinstance(value, dict) and value.get("Ref") in TEMPLATE["Parameters"]:  # the parameter's default
            env[name] = str(TEMPLATE["Parameters"][value["Ref"]].get("Default", ""))
        elif name.endswith("_URL"):
            env[name] = f"https://sqs.us-east-1.amazonaws.com/123456789012/{name.lower()}"
        elif name.endswith("_ARN"):
            env[name] = f"arn:aws:sns:us-east-1:123456789012:{name.lower()}"
        else:  # a table or bucket name (S3 takes no underscores)
            env[name] = name.lower().replace("_", "-")
    # run in the function's directory, as Lambda runs app.py from its task root
    code = f"import json, sys; import app\n{probe}"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO / "functions" / function,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", ["scheduler", "fetch", "alert", "digest", "api"])
def test_functions_without_the_nlp_layer_never_import_spacy(function):
    # only ExtractFunction has the NlpLayer: anywhere else `import spacy` fails in Lambda
    loaded = import_handler(
        function, "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'numpy'))))"
    )
    assert loaded == []


def test_handlers_trace_aws_calls_but_not_every_sqlite_query():
    # Tracer() alone patches every library X-Ray knows, sqlite3 included: one subsegment per
    # gazetteer lookup, thousands per article. Tracing on (Powertools turns it off without
    # LAMBDA_TASK_ROOT and a function name).
    patched = import_handler(
        "alert",
        "from aws_xray_sdk.core import patcher; print(json.dumps(sorted(patcher._PATCHED_MODULES)))",
        POWERTOOLS_TRACE_DISABLED="false",
        AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR",
        AWS_LAMBDA_FUNCTION_NAME="claimwatch-alert",
        LAMBDA_TASK_ROOT=str(REPO / "functions" / "alert"),
    )
    assert patched == ["botocore"]


def test_the_api_function_reads_places_from_the_gazetteer_without_the_pipeline():
    # place resolution for ?place= uses the gazetteer SQLite; the extraction pipeline stays out
    pipeline = ("claimwatch.pipeline", "claimwatch.extract.nlp", "claimwatch.extract.attribution")
    loaded = import_handler("api", f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({pipeline!r}))))")
    assert loaded == []
