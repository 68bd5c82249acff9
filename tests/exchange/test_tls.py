"""Mutual TLS pinned to the agreement's keys, over a real uvicorn server and a real handshake.

Node A (mx) serves; B (us) is its registered partner; C (us-dea) is a node A never heard of.
Nothing is mocked: the certificates are made from the nodes' own signing keys and OpenSSL
does the checking.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from paridad.errors import NodeError
from paridad.exchange import tls
from paridad.exchange.tls import (
    TlsError,
    TlsFiles,
    certificate_key,
    check_certificate,
    client_context,
    ensure_tls_files,
    pinned,
    server_ssl_kwargs,
    write_trust_bundle,
)
from paridad.node import Node


@dataclass(frozen=True)
class Peer:
    node: Node
    files: TlsFiles

    @property
    def signing_key_b64(self) -> str:
        return base64.b64encode(bytes(self.node.identity().verify_key)).decode()

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(bytes(self.node.identity().signing_key))


def _peer(path: Path, country: str, agency: str) -> Peer:
    node = Node.init(path, country, agency)
    return Peer(node, ensure_tls_files(node.path, node.identity(), node.config.name))


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Peer]:
    root = tmp_path_factory.mktemp("tls")
    return {
        "a": _peer(root / "mx", "MX", "FGR"),
        "b": _peer(root / "us", "US", "ATF"),
        "c": _peer(root / "dea", "US", "DEA"),
    }


@dataclass
class Served:
    url: str
    hits: list[str]


@pytest.fixture(scope="module")
def served(peers: dict[str, Peer], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Node A serving one endpoint over mutual TLS, trusting B's certificate only."""
    bundle = write_trust_bundle(
        tmp_path_factory.mktemp("trust") / "trusted.pem", [peers["b"].files.certificate_pem]
    )
    hits: list[str] = []
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        hits.append("ping")
        return {"node": peers["a"].node.config.name}

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held until the server takes it over
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="critical",
        access_log=False,
        **server_ssl_kwargs(peers["a"].files, bundle),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Served(f"https://127.0.0.1:{port}", hits)
    server.should_exit = True
    thread.join(timeout=20)
    sock.close()


def _get(url: str, context: ssl.SSLContext) -> httpx.Response:
    with httpx.Client(verify=context, trust_env=False, timeout=10) as client:
        return client.get(f"{url}/ping")


def _write_files(folder: Path, cert: x509.Certificate, key: Ed25519PrivateKey) -> TlsFiles:
    folder.mkdir(parents=True, exist_ok=True)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (folder / "tls.crt").write_bytes(pem)
    (folder / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TlsFiles(folder / "tls.crt", folder / "tls.key", pem)


def _certificate(
    key: Ed25519PublicKey,
    signer: Ed25519PrivateKey,
    subject: str,
    issuer: str,
    start: datetime,
    end: datetime,
) -> x509.Certificate:
    """A certificate as an attacker or a careless tool might make it."""
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(signer, None)
    )


# -- over the wire -----------------------------------------------------------------------


def test_registered_partner_gets_through(peers: dict[str, Peer], served: Served) -> None:
    response = _get(served.url, client_context(peers["b"].files, peers["a"].files.certificate_pem))
    assert response.status_code == 200
    assert response.json() == {"node": "mx-fgr"}


def test_unregistered_client_is_refused_at_the_handshake(
    peers: dict[str, Peer], served: Served
) -> None:
    before = len(served.hits)
    context = client_context(peers["c"].files, peers["a"].files.certificate_pem)
    with pytest.raises(httpx.TransportError):
        _get(served.url, context)
    assert len(served.hits) == before  # the application never saw the request


def test_client_refuses_a_server_it_did_not_pin(peers: dict[str, Peer], served: Served) -> None:
    before = len(served.hits)
    wrong_pin = client_context(peers["b"].files, peers["c"].files.certificate_pem)
    with pytest.raises(httpx.ConnectError) as err:
        _get(served.url, wrong_pin)
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)
    assert len(served.hits) == before


def test_a_certificate_vouched_for_by_a_partner_key_is_refused(
    peers: dict[str, Peer], served: Served, tmp_path: Path
) -> None:
    """B's key may not sign a certificate for another key: only the pinned key gets in."""
    stranger = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    b_name = peers["b"].node.config.name
    cert = _certificate(
        stranger.public_key(),
        peers["b"].private_key,
        "us-atf-laptop",
        b_name,
        now - timedelta(hours=1),
        now + timedelta(days=1),
    )
    files = _write_files(tmp_path / "stranger", cert, stranger)
    with pytest.raises(httpx.TransportError):
        _get(served.url, client_context(files, peers["a"].files.certificate_pem))


def test_server_speaks_tls_1_3_only(peers: dict[str, Peer], served: Served) -> None:
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    old.check_hostname = False
    old.load_verify_locations(cadata=peers["a"].files.certificate_pem.decode())
    old.load_cert_chain(peers["b"].files.cert_path, peers["b"].files.key_path)
    with pytest.raises(httpx.ConnectError):
        _get(served.url, old)


# -- the node's own certificate ------------------------------------------------------------


def test_certificate_is_made_from_the_signing_key(tmp_path: Path) -> None:
    peer = _peer(tmp_path / "mx", "MX", "FGR")
    files = peer.files
    assert files.cert_path == tmp_path / "mx" / "keys" / "tls.crt"
    assert os.stat(files.key_path).st_mode & 0o777 == 0o600
    assert certificate_key(files.certificate_pem) == bytes(peer.node.identity().verify_key)
    assert pinned(files.certificate_pem, peer.signing_key_b64)
    cert = x509.load_pem_x509_certificate(files.certificate_pem)
    assert cert.subject.rfc4514_string() == "CN=mx-fgr"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=3650)
    check_certificate(files.certificate_pem, "mx-fgr", peer.signing_key_b64)


def test_certificate_is_kept_unless_it_no_longer_fits(tmp_path: Path) -> None:
    peer = _peer(tmp_path / "mx", "MX", "FGR")
    identity = peer.node.identity()
    again = ensure_tls_files(peer.node.path, identity, "mx-fgr")
    assert again.certificate_pem == peer.files.certificate_pem
    renamed = ensure_tls_files(peer.node.path, identity, "mx-fgr-2")
    assert renamed.certificate_pem == peer.files.certificate_pem  # partners hold this one
    peer.files.cert_path.write_bytes(b"damaged")
    remade = ensure_tls_files(peer.node.path, identity, "mx-fgr")
    assert remade.certificate_pem != peer.files.certificate_pem
    assert pinned(remade.certificate_pem, peer.signing_key_b64)
    other = _peer(tmp_path / "us", "US", "ATF")
    shutil.copy2(other.files.cert_path, peer.files.cert_path)  # a certificate of another key
    fixed = ensure_tls_files(peer.node.path, identity, "mx-fgr")
    assert pinned(fixed.certificate_pem, peer.signing_key_b64)
    assert sorted(p.name for p in peer.files.cert_path.parent.iterdir()) == [
        "agreement.key",
        "signing.key",
        "tls.crt",
        "tls.key",
    ]


def test_an_exposed_tls_key_is_an_error(tmp_path: Path) -> None:
    peer = _peer(tmp_path / "mx", "MX", "FGR")
    os.chmod(peer.files.key_path, 0o644)
    with pytest.raises(NodeError):
        ensure_tls_files(peer.node.path, peer.node.identity(), "mx-fgr")


# -- pinning ------------------------------------------------------------------------------


def test_pinned_is_false_for_another_key(peers: dict[str, Peer]) -> None:
    a, b = peers["a"], peers["b"]
    assert pinned(a.files.certificate_pem, a.signing_key_b64)
    assert not pinned(a.files.certificate_pem, b.signing_key_b64)
    assert not pinned(a.files.certificate_pem, "not base64!")
    with pytest.raises(TlsError) as err:
        check_certificate(a.files.certificate_pem, "us-atf", b.signing_key_b64)
    assert err.value.msgid == tls.MSG_NOT_PINNED
    assert "us-atf" in str(err.value)


def test_a_certificate_not_signed_by_its_own_key_is_refused(peers: dict[str, Peer]) -> None:
    a, c = peers["a"], peers["c"]
    now = datetime.now(UTC)
    name = a.node.config.name
    forged = _certificate(
        a.private_key.public_key(), c.private_key, name, name, now, now + timedelta(days=1)
    )
    pem = forged.public_bytes(serialization.Encoding.PEM)
    assert pinned(pem, a.signing_key_b64)  # it carries the right key…
    with pytest.raises(TlsError) as err:  # …but whoever made it does not hold it
        check_certificate(pem, name, a.signing_key_b64)
    assert err.value.msgid == tls.MSG_NOT_SELF_SIGNED


def test_an_expired_certificate_is_refused(peers: dict[str, Peer]) -> None:
    a = peers["a"]
    past = datetime(2020, 1, 1, tzinfo=UTC)
    name = a.node.config.name
    old = _certificate(
        a.private_key.public_key(), a.private_key, name, name, past, past + timedelta(days=1)
    )
    with pytest.raises(TlsError) as err:
        check_certificate(old.public_bytes(serialization.Encoding.PEM), name, a.signing_key_b64)
    assert err.value.msgid == tls.MSG_EXPIRED
    assert "2020-01-02" in str(err.value)


@pytest.mark.parametrize(
    "garbage", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n"]
)
def test_pem_garbage_gives_a_translated_error(garbage: bytes, peers: dict[str, Peer]) -> None:
    with pytest.raises(TlsError) as err:
        pinned(garbage, peers["a"].signing_key_b64)
    assert err.value.msgid == tls.MSG_BAD_PEM
    assert err.value.localized("es") != err.value.localized("en")


def test_two_certificates_are_not_one(peers: dict[str, Peer]) -> None:
    both = peers["a"].files.certificate_pem + peers["b"].files.certificate_pem
    with pytest.raises(TlsError) as err:
        certificate_key(both)
    assert err.value.msgid == tls.MSG_ONE_CERT


def test_nobody_to_trust_is_an_error_not_an_open_door(
    peers: dict[str, Peer], tmp_path: Path
) -> None:
    with pytest.raises(TlsError) as err:
        write_trust_bundle(tmp_path / "trusted.pem", [])
    assert err.value.msgid == tls.MSG_NO_TRUSTED
    assert err.value.localized("es") != err.value.localized("en")
    (tmp_path / "empty.pem").write_bytes(b"")
    with pytest.raises(TlsError):
        server_ssl_kwargs(peers["a"].files, tmp_path / "empty.pem")
    with pytest.raises(TlsError):
        server_ssl_kwargs(peers["a"].files, tmp_path / "missing.pem")
