"""The CLI as a user runs it: extract, run (in-process moto and a moto server endpoint)."""

from __future__ import annotations

import json
import os
import socket

import pytest

from claimwatch.cli import main
from claimwatch.local.feedserver import FeedDirectory, FeedServer
from claimwatch.local.session import DEMO_FEEDS, DEMO_WATCHLIST

pytestmark = pytest.mark.slow


def test_extract_json_follows_the_output_contract(seed_article_text, tmp_path, capsys):
    article = tmp_path / "seed.txt"
    article.write_text(seed_article_text, encoding="utf-8")
    assert main(["extract", str(article), "--published", "2025-11-22", "--json"]) == 0
    claims = json.loads(capsys.readouterr().out)
    assert len(claims) >= 10
    for c in claims:
        assert {"id", "source", "cue", "content", "places", "actors", "date"} <= set(c)
        start, end = c["cue"]["span"]
        assert seed_article_text[start:end] == c["cue"]["text"], "spans index the text as given"
        start, end = c["content"]["span"]
        # A content interrupted by its cue ("This behavior, he emphasized, has …") is shown with
        # "…" in place of the cue; its span is the envelope of both parts.
        for part in c["content"]["text"].split(" … "):
            assert part in seed_article_text[start:end]
        for p in c["places"]:
            assert {"text", "name", "geonameid", "country", "lat", "lon", "span"} <= set(p)
    pronoun = [c for c in claims if c["source"]["text"] == "He"]
    assert pronoun and all(c["source"]["name"] == "Kimakovsky" for c in pronoun[:3])
    dated = [c for c in claims if c["cue"]["text"] == "confirmed"]
    assert dated and dated[0]["date"] == "2025-11-20", "On November 20th resolves against --published"


def test_extract_text_output_names_source_cue_and_content(seed_article_text, tmp_path, capsys):
    article = tmp_path / "seed.txt"
    article.write_text(seed_article_text, encoding="utf-8")
    assert main(["extract", str(article)]) == 0
    out = capsys.readouterr().out
    assert "Kimakovsky" in out and "noted" in out


def test_run_json_prints_one_alert_object_per_line(capsys):
    directory = FeedDirectory(DEMO_FEEDS)
    with FeedServer(directory) as server:
        assert (
            main(
                [
                    "run",
                    "--feeds",
                    server.url("donbas-wire"),
                    "--watchlist",
                    str(DEMO_WATCHLIST),
                    "--polls",
                    "1",
                    "--json",
                    "--allow-loopback",
                ]
            )
            == 0
        )
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    alerts = [json.loads(line) for line in lines]
    assert alerts and all({"subject", "text", "alert", "attributes"} <= set(a) for a in alerts)
    assert {"pokrovsk-front", "kostiantynivka"} <= {w for a in alerts for w in a["attributes"]["watch_id"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto_server():
    """A moto server on loopback: what `--endpoint-url` points at (LocalStack or AWS alike)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_run_against_a_moto_server_endpoint(capsys, moto_server):
    with FeedServer(FeedDirectory(DEMO_FEEDS)) as feeds:
        assert (
            main(
                [
                    "run",
                    "--feeds",
                    feeds.url("steppe-herald"),
                    "--watchlist",
                    str(DEMO_WATCHLIST),
                    "--endpoint-url",
                    moto_server,
                    "--allow-loopback",
                ]
            )
            == 0
        )
    assert "AWS_ENDPOINT_URL" not in os.environ, "the run restores the environment it changed"
    out = capsys.readouterr().out
    assert "claims:" in out and "dead letters" in out


def test_feeds_and_watches_commands_manage_a_deployment(capsys, moto_server, monkeypatch, tmp_path):
    from claimwatch.local.runner import LocalPipeline
    from claimwatch.local.template import REPO_ROOT

    deployment = LocalPipeline(endpoint_url=moto_server)  # the template's tables on the server
    try:
        for key in ("FEEDS_TABLE", "ARTICLES_TABLE", "WATCHES_TABLE"):
            monkeypatch.setenv(key, deployment.env[key])
        opml = str(REPO_ROOT / "seeds" / "feeds.opml")
        assert main(["feeds", "import", opml, "--endpoint-url", moto_server]) == 0
        assert main(["feeds", "import", opml, "--endpoint-url", moto_server]) == 0  # idempotent
        assert main(["feeds", "add", "file:///etc/passwd", "--endpoint-url", moto_server]) == 1
        assert "scheme 'file' is not http/https" in capsys.readouterr().err
        assert main(["watches", "push", str(DEMO_WATCHLIST), "--endpoint-url", moto_server]) == 0
        capsys.readouterr()
        assert main(["feeds", "list", "--json", "--endpoint-url", moto_server]) == 0
        feeds = json.loads(capsys.readouterr().out)
        assert len(feeds) == 6 and all(f["consecutive_failures"] == 0 for f in feeds)
        assert main(["feeds", "export", "--endpoint-url", moto_server]) == 0
        assert capsys.readouterr().out.count("xmlUrl=") == 6
        assert main(["watches", "list", "--endpoint-url", moto_server]) == 0
        assert "pokrovsk-front" in capsys.readouterr().out
        # Pushing a much smaller file (truncated?) is refused; --prune removes what it lacks.
        smaller = tmp_path / "watchlist.yaml"
        smaller.write_text("watches:\n  - id: pokrovsk-front\n    places: [Pokrovsk]\n")
        assert main(["watches", "push", str(smaller), "--endpoint-url", moto_server]) == 1
        assert "would remove 6 of the 7 deployed watches" in capsys.readouterr().err
        assert main(["watches", "push", str(smaller), "--prune", "--endpoint-url", moto_server]) == 0
        assert "removed: afu, bakhmut-radius" in capsys.readouterr().out
        main(["watches", "list", "--endpoint-url", moto_server])
        assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["pokrovsk-front"]
        feed_url = feeds[0]["url"]
        assert main(["feeds", "remove", feed_url, "--endpoint-url", moto_server]) == 0
        capsys.readouterr()
        main(["feeds", "list", "--json", "--endpoint-url", moto_server])
        assert feed_url not in {f["url"] for f in json.loads(capsys.readouterr().out)}
    finally:
        deployment.close()
