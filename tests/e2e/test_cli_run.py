"""`claimwatch run`: the loopback rule of the deployed functions (issue #11), local feed files
and directories, and failed feeds in the summary (issue #17). Everything stays on loopback."""

from __future__ import annotations

import shutil

import pytest

from claimwatch.cli import main
from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS, DEMO_WATCHLIST

pytestmark = pytest.mark.slow

PAGE = (
    "<html><body><article><p>Igor Volkhov said that Russian units had entered the northern districts of "
    "Pokrovsk overnight and were advancing towards the railway station.</p></article></body></html>"
)


def summary_only_feed(link: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Untrusted</title><link>https://untrusted.example/</link>
<item><title>Short item</title><link>{link}</link><guid>u-1</guid>
<pubDate>Fri, 20 Nov 2026 07:45:00 +0000</pubDate><description>Fighting near Pokrovsk.</description></item>
</channel></rss>"""


def test_run_does_not_follow_feed_links_to_loopback_unless_allowed(tmp_path, capsys, monkeypatch, loopback_page):
    page = loopback_page(PAGE.encode())  # a local service that a hostile feed links to
    url, hits = page.url("/internal/admin"), page.hits
    monkeypatch.delenv("CLAIMWATCH_ALLOW_LOOPBACK", raising=False)
    feed = tmp_path / "untrusted.xml"
    feed.write_text(summary_only_feed(url))
    assert main(["run", "--feeds", str(feed), "--watchlist", str(DEMO_WATCHLIST)]) == 0
    assert hits == [], "a link inside a feed reached a local port"
    capsys.readouterr()
    # The same run with loopback allowed does fetch it: the test above can fail.
    monkeypatch.setenv("CLAIMWATCH_ALLOW_LOOPBACK", "1")
    assert main(["run", "--feeds", str(feed), "--watchlist", str(DEMO_WATCHLIST)]) == 0
    assert hits == ["/internal/admin"]


def test_run_reads_local_feed_files_and_directories_without_a_server(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CLAIMWATCH_ALLOW_LOOPBACK", raising=False)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for name in ("donbas-wire", "steppe-herald"):
        shutil.copy(DEMO_FEEDS / f"{name}.poll1.xml", feeds / f"{name}.xml")
    single = tmp_path / "kharkiv.xml"
    shutil.copy(DEMO_FEEDS / "kharkiv-evening-post.poll1.xml", single)
    assert main(["run", "--feeds", str(feeds), str(single), "--watchlist", str(DEMO_WATCHLIST), "--polls", "2"]) == 0
    out = capsys.readouterr().out
    assert "### poll 1:" in out and "### poll 2: 0 alert(s)" in out, "an unchanged file is not new the second time"
    assert "pokrovsk-front" in out and "feeds: 3 (0 failed)" in out
    assert "articles: 0" not in out


def test_run_summary_lists_failed_feeds_with_the_reason(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CLAIMWATCH_ALLOW_LOOPBACK", raising=False)
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as server:
        dead = f"{server.base_url}/feeds/no-such-feed.xml"
        assert (
            main(
                [
                    "run",
                    "--feeds",
                    server.url("donbas-wire"),
                    dead,
                    "--watchlist",
                    str(DEMO_WATCHLIST),
                    "--allow-loopback",
                ]
            )
            == 0
        )
    out, err = capsys.readouterr()
    assert "feeds: 2 (1 failed)" in out
    assert f"failed feeds (1):\n  {dead}: http_status: HTTP 404" in out
    assert '{"level"' not in out + err, "no JSON log lines in the CLI output"
