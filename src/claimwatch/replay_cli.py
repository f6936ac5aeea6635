"""`claimwatch replay {articles,feeds,alerts,all} [--dry-run]`: the failure queues of a deployment
sent back through the pipeline (claimwatch.store.replay says how each queue is replayed)."""

from __future__ import annotations

import argparse
import os

# stack output -> environment variable that stands in for it without --stack-name
LOCATIONS = {
    "ArticleDeadLetterQueueUrl": "ARTICLE_DLQ_URL",
    "ArticleQueueUrl": "ARTICLE_QUEUE_URL",
    "FeedPollDeadLetterQueueUrl": "FEED_DLQ_URL",
    "FeedPollQueueUrl": "FEED_QUEUE_URL",
    "AlertFailureQueueUrl": "ALERT_FAILURE_QUEUE_URL",
    "AlertFunctionName": "ALERT_FUNCTION_NAME",
}
QUEUES = ("articles", "feeds", "alerts")


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    """Register `replay` on the CLI's subcommands (`common`: the options every command takes)."""
    r = sub.add_parser(
        "replay",
        parents=[common],
        help="send the failure queues' messages back through the pipeline",
        description="Article and feed dead letters are sent to their queue again; each failed "
        "Claims-stream batch is read back from the stream (while it keeps it, 24 hours) "
        "and given to the alert function again. Exit status 1 while a message stays.",
    )
    r.add_argument(
        "queue",
        choices=(*QUEUES, "all"),
        help="articles: ArticleDLQ, feeds: FeedPollDLQ, alerts: the Claims stream's AlertFailureQueue",
    )
    r.add_argument("--dry-run", action="store_true", help="list what would be replayed; change nothing")
    r.add_argument(
        "--stack-name",
        metavar="NAME",
        help="read the queues from this stack's outputs (else the environment: " + ", ".join(LOCATIONS.values()) + ")",
    )
    r.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="a moto server, LocalStack or AWS endpoint (default: AWS from the environment)",
    )
    r.set_defaults(func=cmd_replay)


def _no_invoke(event: dict) -> dict:
    raise RuntimeError("a dry run invokes nothing")


def locations(stack_name: str | None) -> dict[str, str | None]:
    from claimwatch.store.replay import stack_outputs

    found = {output: os.environ.get(variable) for output, variable in LOCATIONS.items()}
    if stack_name:
        found.update({k: v for k, v in stack_outputs(stack_name).items() if k in LOCATIONS})
    return found


def need(found: dict, output: str) -> str:
    if not found.get(output):
        raise SystemExit(f"claimwatch replay: pass --stack-name or set {LOCATIONS[output]}")
    return found[output]


def cmd_replay(args: argparse.Namespace) -> int:
    from claimwatch.store import aws, replay

    found = locations(args.stack_name)
    sqs = aws.client("sqs")
    reports = []
    for queue in QUEUES if args.queue == "all" else (args.queue,):
        if queue == "articles":
            reports.append(
                replay.resend(
                    sqs,
                    need(found, "ArticleDeadLetterQueueUrl"),
                    need(found, "ArticleQueueUrl"),
                    args.dry_run,
                    "ArticleDLQ",
                )
            )
        elif queue == "feeds":
            reports.append(
                replay.resend(
                    sqs,
                    need(found, "FeedPollDeadLetterQueueUrl"),
                    need(found, "FeedPollQueueUrl"),
                    args.dry_run,
                    "FeedPollDLQ",
                )
            )
        else:
            # a dry run only reads the failed batches back: nothing is invoked
            invoke = replay.lambda_invoker(need(found, "AlertFunctionName")) if not args.dry_run else _no_invoke
            reports.append(
                replay.replay_stream_failures(
                    sqs, replay.streams_client(), need(found, "AlertFailureQueueUrl"), invoke, args.dry_run
                )
            )
    for report in reports:
        print(report.format())
    return 1 if any(r.left_in_queue for r in reports) else 0
