"""`claimwatch run` and `claimwatch demo`: the deployed pipeline, polled N times, alerts printed."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

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


LOCAL_FILE_HOST = "local-file.invalid"  # a reserved name that never resolves: the URL of a feed file
_FEED_ROOTS = ("rss", "feed", "rdf", "rdf:rdf")
_FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".opml")
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w:.-]*)")


@dataclass(frozen=True)
class FeedSource:
    url: str
    title: str | None = None
    path: Path | None = None  # a feed file on this machine: read from disk, never fetched

    @property
    def label(self) -> str:
        return str(self.path) if self.path else self.url


def _root_element(data: bytes) -> str:
    """The document element's name, past the XML declaration, comments and doctype."""
    body = re.sub(rb"<!--.*?-->", b"", data[:65536], flags=re.DOTALL)
    m = _ROOT.search(body)
    return m.group(1).decode("ascii", "replace").lower() if m else ""


def local_feed_url(path: Path) -> str:
    return f"http://{LOCAL_FILE_HOST}/" + quote(str(path.resolve()).lstrip("/"))


def feed_sources(args: Iterable[str], allow_loopback: bool = False, warn=None) -> list[FeedSource]:
    """Each argument is a feed URL, an OPML file, an RSS/Atom file or a directory of such files.
    URLs are checked as `feeds add` checks them; a bad one is an error (CliError), a bad URL
    inside an OPML file a warning."""
    from claimwatch.cli import CliError, url_scheme
    from claimwatch.feeds.errors import FetchError
    from claimwatch.feeds.http import validate_feed_url
    from claimwatch.feeds.opml import OpmlError, parse_opml

    warn = warn or sys.stderr
    out: list[FeedSource] = []

    def add_file(path: Path) -> None:
        data = path.read_bytes()
        root = _root_element(data)
        if root == "opml":
            try:
                specs = parse_opml(data)
            except OpmlError as exc:
                raise CliError(str(path), str(exc)) from exc
            for spec in specs:
                try:
                    out.append(FeedSource(validate_feed_url(spec.url, allow_loopback), spec.title))
                except FetchError as exc:
                    warn.write(f"warning: {path}: skipped {spec.url}: {exc.message}\n")
        elif root in _FEED_ROOTS:
            out.append(FeedSource(local_feed_url(path), path.stem, path.resolve()))
        else:
            raise CliError(str(path), f"neither OPML nor an RSS/Atom feed (root element <{root or '?'}>)")

    for arg in args:
        scheme = url_scheme(arg)
        if scheme is not None:
            out.append(FeedSource(validate_feed_url(arg, allow_loopback)))
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _FEED_SUFFIXES)
            if not files:
                raise CliError(arg, f"directory has no feed files ({', '.join(_FEED_SUFFIXES)})")
            for p in files:
                add_file(p)
        elif path.is_file():
            add_file(path)
        else:
            raise CliError(
                arg,
                "no such file, and not an http(s) URL",
                "--feeds takes feed URLs, OPML files, RSS/Atom files or directories of them",
            )
    unique = {source.url: source for source in out}
    return list(unique.values())


class LocalFeedFiles:
    """The fetch function's HTTP client, with feed files on this machine answered from disk (the
    same conditional-GET shape as a server: an unchanged file is a 304); every other URL goes to
    the wrapped client and its guard."""

    def __init__(self, client, files: dict[str, Path]):
        self.client = client
        self.files = dict(files)

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None, *args, **kwargs):
        from claimwatch.feeds.errors import FetchError
        from claimwatch.feeds.http import HttpResult

        path = self.files.get(url)
        if path is None:
            return self.client.get(url, etag, last_modified, *args, **kwargs)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise FetchError("connect", f"cannot read {path}: {exc.strerror or exc}", url=url) from exc
        tag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        headers = {"content-type": "application/xml", "etag": tag}
        if etag == tag:
            return HttpResult(304, url, headers, b"", etag=tag)
        return HttpResult(200, url, headers, body, etag=tag)


class LocalRun:
    """A LocalPipeline with feeds and watches loaded: call `poll()` N times."""

    def __init__(
        self,
        feeds: Iterable,
        watchlist,
        *,
        interval: float = 0.0,
        endpoint_url: str | None = None,
        allow_loopback: bool = False,
        parameters: dict | None = None,
        quiet: bool = False,
        env: dict | None = None,
    ):
        """``feeds``: FeedSource objects or (url, title) pairs; ``watchlist``: a file or Watch
        objects. ``allow_loopback`` is what the functions get as CLAIMWATCH_ALLOW_LOOPBACK (off,
        as deployed, unless the feeds are on this machine's servers); ``quiet`` keeps the
        functions' warning logs (one JSON line per failed feed) out of the output."""
        from claimwatch.watch.watchlist import load_watchlist

        sources = [f if isinstance(f, FeedSource) else FeedSource(*f) for f in feeds]
        self.watches = watchlist if isinstance(watchlist, list) else load_watchlist(Path(watchlist))
        extra_env = {"CLAIMWATCH_ALLOW_LOOPBACK": "true" if allow_loopback else "false"}
        if quiet:
            extra_env["POWERTOOLS_LOG_LEVEL"] = "ERROR"
        extra_env.update(env or {})
        self.pipe = LocalPipeline(endpoint_url=endpoint_url, parameters=parameters, extra_env=extra_env)
        try:
            self._load(sources, interval)
        except BaseException:
            self.pipe.close()
            raise

    def _load(self, sources: list[FeedSource], interval: float) -> None:
        from claimwatch.store.feeds import FeedStore
        from claimwatch.store.watches import WatchStore

        env = self.pipe.env
        files = {s.url: s.path for s in sources if s.path}
        if files:
            fetch = self.pipe.handler_module("FetchFunction")
            fetch.http_client = LocalFeedFiles(fetch.http_client, files)
        self.feed_store = FeedStore(env["FEEDS_TABLE"], env["ARTICLES_TABLE"])
        for source in sources:
            state = self.feed_store.add_feed(source.url, source.title)
            # Locally a feed is due again after --interval seconds, not the deployed 15 minutes.
            state.interval_s = max(0, int(interval))
            self.feed_store.save_state(state)
        WatchStore(env["WATCHES_TABLE"]).put_watches(self.watches)

    def wait_until_due(self, at_most: float = 5.0) -> None:
        """Health delays are at least a second: let that second pass between back-to-back polls."""
        from claimwatch.feeds.state import parse_time

        now = datetime.now(UTC)
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
        rep.articles = sum(
            not i["article_id"].startswith("content#") for i in scan_all(articles, ProjectionExpression="article_id")
        )
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
            attrs = ", ".join(
                f"{k}={'|'.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in sorted(alert["attributes"].items())
            )
            out.write(f"attributes:  {attrs}\n\n")
            out.write((alert["text"] or "").rstrip() + "\n")
    out.flush()


def format_failed_feeds(states: list, sources: Iterable[FeedSource] = ()) -> list[str]:
    """One line per feed whose last poll failed: what it is (a file shows its path) and why."""
    labels = {s.url: s.label for s in sources}
    return [
        f"{labels.get(st.url, st.url)}: {st.last_error_kind}: {st.last_error}"
        for st in states
        if st.last_error and st.health in ("failing", "parked")
    ]


def run(
    feeds: list,
    watchlist,
    polls: int = 1,
    interval: float = 0.0,
    as_json: bool = False,
    endpoint_url: str | None = None,
    between_polls: Callable[[int], None] | None = None,
    out=None,
    allow_loopback: bool = False,
    quiet: bool = False,
    env: dict | None = None,
    before_close: Callable[[LocalRun], None] | None = None,
) -> RunReport:
    """``feeds``: FeedSource objects (see ``feed_sources``) or URLs; ``watchlist``: a file or Watch objects.
    ``env`` overrides the functions' variables; ``before_close`` gets the run once the polls are done
    (``claimwatch serve`` serves its tables then)."""
    out = out or sys.stdout
    feeds = [FeedSource(f) if isinstance(f, str) else f for f in feeds]
    session = LocalRun(
        feeds,
        watchlist,
        interval=interval,
        endpoint_url=endpoint_url,
        allow_loopback=allow_loopback,
        quiet=quiet,
        env=env,
    )
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
        if before_close:
            before_close(session)
        return rep
    finally:
        session.close()


def demo(
    as_json: bool = False, out=None, env: dict | None = None, before_close: Callable[[LocalRun], None] | None = None
) -> RunReport:
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

        # The demo's feeds are on this machine's loopback server: the one run that allows it.
        rep = run(
            urls,
            str(DEMO_WATCHLIST),
            polls=2,
            interval=0,
            as_json=as_json,
            between_polls=next_round,
            out=out,
            allow_loopback=True,
            env=env,
            before_close=before_close,
        )
    if not as_json:
        out.write("\n" + "-" * 78 + "\n")
        out.write(
            f"articles stored: {rep.articles}   claims stored: {rep.claims}   "
            f"alerts: {sum(len(a) for a in rep.alerts)}   dead letters: {rep.dead_letters}\n"
        )
    return rep
