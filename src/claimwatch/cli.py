"""`claimwatch extract | places | run | demo | feeds | watches | replay`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from datetime import date
from pathlib import Path


# ---------------------------------------------------------------- reading an article
def read_article(path_or_url: str, allow_loopback: bool = False) -> tuple[str, dict]:
    """Plain text or HTML, from a file or through the SSRF-safe client: (text, metadata)."""
    from claimwatch.feeds.content import html_to_article_text

    if path_or_url.startswith(("http://", "https://")):
        from claimwatch.feeds.http import SafeHttpClient, page_content_type_ok

        client = SafeHttpClient.from_env(allow_loopback=allow_loopback or None)
        res = client.get(path_or_url, content_type_ok=page_content_type_ok)
        raw, url = res.body.decode(res.charset or "utf-8", errors="replace"), res.url
        is_html = "html" in res.content_type
    else:
        p = Path(path_or_url)
        if not p.exists():
            raise SystemExit(f"claimwatch: no such file: {path_or_url}")
        raw, url = p.read_text(encoding="utf-8", errors="replace"), None
        is_html = p.suffix.lower() in (".html", ".htm") or raw.lstrip()[:1] == "<"
    if is_html:
        art = html_to_article_text(raw, url=url)
        return art.text, {"url": art.canonical_url or url, "title": art.title, "published": art.published,
                          "outlet": art.outlet}
    return raw, {"url": url}


def _published(value: str | None, meta: dict) -> date | None:
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise SystemExit(f"claimwatch: --published wants YYYY-MM-DD, got {value!r}")
    if meta.get("published"):
        try:
            return date.fromisoformat(meta["published"][:10])
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------- commands
def cmd_extract(args) -> int:
    from claimwatch.extract.display import format_claims_text
    from claimwatch.model import Provenance, stable_id
    from claimwatch.pipeline import analyze

    text, meta = read_article(args.source, args.allow_loopback)
    published = _published(args.published, meta)
    prov = Provenance(article_id=stable_id(meta.get("url") or text), url=meta.get("url"), title=meta.get("title"),
                      outlet=meta.get("outlet"), published=published.isoformat() if published else None)
    claims = analyze(text, published=published, provenance=prov)
    if args.json:
        json.dump([c.to_dict() for c in claims], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_claims_text(claims, text))
    return 0


def cmd_places(args) -> int:
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.resolve.display import format_places_text
    from claimwatch.resolve.places import find_places

    text, _ = read_article(args.source, args.allow_loopback)
    places = find_places(get_nlp()(text))
    if args.json:
        out = [{**dataclasses.asdict(p), "span": list(p.span) if p.span else None} for p in places]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_places_text(places, text))
    return 0


def cmd_run(args) -> int:
    from claimwatch.local.session import run

    rep = run(args.feeds, args.watchlist, polls=args.polls, interval=args.interval, as_json=args.json,
              endpoint_url=args.endpoint_url)
    if not args.json:
        print(f"\narticles: {rep.articles}  claims: {rep.claims}  "
              f"alerts: {sum(len(a) for a in rep.alerts)}  dead letters: {rep.dead_letters}")
    return 0


def cmd_demo(args) -> int:
    from claimwatch.local.session import demo

    rep = demo(as_json=args.json)
    return 0 if sum(len(a) for a in rep.alerts) else 1


def _deployed_tables(args) -> dict:
    """Table names from --stack-name outputs or the environment (FEEDS_TABLE, WATCHES_TABLE ...)."""
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    names = {k: os.environ.get(k) for k in ("FEEDS_TABLE", "ARTICLES_TABLE", "WATCHES_TABLE")}
    if args.stack_name:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack_name)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        names["FEEDS_TABLE"] = outputs.get("FeedsTableName", names["FEEDS_TABLE"])
        names["ARTICLES_TABLE"] = outputs.get("ArticlesTableName", names["ARTICLES_TABLE"])
        names["WATCHES_TABLE"] = outputs.get("WatchesTableName", names["WATCHES_TABLE"])
    return names


def _need(names: dict, key: str) -> str:
    if not names.get(key):
        raise SystemExit(f"claimwatch: set {key} or pass --stack-name (the deployed stack) to find the table")
    return names[key]


def cmd_feeds(args) -> int:
    from claimwatch.feeds import cli as feeds_cli
    from claimwatch.feeds.identity import feed_id_for

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
        existed = store.get(feed_id_for(args.url)) is not None
        try:
            state = store.add_feed(args.url, args.title)
        except ValueError as err:
            raise SystemExit(f"claimwatch: {err}")
        print(feeds_cli.format_feed_added(state, created=not existed))
    elif args.feeds_command == "import":
        print(feeds_cli.import_opml(store, Path(args.file).read_bytes()).format())
    elif args.feeds_command == "remove":
        feed_id = feed_id_for(args.feed) if "://" in args.feed else args.feed
        store.remove_feed(feed_id)
        print(f"removed {feed_id}")
    elif args.feeds_command == "export":
        sys.stdout.buffer.write(feeds_cli.export_feeds(store))
    return 0


def cmd_watches(args) -> int:
    from claimwatch.store.watches import WatchStore
    from claimwatch.watch.watchlist import load_watchlist

    names = _deployed_tables(args)
    store = WatchStore(_need(names, "WATCHES_TABLE"))
    if args.watches_command == "push":
        watches = load_watchlist(Path(args.file))
        if args.keep_others:
            print(f"stored {store.put_watches(watches)} watches")
        else:
            removed = store.sync(watches)
            print(f"stored {len(watches)} watches" + (f"; removed {', '.join(removed)}" if removed else ""))
    elif args.watches_command == "remove":
        store.remove(args.watch_id)
        print(f"removed {args.watch_id}")
    else:
        for w in store.all():
            print(json.dumps(w.to_dict(), ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claimwatch", description="Claim-level news monitoring.")
    sub = p.add_subparsers(dest="command", required=True)

    def aws_opts(sp):
        sp.add_argument("--endpoint-url", help="a moto server, LocalStack or AWS endpoint (default: AWS from env)")

    e = sub.add_parser("extract", help="print the claims of one article (plain text or HTML)")
    e.add_argument("source", metavar="FILE_OR_URL")
    e.add_argument("--published", metavar="YYYY-MM-DD", help="publication date, for relative dates")
    e.add_argument("--json", action="store_true")
    e.add_argument("--allow-loopback", action="store_true", help="permit a URL on 127.0.0.1/::1")
    e.set_defaults(func=cmd_extract)

    pl = sub.add_parser("places", help="list every place mention in a text with its resolution")
    pl.add_argument("source", metavar="FILE_OR_URL")
    pl.add_argument("--json", action="store_true")
    pl.add_argument("--allow-loopback", action="store_true")
    pl.set_defaults(func=cmd_places)

    r = sub.add_parser("run", help="run the pipeline locally on any feeds and print alerts")
    r.add_argument("--feeds", nargs="+", required=True, metavar="OPML_OR_URL")
    r.add_argument("--watchlist", required=True, metavar="FILE")
    r.add_argument("--polls", type=int, default=1)
    r.add_argument("--interval", type=float, default=0.0, metavar="S", help="seconds between polls")
    r.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    aws_opts(r)
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("demo", help="the fictional demo feeds, served on loopback, through the whole pipeline")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)

    # The deployment's tables: options of every feeds/watches command, wherever they are written.
    deployed = argparse.ArgumentParser(add_help=False)
    deployed.add_argument("--stack-name", help="read table names from this stack's outputs")
    aws_opts(deployed)

    f = sub.add_parser("feeds", help="the deployed feed registry (list, add, import, export)")
    fsub = f.add_subparsers(dest="feeds_command", required=True)
    fl = fsub.add_parser("list", parents=[deployed], help="feeds with their health")
    fl.add_argument("--json", action="store_true")
    fa = fsub.add_parser("add", parents=[deployed])
    fa.add_argument("url")
    fa.add_argument("--title")
    fi = fsub.add_parser("import", parents=[deployed], help="import an OPML file (Feedly, Inoreader exports)")
    fi.add_argument("file")
    fsub.add_parser("export", parents=[deployed], help="print the registry as OPML")
    fr = fsub.add_parser("remove", parents=[deployed], help="stop polling a feed (its id or URL)")
    fr.add_argument("feed", metavar="FEED_ID_OR_URL")
    f.set_defaults(func=cmd_feeds)

    w = sub.add_parser("watches", help="the deployed watches")
    wsub = w.add_subparsers(dest="watches_command", required=True)
    wp = wsub.add_parser("push", parents=[deployed],
                         help="make the deployed watches those of a watchlist YAML file (others are removed)")
    wp.add_argument("file")
    wp.add_argument("--keep-others", action="store_true", help="add and update only; remove nothing")
    wr = wsub.add_parser("remove", parents=[deployed], help="remove one watch")
    wr.add_argument("watch_id")
    wsub.add_parser("list", parents=[deployed])
    w.set_defaults(func=cmd_watches)

    from claimwatch import replay_cli
    replay_cli.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
