"""`claimwatch run` and `claimwatch demo`: the deployed pipeline, polled N times, alerts printed."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from claimwatch.local.runner import LocalPipeline
from claimwatch.local.template import REPO_ROOT

DEMO_FEEDS = REPO_ROOT / "seeds" / "demo" / "feeds"
DEMO_WATCHLIST = REPO_ROOT / "seeds" / "watchlist.yaml"


@dataclass
class RunReport:
    alerts: list = field(default_factory=list)  # per poll: list of {"subject","message","attributes"}
    claims: int = 0
    articles: int = 0
    dead_letters: dict = field(default_factory=dict)
    feeds: list = field(default_factory=list)


def feed_urls_from(args: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each argument is an OPML file or a feed URL: (url, title) pairs."""
    from claimwatch.feeds.opml import parse_opml

    out = []
    for arg in args:
        path = Path(arg)
        if not arg.startswith(("http://", "https://")) and path.exists():
            out += [(f.url, f.title) for f in parse_opml(path.read_bytes())]
        else:
            out.append((arg, None))
    return out


class LocalRun:
    """A LocalPipeline with feeds and watches loaded: call `poll()` N times."""

    def __init__(self, feeds: list[tuple[str, str | None]], watchlist: str | Path, *, interval: float = 0.0,
                 endpoint_url: str | None = None, allow_loopback: bool = True, parameters: dict | None = None):
        extra_env = {"CLAIMWATCH_ALLOW_LOOPBACK": "true" if allow_loopback else "false"}
        self.pipe = LocalPipeline(endpoint_url=endpoint_url, parameters=parameters, extra_env=extra_env)
        from claimwatch.store.feeds import FeedStore
        from claimwatch.store.watches import WatchStore
        from claimwatch.watch.watchlist import load_watchlist

        env = self.pipe.env
        self.feed_store = FeedStore(env["FEEDS_TABLE"], env["ARTICLES_TABLE"])
        for url, title in feeds:
            state = self.feed_store.add_feed(url, title)
            # Locally a feed is due again after --interval seconds, not the deployed 15 minutes.
            state.interval_s = max(0, int(interval))
            self.feed_store.save_state(state)
        self.watches = load_watchlist(Path(watchlist))
        WatchStore(env["WATCHES_TABLE"]).put_watches(self.watches)

    def wait_until_due(self, at_most: float = 5.0) -> None:
        """Health delays are at least a second: let that second pass between back-to-back polls."""
        from claimwatch.feeds.state import parse_time

        now = datetime.now(timezone.utc)
        healthy = [parse_time(f.next_poll) for f in self.feed_store.list_feeds() if f.health in ("new", "ok")]
        waits = [(t - now).total_seconds() for t in healthy if t]
        if waits and 0 < min(waits) <= at_most:
            time.sleep(min(waits) + 0.05)

    def poll(self) -> list[dict]:
        self.wait_until_due()
        self.pipe.tick("SchedulerFunction")
        self.pipe.pump()
        self.pipe.tick("DigestFunction")
        self.pipe.pump()
        return self.pipe.drain_alerts()

    def report(self) -> RunReport:
        from claimwatch.store.aws import scan_all
        from claimwatch.store.claims import ClaimStore

        env = self.pipe.env
        rep = RunReport()
        rep.claims = len(ClaimStore(env["CLAIMS_TABLE"], env["MENTIONS_TABLE"]).scan_claims())
        articles = self.pipe.session.resource("dynamodb").Table(env["ARTICLES_TABLE"])
        # The table also holds one content-hash marker per article (the syndicated-copy guard).
        rep.articles = sum(not i["article_id"].startswith("content#")
                           for i in scan_all(articles, ProjectionExpression="article_id"))
        rep.dead_letters = {k: len(v) for k, v in self.pipe.dead_letters().items()}
        rep.feeds = self.feed_store.list_feeds()
        return rep

    def close(self) -> None:
        self.pipe.close()


def print_alerts(alerts: list[dict], as_json: bool, out=None) -> None:
    out = out or sys.stdout
    for alert in alerts:
        if as_json:
            out.write(json.dumps(alert, ensure_ascii=False) + "\n")
        else:
            out.write("=" * 78 + "\n")
            out.write(f"SNS subject: {alert['subject']}\n")
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(alert["attributes"].items()))
            out.write(f"attributes:  {attrs}\n\n")
            out.write((alert["text"] or "").rstrip() + "\n")
    out.flush()


def run(feed_args: list[str], watchlist: str, polls: int = 1, interval: float = 0.0, as_json: bool = False,
        endpoint_url: str | None = None, between_polls: Callable[[int], None] | None = None, out=None) -> RunReport:
    out = out or sys.stdout
    session = LocalRun(feed_urls_from(feed_args), watchlist, interval=interval, endpoint_url=endpoint_url)
    all_alerts = []
    try:
        for n in range(1, polls + 1):
            if n > 1:
                if between_polls:
                    between_polls(n)
                time.sleep(interval)
            alerts = session.poll()
            if not as_json:
                out.write(f"\n### poll {n}: {len(alerts)} alert(s)\n")
            print_alerts(alerts, as_json, out)
            all_alerts.append(alerts)
        rep = session.report()
        rep.alerts = all_alerts
        return rep
    finally:
        session.close()


def demo(as_json: bool = False, out=None) -> RunReport:
    """Serve the fictional demo feeds on loopback, poll twice (new items appear in poll 2)."""
    out = out or sys.stdout
    from claimwatch.local.feedserver import FeedDirectory, FeedServer

    directory = FeedDirectory(DEMO_FEEDS)
    with FeedServer(directory) as server:
        urls = [server.url(name) for name in directory.names()]
        if not as_json:
            out.write("claimwatch demo: fictional feeds served on loopback, pipeline on moto in-process\n")
            for u in urls:
                out.write(f"  feed {u}\n")
            out.write(f"  watchlist {DEMO_WATCHLIST.relative_to(REPO_ROOT)}\n")

        def next_round(n: int) -> None:
            directory.round = n
            if not as_json:
                out.write(f"\n(new items published in the demo feeds for poll {n})\n")

        rep = run(urls, str(DEMO_WATCHLIST), polls=2, interval=0, as_json=as_json, between_polls=next_round, out=out)
    if not as_json:
        out.write("\n" + "-" * 78 + "\n")
        out.write(f"articles stored: {rep.articles}   claims stored: {rep.claims}   "
                  f"alerts: {sum(len(a) for a in rep.alerts)}   dead letters: {rep.dead_letters}\n")
    return rep
