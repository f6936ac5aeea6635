"""End to end on the local pipeline: latency from a new feed item to the SNS alert, and what one
article and one feed poll cost: DynamoDB capacity units, SQS, SNS and S3 requests, Lambda requests
and GB-seconds, CloudWatch Logs, X-Ray traces, custom metrics, alarms and the dashboard, projected
to a month for 1,000 and 10,000 feeds (`print_report` prints the table; every assumption is a
named constant below, every price too).

Three generated RSS feeds (the fictional demo articles of `seeds/demo/feeds/`, each re-used item
with a new GUID and link and its place names swapped for other Donetsk-oblast towns, so every item
is a new claim) are served on 127.0.0.1 and polled by `LocalRun` (the template's resources on moto
in-process, the handlers called with Lambda's event shapes). After one warm-up poll (spaCy loaded,
handler modules imported) and two all-304 polls (the fixed cost of a poll), each measured round
adds one item to one feed and times `LocalRun.poll()`.

Capacity is counted by DynamoDB's rules from item sizes, not taken from moto: botocore
`before-call`/`after-call` hooks on every boto3 session see the wire requests and responses;
only calls made while a handler runs are billed (the runner's own SQS polling and stream reads
stand for Lambda's event source mappings, modelled separately). Powertools' idempotency layer
builds its own `boto3.session.Session()`, so the hooks are installed on every new session, not
only the default one. Reads are billed by whole item sizes (a projection does not make a read
cheaper): the meter remembers the size of every item it saw written, UpdateItem results are
read back through an unhooked client, and a filtered Query is re-run unfiltered.

What Lambda would ingest into CloudWatch Logs is measured too: the handlers run at the template's
default log level (INFO) with Powertools metrics on, and what they write to stdout (JSON log lines
and EMF metric blobs) is counted per function instead of printed. Lambda's own START/END/REPORT
lines are an assumption (PLATFORM_LOG_BYTES).

Synthetic data only (no ../shared needed), loopback traffic only. Run: make bench-pipeline
Writes bench/out/pipeline.json.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- prices
# On-demand LIST PRICES, us-east-1, as published in 2025 — check them before quoting a bill; the
# unit counts are what this benchmark measures, the prices only turn them into dollars.
PRICE_PER_MILLION_WRU = 0.625  # DynamoDB on-demand write request units
PRICE_PER_MILLION_RRU = 0.125  # DynamoDB on-demand read request units
PRICE_DDB_STORAGE_GB_MONTH = 0.25
PRICE_PER_MILLION_SQS = 0.40  # standard queue requests (64 KB chunks), after the free tier
PRICE_PER_MILLION_SNS_PUBLISH = 0.50  # publishes (64 KB chunks); SQS/Lambda deliveries are free
PRICE_PER_THOUSAND_S3_PUT = 0.005
PRICE_PER_THOUSAND_S3_GET = 0.0004
PRICE_LAMBDA_GB_S = 0.0000166667  # x86_64
PRICE_PER_MILLION_LAMBDA_REQUESTS = 0.20
PRICE_LOGS_INGESTED_GB = 0.50  # CloudWatch Logs standard class
PRICE_LOGS_STORED_GB_MONTH = 0.03  # billed on the compressed size
PRICE_PER_MILLION_XRAY_TRACES = 5.00  # traces recorded
PRICE_CUSTOM_METRIC_MONTH = 0.30  # first 10,000 metrics
PRICE_ALARM_MONTH = 0.10  # standard resolution, one metric
PRICE_DASHBOARD_MONTH = 3.00  # beyond the account's first three
# No free tier is subtracted anywhere: the figures are what the usage costs at the margin.

# ---------------------------------------------------------------- projection assumptions
FEEDS = 10_000
POLL_MINUTES = 15  # template parameter PollRate
DAYS_PER_MONTH = 30
NEW_ARTICLES_PER_FEED_PER_DAY = 4
SHARE_200_WITHOUT_NEW = 0.10  # polls answered 200 with no new item (no conditional-GET support)
# A 200 response looks up each listed item's two seen-record keys (id, content hash) in one
# eventually consistent BatchGetItem: 0.5 RRU per key, found or not.
SEEN_LOOKUP_RRU_PER_LISTED_ITEM = 1.0
FEED_WINDOW = 20  # items a feed lists; every 200 response re-checks each against the Articles table
FEED_POLL_BATCH = 10  # FetchFunction BatchSize: the event source mapping's receive/delete per batch
ARTICLE_BATCH = 5  # ExtractFunction BatchSize
DIGEST_TICKS_PER_MONTH = 24 * DAYS_PER_MONTH  # DigestRate rate(1 hour)
PROJECTED_FEEDS = (1_000, 10_000)  # the README's two monthly totals
FEEDS_PER_POLL_MESSAGE = 1.0  # the scheduler groups one host's feeds; 1.0 = every feed on its own host (most messages)
# Lambda durations the local run cannot measure (loopback answers in microseconds, the internet does not):
FETCH_INVOCATION_S = 2.0  # a batch of 10 feed messages, polled concurrently, ends with its slowest feed
SCHEDULER_S_PER_FEED = 0.002  # a scan page and a tenth of a SendMessageBatch call per feed
DIGEST_TICK_S = 0.5
# The extract function's duration = its text and claim analysis, measured as thread CPU time (not
# wall time: this machine is shared), at Lambda's memory/1769 of a vCPU, plus its AWS requests,
# counted, at AWS_REQUEST_S each (in-region DynamoDB/SQS/SNS/S3 round trip; counted one after the
# other, an upper bound: novelty's writes run in parallel). The alert function: its requests.
LAMBDA_MB_PER_VCPU = 1769
AWS_REQUEST_S = 0.010
ANALYSIS_STEPS = (("claimwatch.feeds.content", "article_text"), ("claimwatch.pipeline", "analyze"))
PLATFORM_LOG_BYTES = 400  # Lambda's START, END and REPORT lines (with the X-Ray trace id) per invocation
LOG_RETENTION_DAYS = 30  # template parameter LogRetentionDays
LOG_COMPRESSED_SHARE = 0.15  # stored log bytes / ingested bytes (CloudWatch bills stored logs compressed)
XRAY_SAMPLED_SHARE = 0.10  # default rule: the first request each second, then 5 %; invocations come in bursts
ESM_IDLE_POLLERS = 5  # an SQS event source mapping long-polls (20 s) with at least 5 pollers, traffic or not
ESM_WAIT_S = 20

# ---------------------------------------------------------------- the run
MEASURED_ITEMS = 10
TRACED_ITEMS = 2  # extra rounds under tracemalloc (it slows Python down: kept out of the latency)
BASELINE_POLLS = 2
COMMAND = "make bench-pipeline"
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "pipeline.json"
DEMO_FEEDS = REPO / "seeds" / "demo" / "feeds"
DEMO_WATCHLIST = REPO / "seeds" / "watchlist.yaml"
# Place names the demo articles use, swapped in generated items for towns from ROTATION.
DEMO_PLACES = (
    "Krasnoarmeyskoye",
    "Konstantinovka",
    "Kostiantynivka",
    "Artemovsk",
    "Myrnohrad",
    "Pokrovsk",
    "Kupyansk",
    "Dimitrov",
    "Bakhmut",
    "Odesa",
)
ROTATION = (
    "Kramatorsk",
    "Sloviansk",
    "Druzhkivka",
    "Toretsk",
    "Chasiv Yar",
    "Siversk",
    "Lyman",
    "Kurakhove",
    "Vuhledar",
    "Avdiivka",
    "Selydove",
    "Soledar",
    "Horlivka",
    "Volnovakha",
    "Kupiansk",
    "Izium",
)
BENCH_WATCH = {"id": "bench-front", "places": list(ROTATION)}

KB = 1024
SQS_SNS_CHUNK = 64 * KB


# ================================================================ DynamoDB's capacity rules
def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: 1 per two significant digits, plus 1 (leading and trailing
    zeros do not count; the exponent and sign are not digits)."""
    mantissa = re.split(r"[eE]", text.strip().lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0").rstrip("0")
    return math.ceil(len(digits) / 2) + 1


def _binary_size(v) -> int:
    """Raw bytes from a parsed response, base64 text from a request on the wire."""
    return len(v) if isinstance(v, (bytes, bytearray)) else len(base64.b64decode(v))


def value_size(av: dict) -> int:
    """Bytes of one attribute value in DynamoDB's wire form ({"S": ...}, {"M": {...}}, ...)."""
    ((kind, v),) = av.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "N":
        return number_size(v)
    if kind == "B":
        return _binary_size(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in v)
    if kind == "NS":
        return sum(number_size(n) for n in v)
    if kind == "BS":
        return sum(_binary_size(b) for b in v)
    if kind == "L":  # 3 bytes for the list, 1 per element
        return 3 + sum(1 + value_size(e) for e in v)
    if kind == "M":  # 3 bytes for the map, 1 per element, names count like attribute names
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(e) for k, e in v.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: dict) -> int:
    """An item's size: every attribute name's UTF-8 bytes plus its value's size."""
    return sum(len(name.encode("utf-8")) + value_size(av) for name, av in item.items())


def write_units(size: int, transactional: bool = False) -> int:
    """1 WCU per started KB (at least 1); a transactional write costs twice."""
    return max(1, math.ceil(size / KB)) * (2 if transactional else 1)


def read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    """1 RCU per started 4 KB (at least 1) strongly consistent, half of that eventually
    consistent, twice in a transaction. Query/Scan pass the total size of the items they read."""
    units = max(1, math.ceil(size / (4 * KB)))
    if transactional:
        return units * 2.0
    return float(units) if consistent else units / 2


def chunked_requests(payload_bytes: int) -> int:
    """SQS and SNS bill every started 64 KB of payload as one request."""
    return max(1, math.ceil(payload_bytes / SQS_SNS_CHUNK))


# ================================================================ the meter
@dataclass
class Usage:
    calls: int = 0
    wcu: float = 0.0
    rcu: float = 0.0
    requests: int = 0  # billed requests (SQS/SNS 64 KB chunks, S3 and DynamoDB calls)


def _body(params: dict):
    body = params.get("body")
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8")
    if isinstance(body, str):
        return json.loads(body) if body.strip().startswith("{") else {}
    return body if isinstance(body, dict) else {}


class CapacityMeter:
    """Counts what each handler's AWS calls cost. Install before the pipeline is created."""

    SERVICES = ("dynamodb", "sqs", "sns", "s3")

    def __init__(self):
        self.usage: dict[tuple, Usage] = defaultdict(Usage)  # (phase, function, service, op, table, outcome)
        self.sizes: dict[tuple, int] = {}  # (table, key) -> item size: what DynamoDB bills reads by
        self.phase = "setup"
        self.function: str | None = None  # the handler running now (None: runner or setup)
        self.publish_times: list[tuple[str, float]] = []  # (function, perf_counter) of SNS publishes
        self.overhead_s: dict[str, float] = defaultdict(float)  # time spent counting, per phase
        self.overhead_fn_s: dict[tuple, float] = defaultdict(float)  # the same per (phase, function)
        self.api_s: dict[tuple, list] = defaultdict(lambda: [0, 0.0])  # (phase, function, service, op) -> [calls, s]
        self._lock = threading.RLock()
        self._key_schema: dict[str, list[str]] = {}
        self._private = None  # an unhooked client to read items back (not billed)
        self._original_init = None

    # -- installation -----------------------------------------------------------------------
    def install(self) -> None:
        import boto3
        import boto3.session

        meter, original = self, boto3.session.Session.__init__
        self._original_init = original

        def init(session, *args, **kwargs):
            original(session, *args, **kwargs)
            meter.attach(session)

        boto3.session.Session.__init__ = init
        if boto3.DEFAULT_SESSION is not None:
            self.attach(boto3.DEFAULT_SESSION)

    def uninstall(self) -> None:
        import boto3.session

        if self._original_init is not None:
            boto3.session.Session.__init__ = self._original_init

    def attach(self, session) -> None:
        session.events.register("before-call", self._before)
        session.events.register("after-call", self._after)

    # -- hooks ----------------------------------------------------------------------------------
    def _before(self, model, params, context, **_):
        service = model.service_model.endpoint_prefix
        if service in self.SERVICES:
            context["cw_meter"] = (service, model.name, _body(params) if service != "s3" else {})
            context["cw_sent"] = time.perf_counter()

    def _after(self, http_response, parsed, model, context, **_):
        stash = context.get("cw_meter") if context else None
        if not stash:
            return
        started = time.perf_counter()
        function = self.function  # None: the runner's event-source work, setup, reports (not billed)
        service, op, request = stash
        ok = http_response.status_code < 300
        error = (parsed or {}).get("Error", {}).get("Code") if not ok else None
        try:
            response = json.loads(http_response.content or b"{}") if service == "dynamodb" else {}
        except ValueError:
            response = {}
        measure = getattr(self, f"_{service}")
        if function is not None:
            with self._lock:
                timing = self.api_s[(self.phase, function, service, op)]
                timing[0] += 1
                timing[1] += started - context["cw_sent"]
        if service == "sns" and op == "Publish" and ok and function:
            with self._lock:
                self.publish_times.append((function, started))
        # Unbilled calls still run through the rules: their writes tell later reads an item's size.
        for table, usage, outcome in measure(op, request, response, ok, error):
            if function is not None:
                self._add(function, service, op, table, outcome, usage)
        with self._lock:
            self.overhead_s[self.phase] += time.perf_counter() - started
            self.overhead_fn_s[(self.phase, function)] += time.perf_counter() - started

    def _add(self, function, service, op, table, outcome, usage: Usage) -> None:
        with self._lock:
            total = self.usage[(self.phase, function, service, op, table, outcome)]
            total.calls += usage.calls
            total.wcu += usage.wcu
            total.rcu += usage.rcu
            total.requests += usage.requests

    # -- DynamoDB ---------------------------------------------------------------------------
    def private(self):
        if self._private is None:
            import botocore.session

            self._private = botocore.session.get_session().create_client("dynamodb")
        return self._private

    def key_names(self, table: str) -> list[str]:
        if table not in self._key_schema:
            schema = self.private().describe_table(TableName=table)["Table"]["KeySchema"]
            self._key_schema[table] = [k["AttributeName"] for k in schema]
        return self._key_schema[table]

    def _key(self, table: str, item: dict) -> tuple:
        return table, json.dumps({k: item[k] for k in self.key_names(table)}, sort_keys=True)

    def stored_size(self, table: str, key: dict) -> int:
        """The whole size of an item last seen written (0: unknown or absent)."""
        if any(k not in key for k in self.key_names(table)):
            return 0
        return self.sizes.get(self._key(table, key), 0)

    def _read_back(self, table: str, key: dict) -> int:
        item = self.private().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        size = item_size(item) if item else 0
        self._remember(table, key, size)
        return size

    def _remember(self, table: str, key: dict, size: int | None) -> None:
        with self._lock:
            if size:
                self.sizes[self._key(table, key)] = size
            else:
                self.sizes.pop(self._key(table, key), None)

    def _write(self, table, action, body, ok, transactional=False) -> Usage:
        """One item written: the larger of its old and new size; a failed condition is billed by
        the existing item (at least 1 unit) and changes nothing."""
        key = body.get("Key") or body["Item"]
        old = self.stored_size(table, key)
        if not ok:
            return Usage(1, wcu=write_units(old, transactional))
        if action == "Put":
            new = item_size(body["Item"])
            self._remember(table, key, new)
        elif action == "Update":
            new = self._read_back(table, key)
        else:  # Delete, ConditionCheck
            new = 0
            if action == "Delete":
                self._remember(table, key, 0)
        return Usage(1, wcu=write_units(max(old, new), transactional))

    def _query_read_size(self, op: str, req: dict, resp: dict) -> int:
        """Total size of the items a Query/Scan read: whole items, before any filter or projection.
        Without a filter the items returned are the items read (their whole sizes are known from
        the writes seen); a filtered whole-table Scan read every item of the table; any other
        filtered request is re-run unfiltered through the unbilled client."""
        table = req["TableName"]
        if "FilterExpression" not in req and "Select" not in req:
            return sum(
                self.stored_size(table, self._with_key(table, req, i)) or item_size(i) for i in resp.get("Items", [])
            )
        whole_table = op == "Scan" and not req.get("ExclusiveStartKey") and not resp.get("LastEvaluatedKey")
        if whole_table and "Segment" not in req:
            with self._lock:
                return sum(size for (t, _), size in self.sizes.items() if t == table)
        return self._read_items(req, op)

    def _with_key(self, table: str, req: dict, item: dict) -> dict:
        """A projected Query item completed with the key values its key condition fixes."""
        missing = [k for k in self.key_names(table) if k not in item]
        if not missing:
            return item
        names = {v: k for k, v in req.get("ExpressionAttributeNames", {}).items()}
        condition = req.get("KeyConditionExpression", "")
        values = req.get("ExpressionAttributeValues", {})
        completed = dict(item)
        for key in missing:
            for written in (key, names.get(key, key)):
                m = re.search(rf"(?<![\w#]){re.escape(written)}\s*=\s*(:\w+)", condition)
                if m and m.group(1) in values:
                    completed[key] = values[m.group(1)]
                    break
            else:
                return item  # not an equality on this key: the size falls back to what was returned
        return completed

    def _read_items(self, request: dict, op: str) -> int:
        """The same request, unfiltered and unprojected, through the unbilled client."""
        plain = {
            k: v
            for k, v in request.items()
            if k
            not in (
                "FilterExpression",
                "ProjectionExpression",
                "Select",
                "ReturnConsumedCapacity",
                "AttributesToGet",
                "ExpressionAttributeNames",
                "ExpressionAttributeValues",
            )
        }
        used = request.get("KeyConditionExpression", "")
        names = {k: v for k, v in request.get("ExpressionAttributeNames", {}).items() if k in used}
        values = {k: v for k, v in request.get("ExpressionAttributeValues", {}).items() if k in used}
        if names:
            plain["ExpressionAttributeNames"] = names
        if values:
            plain["ExpressionAttributeValues"] = values
        items = getattr(self.private(), "query" if op == "Query" else "scan")(**plain).get("Items", [])
        return sum(item_size(i) for i in items)

    def _dynamodb(self, op, req, resp, ok, error):
        outcome = "ok" if ok else (error or "error")
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            action = op.removesuffix("Item")
            yield req["TableName"], self._write(req["TableName"], action, req, ok), outcome
        elif op == "TransactWriteItems":
            for entry in req["TransactItems"]:
                ((action, body),) = entry.items()
                yield body["TableName"], self._write(body["TableName"], action, body, ok, transactional=True), outcome
        elif op == "BatchWriteItem":
            unprocessed = resp.get("UnprocessedItems") or {}
            if unprocessed:
                raise RuntimeError("the meter does not model unprocessed batch writes (moto returns none)")
            for table, requests in req["RequestItems"].items():
                for r in requests:
                    ((kind, body),) = r.items()
                    yield table, self._write(table, "Put" if kind == "PutRequest" else "Delete", body, ok), outcome
        elif op == "GetItem":
            item = resp.get("Item")
            size = self.stored_size(req["TableName"], req["Key"]) or (item_size(item) if item else 0)
            yield req["TableName"], Usage(1, rcu=read_units(size, bool(req.get("ConsistentRead")))), outcome
        elif op == "BatchGetItem":
            if resp.get("UnprocessedKeys"):
                raise RuntimeError("the meter does not model unprocessed batch reads (moto returns none)")
            for table, spec in req["RequestItems"].items():
                for key in spec["Keys"]:
                    usage = Usage(1, rcu=read_units(self.stored_size(table, key), bool(spec.get("ConsistentRead"))))
                    yield table, usage, outcome
        elif op in ("Query", "Scan"):
            size = self._query_read_size(op, req, resp)
            yield req["TableName"], Usage(1, rcu=read_units(size, bool(req.get("ConsistentRead")))), outcome
        else:
            yield req.get("TableName", "-"), Usage(1), outcome

    # -- SQS, SNS, S3 -----------------------------------------------------------------------
    @staticmethod
    def _attributes_bytes(attrs: dict) -> int:
        return sum(len(k.encode()) + len(json.dumps(v).encode()) for k, v in (attrs or {}).items())

    def _sqs(self, op, req, resp, ok, error):
        queue = (req.get("QueueUrl") or "-").rsplit("/", 1)[-1]
        if op == "SendMessage":
            payload = len(req.get("MessageBody", "").encode()) + self._attributes_bytes(req.get("MessageAttributes"))
        elif op == "SendMessageBatch":
            payload = sum(
                len(e.get("MessageBody", "").encode()) + self._attributes_bytes(e.get("MessageAttributes"))
                for e in req.get("Entries", [])
            )
        else:
            payload = 0
        yield queue, Usage(1, requests=chunked_requests(payload)), "ok" if ok else (error or "error")

    def _sns(self, op, req, resp, ok, error):
        payload = sum(len(str(req.get(k, "")).encode()) for k in ("Message", "Subject"))
        payload += sum(len(str(v).encode()) for k, v in req.items() if k.startswith("MessageAttributes"))
        yield "topic", Usage(1, requests=chunked_requests(payload)), "ok" if ok else (error or "error")

    def _s3(self, op, req, resp, ok, error):
        yield "bucket", Usage(1, requests=1), "ok" if ok else (error or "error")

    # -- reading the counts -----------------------------------------------------------------
    def totals(self, phases, by=("service",)) -> dict:
        """Usage summed over `phases`, grouped by the named fields of the key."""
        fields = ("phase", "function", "service", "op", "table", "outcome")
        out: dict[tuple, Usage] = defaultdict(Usage)
        for key, u in self.usage.items():
            if key[0] not in phases:
                continue
            group = tuple(key[fields.index(f)] for f in by)
            t = out[group]
            t.calls += u.calls
            t.wcu += u.wcu
            t.rcu += u.rcu
            t.requests += u.requests
        return out

    def stored_bytes(self) -> dict[str, tuple[int, int]]:
        """Per table: (items, bytes) as DynamoDB bills storage (+100 bytes of overhead per item)."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (table, _), size in list(self.sizes.items()):
            out[table][0] += 1
            out[table][1] += size + 100
        return {t: (n, b) for t, (n, b) in out.items()}


class CpuMeter:
    """Thread CPU seconds of the extract function's analysis steps (ANALYSIS_STEPS), per phase:
    wraps them in their modules before the handler imports them."""

    def __init__(self, meter: CapacityMeter):
        self.meter = meter
        self.seconds: dict[str, float] = defaultdict(float)
        self._originals: list[tuple] = []

    def install(self) -> None:
        import importlib

        for module_name, attr in ANALYSIS_STEPS:
            module = importlib.import_module(module_name)
            original = getattr(module, attr)
            self._originals.append((module, attr, original))
            setattr(module, attr, self._timed(original))

    def _timed(self, step):
        def timed(*args, **kwargs):
            start = time.thread_time()
            try:
                return step(*args, **kwargs)
            finally:
                self.seconds[self.meter.phase] += time.thread_time() - start

        return timed

    def uninstall(self) -> None:
        for module, attr, original in self._originals:
            setattr(module, attr, original)


class LogMeter:
    """Stands in for stdout while the pipeline runs: counts the bytes each handler writes (what
    Lambda ingests into CloudWatch Logs) per phase and function, and prints none of it."""

    def __init__(self, meter: CapacityMeter):
        self.meter = meter
        self.bytes: dict[tuple, int] = defaultdict(int)  # (phase, function) -> bytes

    def write(self, text: str) -> int:
        if self.meter.function:
            self.bytes[(self.meter.phase, self.meter.function)] += len(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


# The template's log settings, over the local runner's quiet ones (claimwatch.local.runner).
DEPLOYED_LOGGING_ENV = {"POWERTOOLS_LOG_LEVEL": "INFO", "POWERTOOLS_METRICS_DISABLED": "false"}


# ================================================================ generated feeds
@dataclass
class DemoItem:
    title: str
    link: str
    description: str
    content: str  # HTML paragraphs
    pub_date: str


def demo_items(poll: int) -> dict[str, list[DemoItem]]:
    """The demo feeds' items (`<outlet>.poll<N>.xml`), per outlet."""
    from defusedxml import ElementTree

    ns = {"content": "http://purl.org/rss/1.0/modules/content/"}
    out = {}
    for path in sorted(DEMO_FEEDS.glob(f"*.poll{poll}.xml")):
        channel = ElementTree.parse(path).getroot().find("channel")
        out[path.name.split(".")[0]] = [
            DemoItem(
                i.findtext("title"),
                i.findtext("link"),
                i.findtext("description") or "",
                i.findtext("content:encoded", namespaces=ns) or "",
                i.findtext("pubDate"),
            )
            for i in channel.findall("item")
        ]
    return out


def varied(item: DemoItem, n: int) -> DemoItem:
    """Item `n` of the benchmark: the demo article about other towns, under a new link (so a new
    article and, its places disagreeing with every earlier claim, a new claim cluster)."""
    towns = {}
    for place in DEMO_PLACES:
        if place in item.content or place in item.title:
            towns[place] = ROTATION[(3 * n + len(towns)) % len(ROTATION)]

    def swap(text: str) -> str:
        for old, new in towns.items():
            text = text.replace(old, new)
        return text

    slug = re.sub(r"[^a-z0-9]+", "-", swap(item.title).lower()).strip("-")[:60]
    host = item.link.split("/")[2]
    return DemoItem(
        f"{swap(item.title)} (bench item {n})",
        f"https://{host}/bench/{n}/{slug}",
        swap(item.description),
        swap(item.content),
        item.pub_date,
    )


def rss(title: str, items: list[DemoItem]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{html.escape(i.link)}</link>"
        f'<guid isPermaLink="false">{html.escape(i.link)}</guid><pubDate>{i.pub_date}</pubDate>'
        f"<description>{html.escape(i.description)}</description>"
        f"<content:encoded><![CDATA[{i.content}]]></content:encoded></item>"
        for i in reversed(items)  # newest first, as feeds list them
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{html.escape(title)} (fictional, benchmark)</title><link>https://bench.example/</link>"
        "<description>FICTIONAL generated feed for the claimwatch pipeline benchmark. Not news.</description>"
        f"{entries}</channel></rss>"
    ).encode()


class GeneratedFeeds:
    """Round 1: each outlet's poll-1 demo items. Round r > 1: item r-1 (a varied demo article)
    appears in outlet (r-2) mod 3, so every round brings exactly one new item."""

    def __init__(self):
        self.initial = demo_items(1)
        self.outlets = sorted(self.initial)
        seen, self.templates = set(), []
        for items in demo_items(2).values():
            for item in items:
                if item.content not in seen:
                    seen.add(item.content)
                    self.templates.append(item)

    def items(self, outlet: str, round_: int) -> list[DemoItem]:
        added = [
            varied(self.templates[(n - 1) % len(self.templates)], n)
            for n in range(1, round_)
            if self.outlets[(n - 1) % len(self.outlets)] == outlet
        ]
        return self.initial[outlet] + added

    def extra(self) -> dict:
        return {outlet: (lambda r, o=outlet: rss(o, self.items(o, r))) for outlet in self.outlets}


# ================================================================ the benchmark
@dataclass
class Round:
    label: str
    wall_s: float
    first_alert_s: float | None
    alerts: int
    handler_s: dict = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def write_watchlist(directory: Path) -> Path:
    import yaml

    watches = yaml.safe_load(DEMO_WATCHLIST.read_text())["watches"] + [BENCH_WATCH]
    path = directory / "watchlist.yaml"
    path.write_text(yaml.safe_dump({"watches": watches}, sort_keys=False))
    return path


def run_benchmark() -> dict:
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.local.feedserver import FeedDirectory, FeedServer
    from claimwatch.local.session import LocalRun
    from claimwatch.pipeline import analyze

    t = time.perf_counter()
    get_nlp()
    analyze("warm up text")
    model_load_s = time.perf_counter() - t

    meter = CapacityMeter()
    meter.install()
    feeds = GeneratedFeeds()
    directory = FeedDirectory(extra=feeds.extra())
    rounds: list[Round] = []
    invocations: dict[tuple, int] = defaultdict(int)  # (phase, function) -> invocations
    logs = LogMeter(meter)
    cpu = CpuMeter(meter)
    cpu.install()
    stdout = sys.stdout
    tmp = tempfile.TemporaryDirectory()
    try:
        with FeedServer(directory) as server:
            run = LocalRun(
                [(server.url(o), o) for o in feeds.outlets], write_watchlist(Path(tmp.name)), allow_loopback=True
            )
            try:
                pipe = run.pipe
                pipe._setenv(DEPLOYED_LOGGING_ENV)  # before the handler modules are imported
                sys.stdout = logs  # Powertools' log handler binds the stdout of its import
                invoke = pipe.invoke
                handler_s: dict[str, float] = defaultdict(float)

                def timed_invoke(logical, event):
                    invocations[(meter.phase, logical)] += 1
                    meter.function = logical
                    start = time.perf_counter()
                    try:
                        return invoke(logical, event)
                    finally:
                        handler_s[logical] += time.perf_counter() - start
                        meter.function = None

                pipe.invoke = timed_invoke  # the instance attribute: tick() and pump() call self.invoke

                def poll(label: str, new_item: bool) -> Round:
                    run.wait_until_due()  # health delays: a feed is due a second after its last poll
                    meter.phase = label
                    handler_s.clear()
                    if new_item:
                        directory.round += 1
                    start = time.perf_counter()
                    alerts = run.poll()
                    wall = time.perf_counter() - start
                    alert_times = [at for fn, at in meter.publish_times if fn == "AlertFunction" and at >= start]
                    r = Round(
                        label, wall, (min(alert_times) - start) if alert_times else None, len(alerts), dict(handler_s)
                    )
                    rounds.append(r)
                    return r

                poll("warmup", new_item=False)
                for i in range(BASELINE_POLLS):
                    poll(f"baseline{i}", new_item=False)
                stored_before = meter.stored_bytes()
                claims_before = run.report().claims
                for i in range(MEASURED_ITEMS):
                    poll(f"item{i}", new_item=True)
                claims_after = run.report().claims
                stored_after = meter.stored_bytes()
                tracemalloc.start()
                for i in range(TRACED_ITEMS):
                    poll(f"traced{i}", new_item=True)
                traced_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                memory_mb = {fn: spec.memory for fn, spec in pipe.functions.items()}
                dead = {k: len(v) for k, v in pipe.dead_letters().items()}
            finally:
                sys.stdout = stdout
                run.close()
    finally:
        sys.stdout = stdout
        cpu.uninstall()
        meter.uninstall()
        tmp.cleanup()
    return {
        "meter": meter,
        "rounds": rounds,
        "model_load_s": model_load_s,
        "traced_peak": traced_peak,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "claims": claims_after - claims_before,
        "stored_before": stored_before,
        "stored_after": stored_after,
        "memory_mb": memory_mb,
        "feeds": len(feeds.outlets),
        "dead_letters": dead,
        "log_bytes": dict(logs.bytes),
        "invocations": dict(invocations),
        "analysis_cpu_s": dict(cpu.seconds),
    }


# ================================================================ the monthly projection
PRICES = {  # USD per unit of each kind of line
    "wru": PRICE_PER_MILLION_WRU / 1e6,
    "rru": PRICE_PER_MILLION_RRU / 1e6,
    "sqs": PRICE_PER_MILLION_SQS / 1e6,
    "sns": PRICE_PER_MILLION_SNS_PUBLISH / 1e6,
    "s3put": PRICE_PER_THOUSAND_S3_PUT / 1e3,
    "s3get": PRICE_PER_THOUSAND_S3_GET / 1e3,
    "storage": PRICE_DDB_STORAGE_GB_MONTH,
    "gbs": PRICE_LAMBDA_GB_S,
    "lambda": PRICE_PER_MILLION_LAMBDA_REQUESTS / 1e6,
    "log_gb": PRICE_LOGS_INGESTED_GB,
    "log_stored_gb": PRICE_LOGS_STORED_GB_MONTH,
    "traces": PRICE_PER_MILLION_XRAY_TRACES / 1e6,
    "metrics": PRICE_CUSTOM_METRIC_MONTH,
    "alarms": PRICE_ALARM_MONTH,
    "dashboards": PRICE_DASHBOARD_MONTH,
}


@dataclass
class Line:
    name: str
    driver: str  # what it grows with: "poll" (feed polls), "article" (new articles), "tick", "fixed"
    kind: str  # a key of PRICES
    units: float

    @property
    def usd(self) -> float:
        return self.units * PRICES[self.kind]


def operations_inventory() -> dict:
    """What template.yaml and the handlers bill by the month whatever the traffic: custom metrics
    (one per name the handlers emit, each FeedFailure_<kind> counted), alarms, dashboards, and the
    SQS triggers that long-poll when idle."""
    from claimwatch.feeds.errors import FETCH_ERROR_KINDS
    from claimwatch.local.template import load_template

    names = set()
    for app in (REPO / "functions").glob("*/app.py"):
        names |= set(re.findall(r'add_metric\(\s*name=(f?)"([A-Za-z_]+)', app.read_text()))
    resources = load_template()["Resources"].values()
    triggers = [
        e
        for r in resources
        if r["Type"] == "AWS::Serverless::Function"
        for e in (r["Properties"].get("Events") or {}).values()
        if e["Type"] == "SQS"
    ]
    return {
        "custom_metrics": sum(len(FETCH_ERROR_KINDS) if f else 1 for f, _ in names),
        "alarms": sum(r["Type"] == "AWS::CloudWatch::Alarm" for r in resources),
        "dashboards": sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources),
        "sqs_triggers": len(triggers),
    }


def cpu_gb_s(cpu_s: float) -> float:
    """GB-seconds of CPU-bound work measured in CPU seconds: at M MB a function gets M/1769 of a
    vCPU, so it runs cpu_s x 1769/M seconds and bills that x M/1024 GB, whatever M is."""
    return cpu_s * LAMBDA_MB_PER_VCPU / 1024


def article_gb_s(m: dict) -> float:
    """Extract (analysis CPU + its requests' round trips) and alert (its requests) per article."""
    memory_gb = {fn: mb / 1024 for fn, mb in m["memory_mb"].items()}
    return (
        cpu_gb_s(m["analysis_cpu_s"])
        + m["extract_requests"] * AWS_REQUEST_S * memory_gb["ExtractFunction"]
        + m["alert_requests"] * AWS_REQUEST_S * memory_gb["AlertFunction"]
    )


def monthly_lines(feeds: int, m: dict) -> list[Line]:
    """Every billed line for `feeds` feeds over a month, from the measured per-unit figures `m`."""
    ticks = 60 / POLL_MINUTES * 24 * DAYS_PER_MONTH
    polls = feeds * ticks
    articles = feeds * NEW_ARTICLES_PER_FEED_PER_DAY * DAYS_PER_MONTH
    polls_200_old = polls * SHARE_200_WITHOUT_NEW
    messages = polls / FEEDS_PER_POLL_MESSAGE
    fetch_calls = messages / FEED_POLL_BATCH
    article_calls = articles * (1 + m["alert_invocations_per_article"])  # extract + alert
    tick_calls = ticks + DIGEST_TICKS_PER_MONTH
    gb = 1e9
    log_polls = (polls * m["log_bytes_per_poll"] + fetch_calls * PLATFORM_LOG_BYTES) / gb
    log_articles = articles * m["log_bytes_per_article"] / gb + article_calls * PLATFORM_LOG_BYTES / gb
    log_ticks = (
        ticks * (m["log_bytes_per_scheduler_tick"] + PLATFORM_LOG_BYTES)
        + DIGEST_TICKS_PER_MONTH * (m["log_bytes_per_digest_tick"] + PLATFORM_LOG_BYTES)
    ) / gb
    memory_gb = {fn: mb / 1024 for fn, mb in m["memory_mb"].items()}
    idle_polls = m["sqs_triggers"] * ESM_IDLE_POLLERS * DAYS_PER_MONTH * 86400 / ESM_WAIT_S
    return [
        Line(
            "scheduler scan of FeedsTable (RRU)",
            "tick",
            "rru",
            ticks * read_units(int(feeds * m["feed_item_bytes"]), consistent=False),
        ),
        Line("scheduler SendMessageBatch (SQS)", "tick", "sqs", ticks * math.ceil(feeds / FEEDS_PER_POLL_MESSAGE / 10)),
        Line("feed poll: GetItem + save_state (WRU)", "poll", "wru", polls * m["feed_poll_wcu"]),
        Line("feed poll: GetItem + save_state (RRU)", "poll", "rru", polls * m["feed_poll_rcu"]),
        Line("feed poll queue: event source receive+delete (SQS)", "poll", "sqs", messages * 2 / FEED_POLL_BATCH),
        Line(
            "200 responses: re-check of listed items (WRU)",
            "poll",
            "wru",
            (articles * (FEED_WINDOW - 1) + polls_200_old * FEED_WINDOW) * m["recheck_wcu_per_item"],
        ),
        Line(
            "200 responses without news: seen-record lookups (RRU)",
            "poll",
            "rru",
            polls_200_old * FEED_WINDOW * SEEN_LOOKUP_RRU_PER_LISTED_ITEM,
        ),
        Line("fetch invocations (Lambda requests)", "poll", "lambda", fetch_calls),
        Line(
            f"fetch duration, {FETCH_INVOCATION_S:g} s per batch assumed (GB-s)",
            "poll",
            "gbs",
            fetch_calls * FETCH_INVOCATION_S * memory_gb["FetchFunction"],
        ),
        Line("logs ingested: feed polls (GB)", "poll", "log_gb", log_polls),
        Line("new articles: fetch+extract+alert (WRU)", "article", "wru", articles * m["article_wcu"]),
        Line("new articles: fetch+extract+alert (RRU)", "article", "rru", articles * m["article_rcu"]),
        Line("new articles: handler SQS requests", "article", "sqs", articles * m["article_sqs"]),
        Line("article queue: event source receive+delete (SQS)", "article", "sqs", articles * 2 / ARTICLE_BATCH),
        Line("SNS publishes", "article", "sns", articles * m["article_sns"]),
        Line("S3 PUT (article texts)", "article", "s3put", articles * m["article_s3_put"]),
        Line("S3 GET (alert context)", "article", "s3get", articles * m["article_s3_get"]),
        Line("DynamoDB storage added (GB)", "article", "storage", articles * m["article_bytes_stored"] / gb),
        Line("extract + alert invocations (Lambda requests)", "article", "lambda", article_calls),
        Line("extract + alert duration: analysis CPU + requests (GB-s)", "article", "gbs", articles * article_gb_s(m)),
        Line("logs ingested: articles (GB)", "article", "log_gb", log_articles),
        Line("digest ticks (WRU)", "tick", "wru", DIGEST_TICKS_PER_MONTH * m["digest_tick_wcu"]),
        Line("digest ticks (RRU)", "tick", "rru", DIGEST_TICKS_PER_MONTH * m["digest_tick_rcu"]),
        Line("scheduler + digest invocations (Lambda requests)", "tick", "lambda", tick_calls),
        Line(
            "scheduler + digest duration (GB-s)",
            "tick",
            "gbs",
            ticks * feeds * SCHEDULER_S_PER_FEED * memory_gb["SchedulerFunction"]
            + DIGEST_TICKS_PER_MONTH * DIGEST_TICK_S * memory_gb["DigestFunction"],
        ),
        Line("logs ingested: ticks (GB)", "tick", "log_gb", log_ticks),
        Line(
            f"logs stored, {LOG_RETENTION_DAYS}-day retention, compressed (GB-month)",
            "fixed",
            "log_stored_gb",
            (log_polls + log_articles + log_ticks) * LOG_RETENTION_DAYS / DAYS_PER_MONTH * LOG_COMPRESSED_SHARE,
        ),
        Line(
            f"X-Ray traces, {XRAY_SAMPLED_SHARE:.0%} of invocations sampled",
            "fixed",
            "traces",
            XRAY_SAMPLED_SHARE * (fetch_calls + article_calls + tick_calls),
        ),
        Line("SQS triggers' idle long polls (SQS)", "fixed", "sqs", idle_polls),
        Line(f"custom metrics ({m['custom_metrics']})", "fixed", "metrics", m["custom_metrics"]),
        Line(f"alarms ({m['alarms']})", "fixed", "alarms", m["alarms"]),
        Line("dashboard", "fixed", "dashboards", m["dashboards"]),
    ]


def per_driver_usd(lines: list[Line], driver: str, feeds: int = FEEDS) -> float:
    """USD per feed poll (driver "poll") or per new article ("article") in a projection."""
    return sum(line.usd for line in lines if line.driver == driver) / _driver_count(driver, feeds)


# ================================================================ report
def per_phase(meter: CapacityMeter, phases: list[str], by: tuple) -> dict:
    """Mean usage per phase in `phases`, grouped by `by`."""
    totals = meter.totals(set(phases), by=by)
    n = len(phases)
    return {k: Usage(u.calls / n, u.wcu / n, u.rcu / n, u.requests / n) for k, u in totals.items()}


def marginal(item: dict, base: dict) -> dict:
    """What an item poll costs beyond an all-304 poll."""
    out = {}
    for k in set(item) | set(base):
        a, b = item.get(k, Usage()), base.get(k, Usage())
        out[k] = Usage(a.calls - b.calls, a.wcu - b.wcu, a.rcu - b.rcu, a.requests - b.requests)
    return out


def summarize(res: dict) -> dict:
    meter: CapacityMeter = res["meter"]
    rounds: list[Round] = res["rounds"]
    items = [r for r in rounds if r.label.startswith("item")]
    base_phases = [r.label for r in rounds if r.label.startswith("baseline")]
    item_phases = [r.label for r in items]
    walls = [r.wall_s for r in items]
    firsts = [r.first_alert_s for r in items if r.first_alert_s is not None]
    claims_per_article = res["claims"] / len(items)
    functions = sorted({fn for r in items for fn in r.handler_s})
    handler_mean = {fn: statistics.mean(r.handler_s.get(fn, 0.0) for r in items) for fn in functions}

    detail_keys = ("function", "service", "op", "table", "outcome")
    item_detail = per_phase(meter, item_phases, detail_keys)
    base_detail = per_phase(meter, base_phases, detail_keys)
    article = marginal(item_detail, base_detail)  # one new article, everything it causes
    base = base_detail  # one all-304 poll of every feed (+ a digest tick)

    def total(rows: dict, service: str, attr: str, op_filter=None) -> float:
        return sum(getattr(u, attr) for k, u in rows.items() if k[1] == service and (op_filter is None or op_filter(k)))

    def s3(rows, get: bool) -> float:
        return total(rows, "s3", "requests", lambda k: (k[2] == "GetObject") == get)

    # The recheck of a feed's old items (cancelled Articles transactions) in the item polls.
    cancelled = [
        (k, u)
        for k, u in item_detail.items()
        if k[2] == "TransactWriteItems" and k[4] == "TransactionCanceledException"
    ]
    cancelled_calls = sum(u.calls for _, u in cancelled) / 2  # two items (article, content hash) per call
    recheck_wcu_per_item = (sum(u.wcu for _, u in cancelled) / cancelled_calls) if cancelled_calls else 0.0
    recheck_wcu_measured = sum(u.wcu for _, u in cancelled)

    per_article = {
        "wcu": total(article, "dynamodb", "wcu"),
        "rcu": total(article, "dynamodb", "rcu"),
        "sqs_requests": total(article, "sqs", "requests"),
        "sns_publish_requests": total(article, "sns", "requests"),
        "s3_put_requests": s3(article, get=False),
        "s3_get_requests": s3(article, get=True),
    }
    feed_304 = {  # one feed polled, answered 304 (fetch function share of a baseline poll)
        "wcu": total(base, "dynamodb", "wcu", lambda k: k[0] == "FetchFunction") / res["feeds"],
        "rcu": total(base, "dynamodb", "rcu", lambda k: k[0] == "FetchFunction") / res["feeds"],
    }
    scheduler_scan = [u for k, u in base.items() if k[0] == "SchedulerFunction" and k[2] == "Scan"]
    feed_items = res["stored_after"].get(_table_named(res, "Feeds"), (res["feeds"], 0))
    feed_item_bytes = (feed_items[1] / feed_items[0] - 100) if feed_items[0] else 0
    digest_tick = {
        "wcu": total(base, "dynamodb", "wcu", lambda k: k[0] == "DigestFunction"),
        "rcu": total(base, "dynamodb", "rcu", lambda k: k[0] == "DigestFunction"),
    }
    stored_growth = {}
    for table, (n, b) in res["stored_after"].items():
        n0, b0 = res["stored_before"].get(table, (0, 0))
        stored_growth[_short(table)] = ((n - n0) / len(items), (b - b0) / len(items))
    bytes_per_article = sum(b for _, b in stored_growth.values())

    def mean_over(phases: list[str], counts: dict, fn: str) -> float:
        return statistics.mean(counts.get((p, fn), 0) for p in phases)

    def article_share(counts: dict, fn: str) -> float:  # what an item poll adds over an all-304 poll
        return mean_over(item_phases, counts, fn) - mean_over(base_phases, counts, fn)

    logs, calls = res["log_bytes"], res["invocations"]

    def requests_per_article(fn: str) -> float:
        def per_phase(phases):
            return sum(c for (p, f, _, _), (c, _) in meter.api_s.items() if f == fn and p in phases) / len(phases)

        return per_phase(item_phases) - per_phase(base_phases)

    measured = {
        "feed_poll_wcu": feed_304["wcu"],
        "feed_poll_rcu": feed_304["rcu"],
        "recheck_wcu_per_item": recheck_wcu_per_item,
        "article_wcu": per_article["wcu"] - recheck_wcu_measured / len(items),
        "article_rcu": per_article["rcu"],
        "article_sqs": per_article["sqs_requests"],
        "article_sns": per_article["sns_publish_requests"],
        "article_s3_put": per_article["s3_put_requests"],
        "article_s3_get": per_article["s3_get_requests"],
        "article_bytes_stored": bytes_per_article,
        "feed_item_bytes": feed_item_bytes,
        "digest_tick_wcu": digest_tick["wcu"],
        "digest_tick_rcu": digest_tick["rcu"],
        "analysis_cpu_s": statistics.mean(res["analysis_cpu_s"].get(p, 0.0) for p in item_phases),
        "extract_requests": requests_per_article("ExtractFunction"),
        "alert_requests": requests_per_article("AlertFunction"),
        "alert_invocations_per_article": article_share(calls, "AlertFunction"),
        "log_bytes_per_poll": mean_over(base_phases, logs, "FetchFunction") / res["feeds"],
        "log_bytes_per_article": sum(
            article_share(logs, fn) for fn in ("FetchFunction", "ExtractFunction", "AlertFunction")
        ),
        "log_bytes_per_scheduler_tick": mean_over(base_phases, logs, "SchedulerFunction"),
        "log_bytes_per_digest_tick": mean_over(base_phases, logs, "DigestFunction"),
        "memory_mb": res["memory_mb"],
        **operations_inventory(),
    }
    projections = {feeds: monthly_lines(feeds, measured) for feeds in PROJECTED_FEEDS}
    month = {line.name: (line.kind, line.units) for line in projections[FEEDS]}
    month_usd = {line.name: line.usd for line in projections[FEEDS]}
    ticks = 60 / POLL_MINUTES * 24 * DAYS_PER_MONTH
    polls = FEEDS * ticks
    articles = FEEDS * NEW_ARTICLES_PER_FEED_PER_DAY * DAYS_PER_MONTH
    polls_other = polls - articles - polls * SHARE_200_WITHOUT_NEW

    def top(attr: str, n: int = 5) -> list:
        rows = [(k, getattr(u, attr)) for k, u in article.items() if k[1] == "dynamodb" and getattr(u, attr) > 1e-9]
        grouped: dict[tuple, float] = defaultdict(float)
        for k, v in rows:
            grouped[(k[0], _short(k[3]), k[2], k[4])] += v
        return sorted(grouped.items(), key=lambda kv: -kv[1])[:n]

    figures = {
        "measured_items": len(items),
        "feeds": res["feeds"],
        "model_load_s_excluded": round(res["model_load_s"], 3),
        "e2e_poll_median_s": round(statistics.median(walls), 3),
        "e2e_poll_p90_s": round(percentile(walls, 0.9), 3),
        "e2e_first_alert_median_s": round(statistics.median(firsts), 3) if firsts else None,
        "e2e_first_alert_p90_s": round(percentile(firsts, 0.9), 3) if firsts else None,
        "items_with_alert": sum(r.alerts > 0 for r in items),
        "alerts_per_item_mean": round(statistics.mean(r.alerts for r in items), 2),
        "baseline_304_poll_s": round(statistics.mean(r.wall_s for r in rounds if r.label in base_phases), 3),
        **{f"handler_s_{fn}": round(v, 3) for fn, v in handler_mean.items()},
        "runner_overhead_s": round(statistics.mean(walls) - sum(handler_mean.values()), 3),
        "claims_per_article": round(claims_per_article, 2),
        "wcu_per_article": round(per_article["wcu"], 2),
        "rcu_per_article": round(per_article["rcu"], 2),
        "wcu_per_claim": round(per_article["wcu"] / claims_per_article, 2) if claims_per_article else None,
        "rcu_per_claim": round(per_article["rcu"] / claims_per_article, 2) if claims_per_article else None,
        "sqs_requests_per_article": round(per_article["sqs_requests"], 2),
        "sns_publishes_per_article": round(per_article["sns_publish_requests"], 2),
        "s3_put_per_article": round(per_article["s3_put_requests"], 2),
        "s3_get_per_article": round(per_article["s3_get_requests"], 2),
        "recheck_wcu_per_listed_item": round(recheck_wcu_per_item, 2),
        "feed_poll_304_wcu": round(feed_304["wcu"], 2),
        "feed_poll_304_rcu": round(feed_304["rcu"], 2),
        "feed_item_bytes": round(feed_item_bytes),
        "scheduler_scan_rcu_per_tick_measured": round(sum(u.rcu for u in scheduler_scan), 2),
        "digest_tick_wcu": round(digest_tick["wcu"], 2),
        "digest_tick_rcu": round(digest_tick["rcu"], 2),
        "dynamodb_bytes_stored_per_article": round(bytes_per_article),
        "lambda_gb_s_per_article": round(article_gb_s(measured), 3),
        "analysis_cpu_s_per_article": round(measured["analysis_cpu_s"], 3),
        "log_bytes_per_feed_poll": round(measured["log_bytes_per_poll"]),
        "log_bytes_per_article": round(measured["log_bytes_per_article"]),
        **{
            f"monthly_usd_{feeds // 1000}k_feeds": round(sum(line.usd for line in lines), 2)
            for feeds, lines in projections.items()
        },
        **{
            f"usd_per_million_{driver}s": round(1e6 * per_driver_usd(projections[FEEDS], driver), 2)
            for driver in ("poll", "article")
        },
        "monthly_wru_millions": round(sum(u for k, u in month.values() if k == "wru") / 1e6, 2),
        "monthly_rru_millions": round(sum(u for k, u in month.values() if k == "rru") / 1e6, 2),
        "monthly_sqs_millions": round(sum(u for k, u in month.values() if k == "sqs") / 1e6, 2),
        "monthly_sns_millions": round(sum(u for k, u in month.values() if k == "sns") / 1e6, 3),
        "peak_rss_mb": round(res["maxrss_kb"] / 1024, 1),
        "tracemalloc_peak_mb_per_poll": round(res["traced_peak"] / 2**20, 1),
    }
    api: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for (phase, fn, service, op), (calls, secs) in meter.api_s.items():
        if phase in item_phases:
            api[(fn, service, op)][0] += calls / len(items)
            api[(fn, service, op)][1] += secs / len(items)
    api_rows = sorted(
        ([*k, round(c, 1), round(t, 3), round(1000 * t / c, 1)] for k, (c, t) in api.items() if c),
        key=lambda row: -row[4],
    )
    figures["meter_overhead_s_per_item_poll"] = round(statistics.mean(meter.overhead_s[p] for p in item_phases), 3)
    detail = {
        "rounds": [r.__dict__ for r in rounds],
        "aws_calls_per_item_poll": {
            "columns": ["function", "service", "operation", "calls", "seconds (summed over threads)", "ms per call"],
            "rows": api_rows,
        },
        "top_wcu_per_article": [[*k, round(v, 2)] for k, v in top("wcu", 8)],
        "top_rcu_per_article": [[*k, round(v, 2)] for k, v in top("rcu", 8)],
        "stored_per_article": {t: {"items": round(n, 2), "bytes": round(b)} for t, (n, b) in stored_growth.items()},
        "monthly": {
            name: {"units": round(units, 2), "kind": kind, "usd": round(month_usd[name], 2)}
            for name, (kind, units) in month.items()
        },
        "cost_table": {
            "columns": [
                "line",
                "grows with",
                "USD per million polls/articles",
                *[f"USD/month, {f:,} feeds" for f in PROJECTED_FEEDS],
            ],
            "rows": [
                [
                    line.name,
                    line.driver,
                    round(1e6 * line.usd / _driver_count(line.driver), 4)
                    if line.driver in ("poll", "article")
                    else None,
                    *[round(projections[f][i].usd, 2) for f in PROJECTED_FEEDS],
                ]
                for i, line in enumerate(projections[FEEDS])
            ],
        },
        "assumptions": {
            "feeds": FEEDS,
            "poll_minutes": POLL_MINUTES,
            "new_articles_per_feed_per_day": NEW_ARTICLES_PER_FEED_PER_DAY,
            "share_200_without_new": SHARE_200_WITHOUT_NEW,
            "feed_window_items": FEED_WINDOW,
            "polls_per_month": polls,
            "articles_per_month": articles,
            "polls_304_per_month": polls_other,
            "alerts": "the bench watchlist (demo watches + one on every rotated town) fires on every item: "
            "an upper bound for SNS",
            "cancelled_transactions": "billed as transactional writes (2x) of the existing items",
            "event_source_mappings": f"2 SQS requests per receive batch; idle: {ESM_IDLE_POLLERS} pollers x one "
            f"{ESM_WAIT_S} s long poll per SQS trigger",
            "feeds_per_poll_message": FEEDS_PER_POLL_MESSAGE,
            "fetch_invocation_s": FETCH_INVOCATION_S,
            "scheduler_s_per_feed": SCHEDULER_S_PER_FEED,
            "digest_tick_s": DIGEST_TICK_S,
            "lambda_mb_per_vcpu": LAMBDA_MB_PER_VCPU,
            "aws_request_s": AWS_REQUEST_S,
            "platform_log_bytes_per_invocation": PLATFORM_LOG_BYTES,
            "log_retention_days": LOG_RETENTION_DAYS,
            "log_compressed_share": LOG_COMPRESSED_SHARE,
            "xray_sampled_share": XRAY_SAMPLED_SHARE,
            "free_tiers": "none subtracted",
            "prices": "on-demand list prices (us-east-1) at the top of bench/pipeline.py; check before quoting",
        },
        "dead_letters": res["dead_letters"],
    }
    return {"figures": figures, "detail": detail}


def _driver_count(driver: str, feeds: int = FEEDS) -> float:
    return {
        "poll": feeds * 60 / POLL_MINUTES * 24 * DAYS_PER_MONTH,
        "article": feeds * NEW_ARTICLES_PER_FEED_PER_DAY * DAYS_PER_MONTH,
    }[driver]


def _short(table: str) -> str:
    """`cw1a2b3c-ClaimsTable-XYZ` -> `ClaimsTable`."""
    m = re.search(r"([A-Za-z]+Table)", table)
    return m.group(1) if m else table


def _table_named(res: dict, name: str) -> str:
    return next((t for t in res["stored_after"] if _short(t) == f"{name}Table"), "")


def print_report(out: dict) -> None:
    f, d = out["figures"], out["detail"]
    rows = [
        ("new item -> SNS alert, median / p90", f"{f['e2e_first_alert_median_s']} s / {f['e2e_first_alert_p90_s']} s"),
        ("whole poll() (incl. digest tick), median / p90", f"{f['e2e_poll_median_s']} s / {f['e2e_poll_p90_s']} s"),
        ("all-304 poll of the feeds", f"{f['baseline_304_poll_s']} s"),
        (
            "items with >= 1 alert",
            f"{f['items_with_alert']} / {f['measured_items']} (mean {f['alerts_per_item_mean']})",
        ),
        *[
            (f"  {k.removeprefix('handler_s_')} per item poll", f"{v} s")
            for k, v in f.items()
            if k.startswith("handler_s_")
        ],
        ("  runner (moto SQS, streams)", f"{f['runner_overhead_s']} s"),
        ("  this meter's counting (inside the handler times)", f"{f['meter_overhead_s_per_item_poll']} s"),
        ("claims per article", f["claims_per_article"]),
        ("WCU per article / per claim", f"{f['wcu_per_article']} / {f['wcu_per_claim']}"),
        ("RCU per article / per claim", f"{f['rcu_per_article']} / {f['rcu_per_claim']}"),
        (
            "SQS requests / SNS publishes per article",
            f"{f['sqs_requests_per_article']} / {f['sns_publishes_per_article']}",
        ),
        ("S3 PUT / GET per article", f"{f['s3_put_per_article']} / {f['s3_get_per_article']}"),
        ("re-check of an old listed item (WCU)", f["recheck_wcu_per_listed_item"]),
        ("feed poll answered 304: WCU / RCU", f"{f['feed_poll_304_wcu']} / {f['feed_poll_304_rcu']}"),
        ("DynamoDB bytes stored per article", f["dynamodb_bytes_stored_per_article"]),
        (
            "CloudWatch Logs bytes per feed poll / per article (INFO)",
            f"{f['log_bytes_per_feed_poll']} / {f['log_bytes_per_article']}",
        ),
        (
            "Lambda GB-s per article (extract + alert)",
            f"{f['lambda_gb_s_per_article']} (analysis {f['analysis_cpu_s_per_article']} CPU s)",
        ),
        (
            "USD per million feed polls / per million articles",
            f"${f['usd_per_million_polls']} / ${f['usd_per_million_articles']}",
        ),
        (
            "1,000 / 10,000 feeds, monthly (see assumptions)",
            f"${f['monthly_usd_1k_feeds']} / ${f['monthly_usd_10k_feeds']}",
        ),
        ("peak RSS / tracemalloc peak per poll", f"{f['peak_rss_mb']} MB / {f['tracemalloc_peak_mb_per_poll']} MB"),
    ]
    width = max(len(str(r[0])) for r in rows)
    print(
        f"claimwatch pipeline benchmark: {f['measured_items']} new items over {f['feeds']} loopback feeds, "
        f"moto in-process (model load {f['model_load_s_excluded']} s excluded)"
    )
    for name, value in rows:
        print(f"  {name:<{width}}  {value}   [{COMMAND}]")
    print("\nAWS calls (moto in-process) per item poll, by time summed over threads:")
    for fn, service, op, calls, secs, ms in d["aws_calls_per_item_poll"]["rows"][:6]:
        print(f"  {secs:7.3f} s  {calls:6.1f} x {ms:5.1f} ms  {fn} {service} {op}")
    print("\ntop WCU per article (function, table, operation, outcome):")
    for *k, v in d["top_wcu_per_article"]:
        print(f"  {v:8.2f}  {' '.join(k)}")
    print("top RCU per article:")
    for *k, v in d["top_rcu_per_article"]:
        print(f"  {v:8.2f}  {' '.join(k)}")
    print(
        f"\nmonthly cost, feeds polled every {POLL_MINUTES} min, {NEW_ARTICLES_PER_FEED_PER_DAY} new "
        f"articles/feed/day, {SHARE_200_WITHOUT_NEW:.0%} of polls 200 without news, {FEED_WINDOW} items listed "
        f"per feed (assumptions and list prices at the top of bench/pipeline.py; no free tier):"
    )
    table = d["cost_table"]
    print(f"  {'USD/M units':>12}  {'1,000 feeds':>11}  {'10,000 feeds':>12}  line (grows with)")
    for name, driver, per_million, *usd in sorted(table["rows"], key=lambda r: -r[-1]):
        unit = f"{per_million:>12,.4f}" if per_million is not None else f"{'':>12}"
        print(f"  {unit}  {usd[0]:>11,.2f}  {usd[1]:>12,.2f}  {name} ({driver})")
    totals = [sum(r[3 + i] for r in table["rows"]) for i in range(len(PROJECTED_FEEDS))]
    print(f"  {'total':>12}  {totals[0]:>11,.2f}  {totals[1]:>12,.2f}")


def main() -> int:
    res = run_benchmark()
    out = summarize(res)
    print_report(out)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "benchmark": "pipeline",
                "command": COMMAND,
                "figures": {k: {"value": v, "command": COMMAND} for k, v in out["figures"].items()},
                "detail": out["detail"],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
