"""`claimwatch extract | places | run | demo | feeds | watches | replay`.

Every expected failure ends the same way: one line ``claimwatch: <what>: <why>`` on stderr, a
hint line where one helps, exit status 2 for usage errors and 1 for the rest; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import traceback
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from claimwatch import __version__
from claimwatch.settings import CliSettings

EXIT_FAILURE, EXIT_USAGE = 1, 2
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//|[^\\/])")


class CliError(Exception):
    """An expected failure: printed as ``claimwatch: <what>: <why>`` (+ hint), no traceback."""

    def __init__(self, what: str, why: str, hint: str | None = None, code: int = EXIT_FAILURE):
        super().__init__(f"{what}: {why}")
        self.what, self.why, self.hint, self.code = what, why, hint, code


def _one_line(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


_FETCH_HINTS = {
    "bad_scheme": "give an http:// or https:// URL (or a file path)",
    "dns": "check the host name",
    "connect": "check that the server is up and reachable",
    "timeout": "the server is too slow; try again later",
    "too_large": "save the document and pass the file instead",
    "bad_content_type": "the URL does not serve what was expected (a feed or an HTML page)",
}


def describe_error(exc: BaseException) -> CliError:
    """The one-line form of an exception a user can cause (bad input, unreachable service)."""
    from claimwatch.feeds.errors import FetchError
    from claimwatch.feeds.opml import OpmlError
    from claimwatch.resolve.gazetteer import GazetteerMissing
    from claimwatch.watch.watchlist import WatchlistError

    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, FetchError):
        hint = _FETCH_HINTS.get(exc.kind)
        if exc.kind == "blocked_address" and "loopback" in exc.message:
            hint = "pass --allow-loopback (or set CLAIMWATCH_ALLOW_LOOPBACK=1) to use this machine's own servers"
        elif exc.kind == "blocked_address":
            hint = "only public addresses on ports 80 and 443 are fetched (an SSRF guard)"
        return CliError(exc.url or "fetch", exc.message, hint)
    if isinstance(exc, WatchlistError):
        return CliError("watchlist", str(exc), "`claimwatch watches --help` describes the format")
    if isinstance(exc, OpmlError):
        return CliError("OPML", str(exc))
    if isinstance(exc, GazetteerMissing):
        return CliError("gazetteer", str(exc))
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return CliError(str(exc.filename), exc.strerror or str(exc))
    module = type(exc).__module__ or ""
    if module.startswith(("botocore", "boto3")):
        name = type(exc).__name__
        hint = {
            "EndpointConnectionError": "is the endpoint running? check --endpoint-url",
            "NoCredentialsError": "set AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) or pass --endpoint-url",
            "NoRegionError": "set AWS_DEFAULT_REGION",
        }.get(name, "check --endpoint-url, --stack-name and the AWS credentials")
        return CliError("AWS", str(exc), hint)
    if isinstance(exc, (ValueError, UnicodeError)):
        return CliError("input", str(exc))
    return CliError("unexpected error", f"{type(exc).__name__}: {exc}", "run again with --debug for the traceback")


# ---------------------------------------------------------------- reading an article
def url_scheme(arg: str) -> str | None:
    """The scheme of an argument written as a URL ("htp://x" -> "htp"), None for a path."""
    m = _URL_SCHEME.match(arg)
    if not m or (len(m.group(1)) == 1 and os.name == "nt"):  # "C:\..." is a path
        return None
    return m.group(1).lower() if m.group(2) == "//" else None


def readable_file(arg: str, what: str = "file") -> Path:
    path = Path(arg)
    if not path.exists():
        raise CliError(arg, "no such file")
    if path.is_dir():
        raise CliError(arg, f"is a directory, not a {what}")
    return path


def read_article(path_or_url: str, allow_loopback: bool = False) -> tuple[str, dict]:
    """Plain text or HTML, from a file or through the SSRF-safe client: (text, metadata)."""
    from claimwatch.feeds.content import html_to_article_text

    scheme = url_scheme(path_or_url)
    if scheme is not None:
        if scheme not in ("http", "https"):
            raise CliError(
                path_or_url,
                f"scheme {scheme!r} is not http or https",
                "give an http:// or https:// URL, or a file path",
            )
        from claimwatch.feeds.http import SafeHttpClient, page_content_type_ok

        client = SafeHttpClient.from_env(allow_loopback=allow_loopback or None)
        res = client.get(path_or_url, content_type_ok=page_content_type_ok)
        raw, url = res.body.decode(res.charset or "utf-8", errors="replace"), res.url
        is_html = "html" in res.content_type
    else:
        p = readable_file(path_or_url, "text or HTML file")
        raw, url = p.read_text(encoding="utf-8", errors="replace"), None
        is_html = p.suffix.lower() in (".html", ".htm") or raw.lstrip()[:1] == "<"
    if is_html:
        art = html_to_article_text(raw, url=url)
        return art.text, {
            "url": art.canonical_url or url,
            "title": art.title,
            "published": art.published,
            "outlet": art.outlet,
        }
    return raw, {"url": url}


def _published(value: str | None, meta: dict) -> date | None:
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CliError("--published", f"wants YYYY-MM-DD, got {value!r}", code=EXIT_USAGE) from None
    if meta.get("published"):
        try:
            return date.fromisoformat(meta["published"][:10])
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------- watchlists
def load_watchlist_file(arg: str):
    from claimwatch.watch.watchlist import load_watchlist

    return load_watchlist(readable_file(arg, "watchlist file"))


def check_terms(watches, allow_unresolved: bool, err=None) -> list:
    """Print a warning for every unresolved or approximate term; refuse unresolved ones unless
    allowed (a misspelt term is accepted and then never fires)."""
    from claimwatch.watch.check import check_watches, problems

    err = err or sys.stderr
    reports = check_watches(watches)
    for report in problems(reports):
        err.write(f"warning: {report.line()}\n")
    unresolved = [r for r in reports if not r.resolved]
    if unresolved and not allow_unresolved:
        raise CliError(
            "watchlist",
            f"{len(unresolved)} term(s) match nothing in the gazetteer or actor table",
            "fix the spelling (`claimwatch watches check FILE`), or pass --allow-unresolved to match them as written",
        )
    return reports


# ---------------------------------------------------------------- commands
def cmd_extract(args) -> int:
    from claimwatch.extract.display import format_claims_text
    from claimwatch.model import Provenance, stable_id
    from claimwatch.pipeline import analyze

    published = _published(args.published, {})  # a usage error before any fetch
    text, meta = read_article(args.source, args.allow_loopback)
    published = published or _published(None, meta)
    prov = Provenance(
        article_id=stable_id(meta.get("url") or text),
        url=meta.get("url"),
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        published=published.isoformat() if published else None,
    )
    claims = analyze(text, published=published, provenance=prov)
    if args.json:
        json.dump([c.to_dict() for c in claims], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_claims_text(claims, text))
    return 0


def cmd_places(args) -> int:
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.pipeline import MAX_ARTICLE_CHARS
    from claimwatch.resolve.display import format_places_text
    from claimwatch.resolve.places import find_places

    text, _ = read_article(args.source, args.allow_loopback)
    if len(text) > MAX_ARTICLE_CHARS:  # one Doc for the whole text: spaCy refuses more (E088)
        raise CliError(
            args.source,
            f"{len(text):,} characters; `places` reads at most {MAX_ARTICLE_CHARS:,}",
            hint="`claimwatch extract` reads longer texts in pieces",
        )
    places = find_places(get_nlp()(text))
    if args.json:
        out = [{**dataclasses.asdict(p), "span": list(p.span) if p.span else None} for p in places]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_places_text(places, text))
    return 0


def cmd_run(args) -> int:
    from claimwatch.local.session import feed_sources, format_failed_feeds, run

    if args.polls < 1:
        raise CliError("--polls", f"must be at least 1, got {args.polls}", code=EXIT_USAGE)
    sources = feed_sources(args.feeds, allow_loopback=args.allow_loopback, warn=sys.stderr)
    watches = load_watchlist_file(args.watchlist)
    check_terms(watches, args.allow_unresolved)
    rep = run(
        sources,
        watches,
        polls=args.polls,
        interval=args.interval,
        as_json=args.json,
        endpoint_url=args.endpoint_url,
        allow_loopback=args.allow_loopback,
        quiet=not args.debug,
    )
    failed = format_failed_feeds(rep.feeds, sources)
    if not args.json:
        print(
            f"\narticles: {rep.articles}  claims: {rep.claims}  alerts: {sum(len(a) for a in rep.alerts)}  "
            f"feeds: {len(rep.feeds)} ({len(failed)} failed)  dead letters: {rep.dead_letters}"
        )
    if failed:
        print(f"failed feeds ({len(failed)}):", file=sys.stderr if args.json else sys.stdout)
        for line in failed:
            print(f"  {line}", file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_demo(args) -> int:
    from claimwatch.local.session import demo

    rep = demo(as_json=args.json)
    return 0 if sum(len(a) for a in rep.alerts) else 1


def cmd_serve(args) -> int:
    from claimwatch.local.api_server import serve_demo, serve_endpoint

    if not 0 <= args.port <= 65535:
        raise CliError("--port", f"must be a port number from 0 to 65535, got {args.port}", code=EXIT_USAGE)
    if args.demo == bool(args.endpoint_url):
        raise CliError("serve", "give either --demo or --endpoint-url", code=EXIT_USAGE)
    if args.demo:
        serve_demo(args.port)
    else:
        serve_endpoint(args.endpoint_url, args.port)
    return 0


def _deployed_tables(args) -> dict:
    """Table names from --stack-name outputs or the environment (FEEDS_TABLE, WATCHES_TABLE ...)."""
    settings = CliSettings.from_env()
    names = {
        "FEEDS_TABLE": settings.feeds_table,
        "ARTICLES_TABLE": settings.articles_table,
        "WATCHES_TABLE": settings.watches_table,
    }
    if args.stack_name:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack_name)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        names["FEEDS_TABLE"] = outputs.get("FeedsTableName", names["FEEDS_TABLE"])
        names["ARTICLES_TABLE"] = outputs.get("ArticlesTableName", names["ARTICLES_TABLE"])
        names["WATCHES_TABLE"] = outputs.get("WatchesTableName", names["WATCHES_TABLE"])
    return names


@contextmanager
def deployment_endpoint(url: str | None):
    """`--endpoint-url` for the duration of one command: the environment and the cached clients
    are given back afterwards (tests and scripts call `main` many times in one process)."""
    if not url:
        yield
        return
    from claimwatch.store import aws

    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = url
    aws.reset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        aws.reset()


def _need(names: dict, key: str) -> str:
    if not names.get(key):
        raise CliError(
            key, "not set", "pass --stack-name (the deployed stack) or set the table name in the environment"
        )
    return names[key]


def cmd_feeds(args) -> int:
    from claimwatch.feeds import cli as feeds_cli
    from claimwatch.feeds.http import validate_feed_url
    from claimwatch.feeds.identity import feed_id_for

    allow_loopback = getattr(args, "allow_loopback", False)
    specs = None
    if args.feeds_command == "add":  # check the input before touching the deployment
        url = validate_feed_url(args.url, allow_loopback=allow_loopback)
    elif args.feeds_command == "import":
        from claimwatch.feeds.opml import OpmlError, parse_opml

        try:
            specs = parse_opml(readable_file(args.file, "OPML file").read_bytes())
        except OpmlError as exc:
            raise CliError(args.file, str(exc)) from exc
    names = _deployed_tables(args)
    from claimwatch.store.feeds import FeedStore

    store = FeedStore(_need(names, "FEEDS_TABLE"), _need(names, "ARTICLES_TABLE"))
    if args.feeds_command == "list":
        states = store.list_feeds()
        if args.json:
            print(json.dumps([s.to_dict() for s in states], indent=2, default=str))
        else:
            print(feeds_cli.format_feed_health(states))
    elif args.feeds_command == "add":
        existed = store.get(feed_id_for(url)) is not None
        state = store.add_feed(url, args.title)
        print(feeds_cli.format_feed_added(state, created=not existed))
    elif args.feeds_command == "import":
        print(feeds_cli.import_feeds(store, specs or [], allow_loopback=allow_loopback).format())
    elif args.feeds_command == "remove":
        feed_id = feed_id_for(args.feed) if "://" in args.feed else args.feed
        if store.get(feed_id) is None:
            raise CliError(
                args.feed, "no such feed in the registry", "`claimwatch feeds list` shows the registered feeds"
            )
        store.remove_feed(feed_id)
        print(f"removed {feed_id}")
    elif args.feeds_command == "export":
        sys.stdout.buffer.write(feeds_cli.export_feeds(store))
    return 0


def cmd_watches(args) -> int:
    if args.watches_command == "check":
        from claimwatch.watch.check import check_watches, format_check

        reports = check_watches(load_watchlist_file(args.file))
        if args.json:
            print(
                json.dumps(
                    [{**dataclasses.asdict(r), "status": r.status} for r in reports], ensure_ascii=False, indent=2
                )
            )
        else:
            print(format_check(reports))
        return 1 if any(not r.resolved for r in reports) else 0
    watches = None
    if args.watches_command == "push":  # check the file before touching the deployment
        watches = load_watchlist_file(args.file)
        if not watches:
            raise CliError(
                args.file,
                "has no watches; pushing it would remove every deployed watch",
                "remove watches with `claimwatch watches remove ID...`",
            )
        check_terms(watches, args.allow_unresolved)
    from claimwatch.store.watches import WatchStore
    from claimwatch.watch.watchlist import diff_watches

    store = WatchStore(_need(_deployed_tables(args), "WATCHES_TABLE"))
    if args.watches_command == "push":
        diff = diff_watches(store.all(), watches or [], keep_others=args.keep_others)
        if diff.removes_most and not args.prune:
            raise CliError(
                args.file,
                f"would remove {len(diff.removed)} of the {diff.deployed} deployed watches ({', '.join(diff.removed)})",
                "pass --prune to remove them, or --keep-others to only add and update",
            )
        store.apply(diff, watches or [])
        print(diff.format())
    elif args.watches_command == "remove":
        known = {w.id for w in store.all()}
        unknown = [w for w in args.watch_ids if w not in known]
        if unknown:
            raise CliError(", ".join(unknown), "no such watch", "`claimwatch watches list` shows the deployed watches")
        for watch_id in args.watch_ids:
            store.remove(watch_id)
            print(f"removed {watch_id}")
    else:
        for w in store.all():
            print(json.dumps(w.to_dict(), ensure_ascii=False))
    return 0


# ---------------------------------------------------------------- arguments
WATCHLIST_FORMAT = """\
Watchlist format (YAML):

  watches:
    - id: pokrovsk-front                  # letters, digits, - _ . : (unique)
      places: [Pokrovsk, Myrnohrad]       # any spelling or renaming, or a GeoNames id ("geo:704422")
    - id: dpr-officials
      actors: [DPR, Kimakovsky]           # any alias; also fires when the actor is the speaker
      sources: [Igor Volkhov]             # speakers only
    - id: bakhmut-radius
      near: {place: Bakhmut, km: 25}      # any place within the radius (km in (0, 2000])
    - id: afu
      actors: [Armed Forces of Ukraine]
      delivery: digest                    # instant (default) or digest (one message per period)
    - id: corroborated-only
      places: [Kostiantynivka]
      corroborated: 2                     # alert once two outlets carry the claim

A watch needs an id and at least one of places, actors, sources, near. "Donetsk, Russia" or
"Donetsk (Russia)" picks one of several places of that name. `claimwatch watches check FILE`
shows what every term resolves to; push and run refuse terms that match nothing (misspellings
never fire) unless --allow-unresolved, and warn about approximate matches ("Bakhmutt").
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: the same one-line form, exit 2
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("claimwatch").strip()
        raise CliError(command or "usage", message, f"`{self.prog} --help` lists the options", code=EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    allow_loopback = CliSettings.from_env().allow_loopback  # the --allow-loopback default
    p = _Parser(
        prog="claimwatch",
        description="Claim-level news monitoring: who claims what, about which places and actors, from RSS/Atom feeds.",
    )
    p.add_argument("--version", action="version", version=f"claimwatch {__version__}")
    p.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    common = _Parser(add_help=False)  # a parent parser: its options, in every subcommand
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the full traceback of an error"
    )

    def aws_opts(sp, what):
        sp.add_argument("--endpoint-url", metavar="URL", help=what)

    loopback_help = (
        "allow http://127.0.0.1 / [::1] URLs (default: off unless CLAIMWATCH_ALLOW_LOOPBACK=1); "
        "only for servers you trust"
    )

    e = sub.add_parser(
        "extract",
        parents=[common],
        help="print the claims of one article (plain text or HTML)",
        description="Extract the attributed claims of one article: a text or HTML file, or an "
        "http(s) URL fetched through the SSRF-safe client.",
    )
    e.add_argument("source", metavar="FILE_OR_URL", help="a .txt/.html file, or an http(s) URL")
    e.add_argument("--published", metavar="YYYY-MM-DD", help='publication date, for relative dates ("on Friday")')
    e.add_argument("--json", action="store_true", help="print the claim objects as JSON (the README's shape)")
    e.add_argument("--allow-loopback", action="store_true", default=allow_loopback, help=loopback_help)
    e.set_defaults(func=cmd_extract)

    pl = sub.add_parser(
        "places",
        parents=[common],
        help="list every place mention in a text with its resolution",
        description="Find every place mention in an article and resolve it to GeoNames.",
    )
    pl.add_argument("source", metavar="FILE_OR_URL", help="a .txt/.html file, or an http(s) URL")
    pl.add_argument("--json", action="store_true", help="print the mentions as JSON (span, GeoNames id, country)")
    pl.add_argument("--allow-loopback", action="store_true", default=allow_loopback, help=loopback_help)
    pl.set_defaults(func=cmd_places)

    r = sub.add_parser(
        "run",
        parents=[common],
        help="run the pipeline locally on any feeds and print alerts",
        description="The deployed pipeline run locally: the template's tables, queues and topic "
        "are created on moto in-process (or at --endpoint-url), the feeds are polled "
        "--polls times and every alert the topic would deliver is printed.",
    )
    r.add_argument(
        "--feeds",
        nargs="+",
        required=True,
        metavar="FEED",
        help="feed URLs, OPML files, RSS/Atom files or directories of them (local files are read "
        "from disk by the same parser, no network)",
    )
    r.add_argument("--watchlist", required=True, metavar="FILE", help="a watchlist YAML file (see `watches --help`)")
    r.add_argument("--polls", type=int, default=1, metavar="N", help="how many times to poll the feeds (default 1)")
    r.add_argument("--interval", type=float, default=0.0, metavar="S", help="seconds between polls (default 0)")
    r.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    r.add_argument(
        "--allow-loopback",
        action="store_true",
        default=allow_loopback,
        help=loopback_help + "; applies to feed URLs and to the links inside the feeds",
    )
    r.add_argument(
        "--allow-unresolved",
        action="store_true",
        help="run even if watch terms match nothing (they then match the name as written)",
    )
    aws_opts(r, "create the resources at this endpoint (a moto server, LocalStack) instead of moto in-process")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser(
        "demo",
        parents=[common],
        help="the fictional demo feeds, served on loopback, through the whole pipeline (what `make demo` runs)",
        description="Serve the fictional demo feeds on loopback, poll them twice through the whole "
        "pipeline on moto in-process and print every alert.",
    )
    d.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    d.set_defaults(func=cmd_demo)

    sv = sub.add_parser(
        "serve",
        parents=[common],
        help="the claims API and its map and timeline page on 127.0.0.1",
        description="Serve the claims API and its page (what the deployed ApiFunction answers) on "
        "127.0.0.1 until interrupted: the demo's data, or a local stack's tables.",
    )
    sv.add_argument(
        "--demo", action="store_true", help="run the demo pipeline on moto in-process first, then serve its tables"
    )
    sv.add_argument("--port", type=int, default=8080, metavar="N", help="the port to listen on (default 8080; 0: any)")
    aws_opts(
        sv,
        "serve the tables of the stack at this endpoint (a moto server, LocalStack; the one stack "
        "`run --endpoint-url` created, or the tables named by CLAIMS_TABLE, MENTIONS_TABLE, …)",
    )
    sv.set_defaults(func=cmd_serve)

    # The deployment's tables: options of every feeds/watches command, wherever they are written.
    deployed = _Parser(add_help=False, parents=[common])
    deployed.add_argument(
        "--stack-name",
        metavar="NAME",
        help="read the table names from this CloudFormation stack's outputs "
        "(else FEEDS_TABLE, ARTICLES_TABLE, WATCHES_TABLE)",
    )
    aws_opts(deployed, "the AWS endpoint to use (a moto server, LocalStack); default: AWS, from the environment")

    f = sub.add_parser(
        "feeds",
        parents=[common],
        help="the deployed feed registry (list, add, remove, import, export)",
        description="Manage the feeds a deployment polls.",
    )
    fsub = f.add_subparsers(dest="feeds_command", required=True, metavar="SUBCOMMAND", parser_class=_Parser)
    fl = fsub.add_parser(
        "list",
        parents=[deployed],
        help="the registered feeds with their health",
        description="Every registered feed, worst health first, with the last error.",
    )
    fl.add_argument("--json", action="store_true", help="print the feed states as JSON")
    fa = fsub.add_parser(
        "add",
        parents=[deployed],
        help="register a feed URL (checked: http/https, ports 80/443, no private or metadata address)",
        description="Register one feed. The URL is checked as the fetcher would check it.",
    )
    fa.add_argument("url", metavar="URL", help="the feed's http(s) URL")
    fa.add_argument("--title", help="a display name (default: none until the feed is fetched)")
    fa.add_argument("--allow-loopback", action="store_true", default=allow_loopback, help=loopback_help)
    fi = fsub.add_parser(
        "import",
        parents=[deployed],
        help="register every feed of an OPML file (Feedly, Inoreader exports)",
        description="Register every feed of an OPML file; URLs the fetcher would refuse are listed as rejected.",
    )
    fi.add_argument("file", metavar="FILE.opml", help="the OPML file")
    fi.add_argument("--allow-loopback", action="store_true", default=allow_loopback, help=loopback_help)
    fsub.add_parser(
        "export",
        parents=[deployed],
        help="print the registry as OPML",
        description="Print every registered feed as OPML 2.0.",
    )
    fr = fsub.add_parser(
        "remove",
        parents=[deployed],
        help="stop polling a feed",
        description="Remove one feed from the registry (its articles and claims stay).",
    )
    fr.add_argument("feed", metavar="FEED_ID_OR_URL", help="the feed's id (see `feeds list --json`) or its URL")
    f.set_defaults(func=cmd_feeds)

    with_format: dict[str, Any] = {"epilog": WATCHLIST_FORMAT, "formatter_class": argparse.RawDescriptionHelpFormatter}
    watchlist_file = _Parser(add_help=False)
    watchlist_file.add_argument("file", metavar="FILE", help="a watchlist YAML file")
    w = sub.add_parser(
        "watches",
        parents=[common],
        help="check a watchlist; the deployed watches (push, list, remove)",
        description="Check a watchlist file and manage the watches a deployment alerts on.",
        **with_format,
    )
    wsub = w.add_subparsers(dest="watches_command", required=True, metavar="SUBCOMMAND", parser_class=_Parser)
    wc = wsub.add_parser(
        "check",
        parents=[common, watchlist_file],
        help="what every term of a watchlist resolves to",
        description="For every term: the place (GeoNames id, name, country, which name matched) "
        'or actor it resolves to, or "no match; did you mean …". Exit status 1 when '
        "a term matches nothing.",
        **with_format,
    )
    wc.add_argument("--json", action="store_true", help="print the term reports as JSON")
    wp = wsub.add_parser(
        "push",
        parents=[deployed, watchlist_file],
        help="make the deployed watches those of a watchlist file; prints what changed",
        description="Make the deployed watches exactly the file's: add new ids, update changed "
        "ones, remove the others. Refuses an empty file, terms that match nothing, "
        "and removing more than half of the deployed watches unless told to.",
        **with_format,
    )
    wp.add_argument("--keep-others", action="store_true", help="add and update only; remove nothing")
    wp.add_argument(
        "--prune",
        "--yes",
        dest="prune",
        action="store_true",
        help="remove the deployed watches the file lacks even when that is more than half of them",
    )
    wp.add_argument(
        "--allow-unresolved",
        action="store_true",
        help="push even if terms match nothing (they then match the name as written)",
    )
    wr = wsub.add_parser(
        "remove", parents=[deployed], help="remove deployed watches by id", description="Remove deployed watches by id."
    )
    wr.add_argument("watch_ids", nargs="+", metavar="ID", help="a watch id (see `watches list`)")
    wsub.add_parser(
        "list",
        parents=[deployed],
        help="print the deployed watches, one JSON object per line",
        description="Print the deployed watches, one JSON object per line.",
    )
    w.set_defaults(func=cmd_watches)

    from claimwatch import replay_cli

    replay_cli.add_parser(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        debug = getattr(args, "debug", False) or debug
        # `run` passes its endpoint to the pipeline it creates; feeds/watches work on a deployment.
        endpoint = getattr(args, "endpoint_url", None) if args.command in ("feeds", "watches", "replay") else None
        with deployment_endpoint(endpoint):
            return args.func(args)
    except KeyboardInterrupt:
        print("claimwatch: interrupted", file=sys.stderr)
        return 130
    except SystemExit:  # --help, --version
        raise
    except Exception as exc:  # noqa: BLE001 - the one place errors become messages
        if debug:
            traceback.print_exc()
        error = describe_error(exc)
        print(f"claimwatch: {_one_line(error.what)}: {_one_line(error.why)}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)
        return error.code


if __name__ == "__main__":
    sys.exit(main())
