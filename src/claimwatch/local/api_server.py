"""`claimwatch serve`: the API function's handler behind a loopback HTTP server.

Each request becomes the HTTP API (payload 2.0) event API Gateway would send, and the handler's
answer goes back as the response, so the page and the API run locally exactly as deployed (less
the SigV4 check, which API Gateway does before the function).
"""

from __future__ import annotations

import base64
import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from claimwatch.local.runner import FakeLambdaContext

LOOPBACK = "127.0.0.1"


def http_api_event(method: str, target: str, headers: dict, host: str) -> dict:
    """An API Gateway HTTP API payload 2.0 event (what Lambda receives for ``GET target``)."""
    parts = urlsplit(target)
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value  # as API Gateway joins repeats
    now = datetime.now(UTC)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": unquote(parts.path) or "/",
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()} | {"x-forwarded-proto": "http"},
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": unquote(parts.path) or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": LOOPBACK,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }


class ApiServer(HTTPServer):
    """One request at a time: the handler and moto in-process are not shared between threads."""

    def __init__(self, invoke: Callable[[dict], dict] | None, port: int = 0, log=None):
        self.invoke = invoke
        self.log = log
        super().__init__((LOOPBACK, port), _RequestHandler)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"


class _RequestHandler(BaseHTTPRequestHandler):
    server: ApiServer

    def _invoke(self) -> None:
        host = f"{LOOPBACK}:{self.server.server_address[1]}"
        event = http_api_event(self.command, self.path, dict(self.headers), host)
        started = time.perf_counter()
        try:
            if self.server.invoke is None:
                raise RuntimeError("no function to invoke")
            resp = self.server.invoke(event)
        except Exception as exc:  # noqa: BLE001 - API Gateway answers 500 when the function fails
            resp = {
                "statusCode": 500,
                "headers": {"content-type": "application/json"},
                "body": json.dumps({"error": f"internal error: {type(exc).__name__}"}),
            }
        body = resp.get("body") or ""
        data = base64.b64decode(body) if resp.get("isBase64Encoded") else body.encode("utf-8")
        self.send_response(int(resp.get("statusCode", 200)))
        for name, value in (resp.get("headers") or {}).items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        if self.server.log:
            self.server.log.write(
                f"{self.command} {self.path} {resp.get('statusCode')} {(time.perf_counter() - started) * 1000:.0f} ms\n"
            )
            self.server.log.flush()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._invoke()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._invoke()

    def log_message(self, format, *args) -> None:  # noqa: A002 - the requests are logged in _invoke
        pass


def serve(invoke: Callable[[dict], dict], port: int = 0, out=None, server: ApiServer | None = None) -> None:
    """Serve until interrupted (Ctrl-C): each request is one ``invoke(event)`` of the handler."""
    out = out or sys.stdout
    server = server or ApiServer(invoke, port)
    server.invoke = invoke
    server.log = out
    out.write(f"claimwatch API and page on {server.url}/ (Ctrl-C stops)\n")
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# ---------------------------------------------------------------------------- what to serve
TABLE_VARIABLES = {
    "CLAIMS_TABLE": "ClaimsTable",
    "MENTIONS_TABLE": "MentionsTable",
    "NOVELTY_TABLE": "NoveltyTable",
    "ALERTS_TABLE": "AlertsTable",
    "WATCHES_TABLE": "WatchesTable",
}


def serve_demo(port: int = 0, out=None) -> None:
    """The demo pipeline on moto in-process, then its tables served until interrupted. The server
    binds first, so the demo's alerts already link to its cluster view."""
    import io

    from claimwatch.local.session import demo

    out = out or sys.stdout
    server = ApiServer(None, port)
    out.write("claimwatch serve --demo: running the demo pipeline (fictional feeds, moto in-process)…\n")
    out.flush()

    def serve_run(session) -> None:
        rep = session.report()
        out.write(f"demo data: {rep.articles} articles, {rep.claims} claims\n")
        serve(lambda event: session.pipe.invoke("ApiFunction", event), out=out, server=server)

    try:
        demo(out=io.StringIO(), env={"API_URL": server.url}, before_close=serve_run)
    finally:
        server.server_close()


def stack_tables(dynamodb_client) -> dict:
    """Table names of the one local stack at an endpoint (``claimwatch run --endpoint-url`` names
    them ``<prefix>-<LogicalId>``): ListTables, never a scan. Variables already set win."""
    import os

    from claimwatch.cli import CliError

    names: list[str] = []
    kwargs: dict = {}
    while True:
        resp = dynamodb_client.list_tables(**kwargs)
        names += resp.get("TableNames", [])
        if "LastEvaluatedTableName" not in resp:
            break
        kwargs["ExclusiveStartTableName"] = resp["LastEvaluatedTableName"]
    prefixes = sorted({n.rsplit("-", 1)[0] for n in names if n.endswith("-ClaimsTable")})
    wanted = {var: os.environ.get(var) for var in TABLE_VARIABLES}
    if all(wanted.values()):
        return wanted
    if len(prefixes) != 1:
        found = ", ".join(prefixes) or "none"
        raise CliError(
            "--endpoint-url",
            f"expected one claimwatch stack at the endpoint, found {found}",
            "set " + ", ".join(TABLE_VARIABLES) + " to the table names",
        )
    return {var: value or f"{prefixes[0]}-{TABLE_VARIABLES[var]}" for var, value in wanted.items()}


def serve_endpoint(endpoint_url: str, port: int = 0, out=None) -> None:
    """Serve the tables of a stack at an endpoint (a moto server, LocalStack) until interrupted."""
    import os

    import boto3

    from claimwatch.local.runner import load_handler
    from claimwatch.local.template import REPO_ROOT, FunctionSpec
    from claimwatch.store import aws

    saved = {k: os.environ.get(k) for k in (*TABLE_VARIABLES, "AWS_ENDPOINT_URL")}
    try:
        tables = stack_tables(boto3.client("dynamodb", endpoint_url=endpoint_url))
        os.environ.update({**tables, "AWS_ENDPOINT_URL": endpoint_url})
        aws.reset()
        spec = FunctionSpec("ApiFunction", REPO_ROOT / "functions" / "api", "app.lambda_handler", 10, 256, tables, {})
        handler = load_handler(spec, "serve")
        context = FakeLambdaContext(function_name="ApiFunction", memory_limit_in_mb=256, timeout_s=10)
        serve(lambda event: handler(event, context), port, out)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        aws.reset()
