"""X-Ray through Powertools Tracer: AWS calls are traced, gazetteer queries are not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_handlers_trace_aws_calls_but_not_every_sqlite_query():
    # Tracer() alone patches every library X-Ray knows, sqlite3 included: one subsegment per
    # gazetteer lookup, thousands per article. Imported with tracing on (Powertools turns it off
    # without LAMBDA_TASK_ROOT), in a fresh process.
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "false", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
           "POWERTOOLS_SERVICE_NAME": "claimwatch", "FEEDS_TABLE": "feeds", "ARTICLES_TABLE": "articles",
           "ARTICLE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/articles",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_LAMBDA_FUNCTION_NAME": "claimwatch-fetch",
           "LAMBDA_TASK_ROOT": str(REPO / "functions" / "fetch")}
    code = ("import json, sys; sys.path.insert(0, 'functions/fetch'); import app; "
            "from aws_xray_sdk.core import patcher; print(json.dumps(sorted(patcher._PATCHED_MODULES)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["botocore"]
