"""The capacity arithmetic of bench/pipeline.py: DynamoDB item sizes and capacity units, SQS/SNS
64 KB chunks, and the meter's billing of writes, failed conditions and reads (no AWS needed: the
meter is fed wire-format requests and responses directly)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "pipeline.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_pipeline", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture
def meter(bench):
    m = bench.CapacityMeter()
    m._key_schema = {"T": ["pk"], "N": ["pk", "sk"]}  # what describe_table would say
    return m


def s(text):
    return {"S": text}


def blob(n_bytes):
    return {"pk": s("a"), "body": s("x" * (n_bytes - len("pk") - 1 - len("body")))}


def test_number_size_counts_significant_digits_in_pairs_plus_one(bench):
    assert bench.number_size("0") == 1
    assert bench.number_size("7") == 2
    assert bench.number_size("123") == 3
    assert bench.number_size("0012.3400") == 3  # leading and trailing zeros trimmed: 1234
    assert bench.number_size("-5") == 2
    assert bench.number_size("1E+5") == 2
    assert bench.number_size("1764043200") == 5  # trailing zeros trimmed: 8 significant digits


def test_item_size_follows_dynamodb_rules(bench):
    item = {
        "pk": s("abc"),  # 2 + 3
        "n": {"N": "123"},  # 1 + 3
        "b": {"BOOL": True},  # 1 + 1
        "m": {"M": {"x": s("yz")}},  # 1 + 3 + (1 + 1 + 2)
        "l": {"L": [{"N": "1"}, s("é")]},  # 1 + 3 + (1 + 2) + (1 + 2)
        "ss": {"SS": ["ab", "c"]},  # 2 + 3
    }
    assert bench.item_size(item) == 5 + 4 + 2 + 8 + 10 + 5
    assert bench.item_size({"k": {"B": "AAEC"}}) == 1 + 3  # base64 of 3 raw bytes
    assert bench.item_size({"e": {"M": {}}}) == 1 + 3


def test_capacity_units_round_up_per_kb_and_4kb(bench):
    assert bench.write_units(0) == 1
    assert bench.write_units(1024) == 1
    assert bench.write_units(1025) == 2
    assert bench.write_units(1025, transactional=True) == 4
    assert bench.read_units(4096, consistent=True) == 1
    assert bench.read_units(4097, consistent=True) == 2
    assert bench.read_units(4097, consistent=False) == 1.0
    assert bench.read_units(100, consistent=False) == 0.5
    assert bench.read_units(100, consistent=True, transactional=True) == 2


def test_sqs_and_sns_bill_every_started_64kb(bench):
    assert bench.chunked_requests(0) == 1
    assert bench.chunked_requests(64 * 1024) == 1
    assert bench.chunked_requests(64 * 1024 + 1) == 2


def units(meter, op, request, response=None, ok=True, error=None):
    rows = list(meter._dynamodb(op, request, response or {}, ok, error))
    return sum(u.wcu for _, u, _ in rows), sum(u.rcu for _, u, _ in rows)


def test_put_replacing_a_larger_item_pays_for_the_larger_and_failed_conditions_still_pay(bench, meter):
    big, small = blob(3000), blob(500)
    assert units(meter, "PutItem", {"TableName": "T", "Item": big}) == (3, 0)
    assert units(meter, "PutItem", {"TableName": "T", "Item": small}) == (3, 0)  # max(old 3000, new 500)
    assert meter.stored_size("T", {"pk": s("a")}) == 500
    # A failed conditional put is billed by the existing item and changes nothing.
    failed = units(meter, "PutItem", {"TableName": "T", "Item": big}, ok=False, error="ConditionalCheckFailedException")
    assert failed == (1, 0)
    assert meter.stored_size("T", {"pk": s("a")}) == 500


def test_transactions_cost_twice_even_when_cancelled(bench, meter):
    article = {"pk": s("art"), "content": s("x" * 2500)}
    marker = {"pk": s("content#1"), "k": s("c")}
    txn = {"TransactItems": [{"Put": {"TableName": "T", "Item": article}}, {"Put": {"TableName": "T", "Item": marker}}]}
    assert units(meter, "TransactWriteItems", txn) == (2 * 3 + 2 * 1, 0)
    again = units(meter, "TransactWriteItems", txn, ok=False, error="TransactionCanceledException")
    assert again == (2 * 3 + 2 * 1, 0)  # the re-check of a known article is as dear as writing it


def test_batch_write_bills_each_item(bench, meter):
    req = {"RequestItems": {"N": [{"PutRequest": {"Item": {"pk": s("band#1"), "sk": s(f"c{i}")}}} for i in range(20)]}}
    assert units(meter, "BatchWriteItem", req) == (20, 0)


def test_reads_bill_whole_items_even_when_projected(bench, meter):
    units(meter, "PutItem", {"TableName": "T", "Item": blob(5000)})
    key = {"pk": s("a")}
    assert units(meter, "GetItem", {"TableName": "T", "Key": key}, {"Item": key}) == (0, 1.0)  # 2 x 4 KB, halved
    assert units(meter, "GetItem", {"TableName": "T", "Key": key, "ConsistentRead": True}, {"Item": key}) == (0, 2)
    assert units(meter, "GetItem", {"TableName": "T", "Key": {"pk": s("none")}, "ConsistentRead": True}) == (0, 1)
    batch = {"RequestItems": {"T": {"Keys": [key, {"pk": s("none")}], "ConsistentRead": True}}}
    assert units(meter, "BatchGetItem", batch, {"Responses": {"T": [key]}}) == (0, 3)


def test_query_sums_the_items_read_before_projection(bench, meter):
    for i in range(3):
        units(meter, "PutItem", {"TableName": "N", "Item": {"pk": s("band"), "sk": s(f"c{i}"), "pad": s("x" * 1990)}})
    query = {
        "TableName": "N",
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": s("band")},
        "ProjectionExpression": "sk",
        "ConsistentRead": True,
    }
    response = {"Items": [{"sk": s(f"c{i}")} for i in range(3)]}  # projected: keys completed from :pk
    assert units(meter, "Query", query, response) == (0, 2)  # 3 x ~2 KB = 6 KB -> 2 x 4 KB
    scan = {"TableName": "N", "FilterExpression": "sk = :x", "ExpressionAttributeValues": {":x": s("c0")}}
    assert units(meter, "Scan", scan, {"Items": []}) == (0, 1.0)  # a filter still reads all 6 KB


def test_binary_values_count_their_raw_bytes_in_either_form(bench):
    import base64

    assert (
        bench.value_size({"B": b"\x00" * 10}) == bench.value_size({"B": base64.b64encode(b"\x00" * 10).decode()}) == 10
    )


MEASURED = {  # per-unit figures of the shape bench/pipeline.py measures
    "feed_poll_wcu": 1.0,
    "feed_poll_rcu": 0.5,
    "recheck_wcu_per_item": 0.0,
    "article_wcu": 40.0,
    "article_rcu": 20.0,
    "article_sqs": 1.0,
    "article_sns": 1.5,
    "article_s3_put": 1.0,
    "article_s3_get": 1.0,
    "article_bytes_stored": 12_000,
    "feed_item_bytes": 400,
    "digest_tick_wcu": 0.0,
    "digest_tick_rcu": 1.0,
    "analysis_cpu_s": 0.1,
    "extract_requests": 40,
    "alert_requests": 12,
    "alert_invocations_per_article": 1.0,
    "log_bytes_per_poll": 300,
    "log_bytes_per_article": 2000,
    "log_bytes_per_scheduler_tick": 500,
    "log_bytes_per_digest_tick": 300,
    "memory_mb": {
        "SchedulerFunction": 256,
        "FetchFunction": 256,
        "ExtractFunction": 1024,
        "AlertFunction": 256,
        "DigestFunction": 256,
    },
    "custom_metrics": 19,
    "alarms": 17,
    "dashboards": 1,
    "sqs_triggers": 2,
}


def lines_by_name(bench, feeds):
    return {line.name: line for line in bench.monthly_lines(feeds, MEASURED)}


def test_the_projection_bills_lambda_logs_traces_metrics_alarms_and_the_dashboard(bench):
    lines = lines_by_name(bench, 10_000)
    kinds = {line.kind for line in lines.values()}
    assert {"lambda", "gbs", "log_gb", "log_stored_gb", "traces", "metrics", "alarms", "dashboards"} <= kinds
    # 10,000 feeds every 15 minutes, 10 poll messages per fetch invocation: 2.88 M invocations a month
    assert lines["fetch invocations (Lambda requests)"].units == pytest.approx(2_880_000)
    assert lines["alarms (17)"].usd == pytest.approx(1.70)
    assert lines["dashboard"].usd == pytest.approx(3.00)
    assert lines["custom metrics (19)"].usd == pytest.approx(5.70)
    # logs: polls x bytes + one platform block per fetch invocation
    expected_gb = (28_800_000 * 300 + 2_880_000 * bench.PLATFORM_LOG_BYTES) / 1e9
    assert lines["logs ingested: feed polls (GB)"].units == pytest.approx(expected_gb)


def test_poll_and_article_lines_grow_with_the_feeds_and_fixed_lines_do_not(bench):
    small, large = lines_by_name(bench, 1_000), lines_by_name(bench, 10_000)
    for name, line in large.items():
        if line.driver in ("poll", "article"):
            assert line.usd == pytest.approx(10 * small[name].usd), name
        elif line.driver == "fixed" and line.kind in ("metrics", "alarms", "dashboards"):
            assert line.usd == small[name].usd, name


def test_cpu_bound_work_bills_the_same_gb_seconds_at_any_memory_size(bench):
    # 1 s on a full core: 1769/1024 GB-s, whether the function gets 1024 MB (1.73 s) or 1769 MB (1 s)
    assert bench.cpu_gb_s(1.0) == pytest.approx(1769 / 1024)


def test_an_articles_gb_seconds_are_its_analysis_cpu_plus_its_requests_round_trips(bench):
    expected = 0.1 * 1769 / 1024 + 40 * bench.AWS_REQUEST_S * 1.0 + 12 * bench.AWS_REQUEST_S * 0.25
    assert bench.article_gb_s(MEASURED) == pytest.approx(expected)
