"""Every mistake a new user can make ends in one line `claimwatch: <what>: <why>` (plus a hint),
exit status 2 for usage and 1 for the rest, and never a traceback (issue #17).

Nothing here leaves loopback: blocked URLs are refused before any connection, the unresolvable
host goes to a resolver stub, and the "unreachable endpoint" is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket

import pytest

from claimwatch.cli import main
from claimwatch.feeds import http as feeds_http
from claimwatch.feeds.errors import FetchError
from claimwatch.local.session import DEMO_WATCHLIST


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """A resolver that knows no name and a connector that refuses anything but loopback."""
    asked = []

    def resolver(host, port):
        asked.append(host)
        raise FetchError("dns", f"cannot resolve {host}: stub resolver knows no names")

    def connector(ip, port, timeout):
        assert ip in ("127.0.0.1", "::1"), f"a test tried to connect to {ip}"
        return socket.create_connection((ip, port), timeout=timeout)

    monkeypatch.setattr(feeds_http, "default_resolver", resolver)
    monkeypatch.setattr(feeds_http, "default_connector", connector)
    monkeypatch.delenv("CLAIMWATCH_ALLOW_LOOPBACK", raising=False)
    return asked


@pytest.fixture
def files(tmp_path):
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("watches:\n  - id: a\n    places: [Pokrovsk\n")
    wrong_shape = tmp_path / "shape.yaml"
    wrong_shape.write_text("watches:\n  - id: a\n    place: Pokrovsk\n")
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text("watches:\n  - id: a\n    places: [Pokrovks]\n")
    bad_opml = tmp_path / "bad.opml"
    bad_opml.write_text("<opml><body><outline xmlUrl='https://a.example/rss'></body>")
    not_a_feed = tmp_path / "page.xml"
    not_a_feed.write_text("<html><body>hello</body></html>")
    return {
        "dir": str(tmp_path),
        "missing": str(tmp_path / "missing.yaml"),
        "broken": str(broken_yaml),
        "shape": str(wrong_shape),
        "misspelt": str(misspelt),
        "bad_opml": str(bad_opml),
        "not_a_feed": str(not_a_feed),
    }


def run_cli(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# (arguments, expected exit status, words the message must contain)
CASES = [
    (["extract", "http://127.0.0.1:9/article"], 1, ["loopback address", "--allow-loopback"]),
    (["extract", "http://no-such-host.invalid/article"], 1, ["cannot resolve no-such-host.invalid"]),
    (["extract", "htp://news.example/article"], 1, ["scheme 'htp' is not http or https"]),
    (["extract", "http://169.254.169.254/latest/meta-data/"], 1, ["link-local"]),
    (["extract", "{dir}"], 1, ["is a directory"]),
    (["extract", "{missing}"], 1, ["no such file"]),
    (["extract", "x.txt", "--published", "yesterday"], 2, ["--published", "YYYY-MM-DD"]),
    (["places", "ftp://news.example/a"], 1, ["scheme 'ftp'"]),
    (["watches", "check", "{dir}"], 1, ["is a directory"]),
    (["watches", "check", "{missing}"], 1, ["no such file"]),
    (["watches", "check", "{broken}"], 1, ["not valid YAML", "watches --help"]),
    (["watches", "check", "{shape}"], 1, ["unknown field(s) 'place'"]),
    (["run", "--feeds", "htp://news.example/rss", "--watchlist", str(DEMO_WATCHLIST)], 1, ["scheme 'htp'"]),
    (["run", "--feeds", "http://127.0.0.1:8000/rss", "--watchlist", str(DEMO_WATCHLIST)], 1, ["--allow-loopback"]),
    (["run", "--feeds", "http://10.0.0.5/rss", "--watchlist", str(DEMO_WATCHLIST)], 1, ["private address"]),
    (["run", "--feeds", "{bad_opml}", "--watchlist", str(DEMO_WATCHLIST)], 1, ["not well-formed OPML"]),
    (["run", "--feeds", "{not_a_feed}", "--watchlist", str(DEMO_WATCHLIST)], 1, ["neither OPML nor"]),
    (["run", "--feeds", "{missing}", "--watchlist", str(DEMO_WATCHLIST)], 1, ["no such file, and not"]),
    (["run", "--feeds", "https://news.example/rss", "--watchlist", "{dir}"], 1, ["is a directory"]),
    (["run", "--feeds", "https://news.example/rss", "--watchlist", "{missing}"], 1, ["no such file"]),
    (
        ["run", "--feeds", "https://news.example/rss", "--watchlist", "{misspelt}"],
        1,
        ["match nothing", "--allow-unresolved"],
    ),
    (
        ["run", "--feeds", "https://news.example/rss", "--watchlist", str(DEMO_WATCHLIST), "--polls", "0"],
        2,
        ["--polls"],
    ),
    (["run", "--watchlist", str(DEMO_WATCHLIST)], 2, ["--feeds"]),
    (["feeds", "import", "{dir}"], 1, ["is a directory"]),
    (["feeds", "import", "{bad_opml}"], 1, ["not well-formed OPML"]),
    (["feeds", "add", "http://192.168.1.1/rss"], 1, ["private address"]),
    (["watches", "push", "{broken}"], 1, ["not valid YAML"]),
    (["nonsense"], 2, ["invalid choice"]),
    (["watches"], 2, ["required"]),
]


@pytest.mark.parametrize("argv,code,words", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_a_bad_input_is_one_line_and_an_exit_status_never_a_traceback(capsys, files, argv, code, words):
    argv = [a.format(**files) for a in argv]
    got, out, err = run_cli(capsys, argv)
    assert got == code, err
    assert "Traceback" not in err and "Traceback" not in out
    message = [line for line in err.splitlines() if line.startswith("claimwatch: ")]
    assert len(message) == 1, err
    for word in words:
        assert word in err, (word, err)


def test_unresolvable_host_went_to_the_resolver_stub(capsys, no_network):
    run_cli(capsys, ["extract", "http://no-such-host.invalid/article"])
    assert no_network == ["no-such-host.invalid"]


def test_a_too_large_page_is_a_message(capsys, monkeypatch, loopback_page):
    page = loopback_page(b"<html><body>" + b"x" * 50_000 + b"</body></html>")
    monkeypatch.setenv("CLAIMWATCH_FETCH_MAX_BODY", "10000")
    code, _, err = run_cli(capsys, ["extract", page.url(), "--allow-loopback"])
    assert code == 1 and "Traceback" not in err
    assert "over the 10000-byte cap" in err and "save the document" in err


def test_an_unreachable_endpoint_is_a_message(capsys, monkeypatch):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
        "WATCHES_TABLE": "w",
        "FEEDS_TABLE": "f",
        "ARTICLES_TABLE": "a",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for argv in (["watches", "list", "--endpoint-url", endpoint], ["feeds", "list", "--endpoint-url", endpoint]):
        code, _, err = run_cli(capsys, argv)
        assert code == 1 and "Traceback" not in err
        assert err.startswith("claimwatch: AWS: Could not connect") and "--endpoint-url" in err
    assert "AWS_ENDPOINT_URL" not in os.environ, "--endpoint-url lasts one command"
    code, _, err = run_cli(
        capsys,
        ["run", "--feeds", "https://news.example/rss", "--watchlist", str(DEMO_WATCHLIST), "--endpoint-url", endpoint],
    )
    assert code == 1 and "Traceback" not in err and "Could not connect" in err
    assert os.environ.get("AWS_ENDPOINT_URL") is None, "a failed run gives the environment back"


def test_debug_shows_the_traceback(capsys, files):
    code, _, err = run_cli(capsys, ["watches", "check", files["broken"], "--debug"])
    assert code == 1 and "Traceback" in err and "claimwatch: watchlist:" in err


def test_version_and_help(capsys):
    from claimwatch import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"claimwatch {__version__}"
    with pytest.raises(SystemExit):
        main(["watches", "--help"])
    out = capsys.readouterr().out
    assert "Watchlist format" in out and "near: {place: Bakhmut, km: 25}" in out
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "moto in-process" in out and "(default: AWS" not in out


def test_places_refuses_a_text_longer_than_one_document(tmp_path, capsys):
    """`places` parses one Doc; over spaCy's limit it says so instead of raising E088."""
    article = tmp_path / "huge.txt"
    article.write_text("Fighting continued near Pokrovsk. " * 30_000, encoding="utf-8")
    assert main(["places", str(article)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "reads at most 1,000,000" in err and "claimwatch extract" in err
