"""HTTPS through the pinned address: SNI and certificate verification use the hostname even
though the socket goes to the checked IP (a loopback TLS server stands in for the public one)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import SafeHttpClient

from .conftest import FAKE_PUBLIC_IP, NORMAL_FEED, FeedServer, LoopbackOnlyConnector, StubResolver


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=feeds.example.com",
            "-addext",
            "subjectAltName=DNS:feeds.example.com",
        ],
        check=True,
        capture_output=True,
    )
    server = FeedServer()
    server.sni_names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server.sni_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, cert
    server.shutdown()
    server.server_close()


def https_client(tls_server):
    server, cert = tls_server
    connector = LoopbackOnlyConnector(routes={(FAKE_PUBLIC_IP, 443): ("127.0.0.1", server.server_address[1])})
    resolver = StubResolver({"feeds.example.com": [FAKE_PUBLIC_IP], "impostor.example": [FAKE_PUBLIC_IP]})
    client = SafeHttpClient(
        resolver=resolver, connector=connector, ssl_context=ssl.create_default_context(cafile=str(cert))
    )
    return client, connector, server


def test_https_uses_the_hostname_for_sni_and_certificate(tls_server):
    client, connector, server = https_client(tls_server)
    result = client.get("https://feeds.example.com/feed.xml")
    assert result.status == 200 and result.body == NORMAL_FEED
    assert connector.calls == [(FAKE_PUBLIC_IP, 443)]
    assert server.sni_names[-1] == "feeds.example.com"


def test_https_certificate_for_another_name_is_refused(tls_server):
    client, connector, _ = https_client(tls_server)
    with pytest.raises(FetchError) as info:
        client.get("https://impostor.example/feed.xml")
    assert info.value.kind == "connect" and "certificate" in info.value.message.lower()
