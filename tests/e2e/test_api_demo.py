"""The issue's acceptance check on the demo's own data: `GET /claims?place=Pokrovsk` lists the
claims written about Pokrovsk under any of its names (Krasnoarmeyskoye included)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from claimwatch.local.api_server import http_api_event
from claimwatch.local.session import demo

pytestmark = pytest.mark.slow


def test_claims_about_pokrovsk_on_the_demo_data_include_its_former_name():
    answers = {}

    def ask(session) -> None:
        for place in ("Pokrovsk", "Krasnoarmeysk"):
            event = http_api_event("GET", f"/claims?place={place}&limit=100", {}, "127.0.0.1")
            answers[place] = session.pipe.invoke("ApiFunction", event)
        event = http_api_event("GET", "/claims?place=Pokrovsk&format=geojson", {}, "127.0.0.1")
        answers["geojson"] = session.pipe.invoke("ApiFunction", event)

    demo(out=io.StringIO(), before_close=ask)
    body = json.loads(answers["Pokrovsk"]["body"])
    assert answers["Pokrovsk"]["statusCode"] == 200
    written = {p["text"] for c in body["claims"] for p in c["places"] if p["place_id"] == "geo:704422"}
    assert {"Pokrovsk", "Krasnoarmeyskoye"} <= written
    published = [c["published"] for c in body["claims"]]
    assert published == sorted(published, reverse=True)
    assert json.loads(answers["Krasnoarmeysk"]["body"])["claims"] == body["claims"]
    geo = json.loads(answers["geojson"]["body"])
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert {f["properties"]["claim_id"] for f in geo["features"]} <= {c["id"] for c in body["claims"]}


@pytest.fixture
def moto_endpoint():
    """A moto server on loopback, standing for LocalStack or any endpoint a local stack lives on."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_serve_endpoint_url_serves_the_local_stack_there(moto_endpoint):
    from claimwatch.local.runner import LocalPipeline
    from claimwatch.local.session import DEMO_WATCHLIST
    from claimwatch.store.watches import WatchStore
    from claimwatch.watch.watchlist import load_watchlist

    stack = LocalPipeline(endpoint_url=moto_endpoint)  # what `run --endpoint-url` leaves there
    try:
        WatchStore(stack.env["WATCHES_TABLE"]).put_watches(load_watchlist(DEMO_WATCHLIST))
    finally:
        stack.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TABLE")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimwatch.cli", "serve", "--endpoint-url", moto_endpoint, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert "claimwatch API and page on" in line, line + proc.stdout.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/watches", timeout=30) as resp:
            watches = json.loads(resp.read())["watches"]
        assert "pokrovsk-front" in {w["id"] for w in watches}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_needs_demo_or_an_endpoint(capsys):
    from claimwatch.cli import main

    assert main(["serve"]) == 2
    assert "give either --demo or --endpoint-url" in capsys.readouterr().err
    assert main(["serve", "--demo", "--port", "70000"]) == 2
