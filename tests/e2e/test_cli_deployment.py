"""`feeds` and `watches` against a deployment (the template's tables on moto in-process): nothing
is lost or registered by mistake (issue #11)."""

from __future__ import annotations

import json

import pytest

from claimwatch.cli import main
from claimwatch.local.runner import LocalPipeline
from claimwatch.local.session import DEMO_WATCHLIST


@pytest.fixture
def deployment(monkeypatch):
    pipe = LocalPipeline()
    try:
        for key in ("FEEDS_TABLE", "ARTICLES_TABLE", "WATCHES_TABLE"):
            monkeypatch.setenv(key, pipe.env[key])
        yield pipe
    finally:
        pipe.close()


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def deployed_watches(capsys) -> list[str]:
    assert main(["watches", "list"]) == 0
    return sorted(json.loads(line)["id"] for line in capsys.readouterr().out.splitlines())


def test_push_refuses_an_empty_file_and_keeps_every_watch(deployment, capsys, tmp_path):
    assert cli(capsys, "watches", "push", str(DEMO_WATCHLIST))[0] == 0
    before = deployed_watches(capsys)
    assert len(before) == 7
    for text in ("", "# nothing yet\n", "watches:\n", "watches: []\n"):
        empty = tmp_path / "empty.yaml"
        empty.write_text(text)
        for extra in ([], ["--prune"]):
            code, _, err = cli(capsys, "watches", "push", str(empty), *extra)
            assert code == 1 and "has no watches" in err
    assert deployed_watches(capsys) == before


def test_push_of_a_truncated_file_is_refused_unless_pruning_and_prints_the_diff(deployment, capsys, tmp_path):
    assert cli(capsys, "watches", "push", str(DEMO_WATCHLIST))[0] == 0
    before = deployed_watches(capsys)
    lines = DEMO_WATCHLIST.read_text().splitlines()
    truncated = tmp_path / "truncated.yaml"
    truncated.write_text(
        "\n".join(lines[: lines.index(next(line for line in lines if "kostiantynivka" in line)) + 2]) + "\n"
    )
    code, _, err = cli(capsys, "watches", "push", str(truncated))
    assert code == 1 and "would remove 5 of the 7 deployed watches" in err and "--prune" in err
    assert deployed_watches(capsys) == before, "a refused push changes nothing"

    edited = tmp_path / "edited.yaml"
    edited.write_text(
        "watches:\n  - id: pokrovsk-front\n    places: [Pokrovsk]\n"
        "  - id: kostiantynivka\n    places: [Kostiantynivka]\n"
        "  - id: kramatorsk\n    places: [Kramatorsk]\n"
    )
    code, out, _ = cli(capsys, "watches", "push", str(edited), "--yes")
    assert code == 0
    assert out.splitlines() == [
        "added: kramatorsk",
        "changed: pokrovsk-front",
        "removed: afu, bakhmut-radius, dpr-officials, kostiantynivka-corroborated, solvex",
        "unchanged: 1",
    ]
    assert deployed_watches(capsys) == ["kostiantynivka", "kramatorsk", "pokrovsk-front"]
    # Removing one of three is not "most": no flag needed.
    two = tmp_path / "two.yaml"
    two.write_text(
        "watches:\n  - id: kostiantynivka\n    places: [Kostiantynivka]\n  - id: kramatorsk\n    places: [Kramatorsk]\n"
    )
    code, out, _ = cli(capsys, "watches", "push", str(two))
    assert code == 0 and "removed: pokrovsk-front" in out and "unchanged: 2" in out


def test_push_refuses_unresolved_terms_unless_allowed(deployment, capsys, tmp_path):
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text("watches:\n  - id: a\n    places: [Pokrovks, Bakhmutt]\n    actors: [Wagnr Group]\n")
    code, _, err = cli(capsys, "watches", "push", str(misspelt))
    assert code == 1 and "2 term(s) match nothing" in err
    assert "warning: a places 'Pokrovks': no match (not in the gazetteer); did you mean Pokrovsk" in err
    assert "warning: a actors 'Wagnr Group': no match" in err and "did you mean Wagner Group?" in err
    assert "warning: a places 'Bakhmutt': approximate match: Bakhmut" in err
    assert deployed_watches(capsys) == []
    code, out, err = cli(capsys, "watches", "push", str(misspelt), "--allow-unresolved")
    assert code == 0 and "added: a" in out and "warning:" in err
    assert deployed_watches(capsys) == ["a"]


def test_remove_of_an_unknown_watch_or_feed_says_so(deployment, capsys):
    assert cli(capsys, "watches", "push", str(DEMO_WATCHLIST))[0] == 0
    code, _, err = cli(capsys, "watches", "remove", "no-such-watch")
    assert code == 1 and "no-such-watch: no such watch" in err
    assert len(deployed_watches(capsys)) == 7
    code, _, err = cli(capsys, "feeds", "remove", "https://never.example/rss")
    assert code == 1 and "no such feed" in err and "removed" not in err
    assert cli(capsys, "feeds", "add", "https://news.example/rss")[0] == 0
    code, out, _ = cli(capsys, "feeds", "remove", "https://news.example/rss")
    assert code == 0 and out.startswith("removed ")


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://10.1.2.3/rss", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address (incl. cloud metadata)"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://2130706433/rss", "loopback address"),
        ("http://news.example:0/rss", "port 0"),
        ("http://news.example:8443/rss", "port 8443 is not allowed"),
    ],
)
def test_feeds_add_refuses_what_the_fetcher_would_refuse_and_stores_nothing(deployment, capsys, url, reason):
    code, _, err = cli(capsys, "feeds", "add", url)
    assert code == 1 and reason in err
    assert main(["feeds", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_feeds_import_rejects_private_literals(deployment, capsys, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline xmlUrl="https://news.example/rss"/>'
        '<outline xmlUrl="http://169.254.169.254/latest/"/></body></opml>'
    )
    code, out, _ = cli(capsys, "feeds", "import", str(opml))
    assert code == 0 and "imported 1 new feeds" in out and "rejected http://169.254.169.254/latest/" in out
