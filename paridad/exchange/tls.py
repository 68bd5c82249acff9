"""Mutual TLS between nodes, with certificates pinned to the keys in the signed agreement.

A node's TLS certificate is made from its own Ed25519 *signing* key, the key whose fingerprint
the operators compared out of band and wrote into the agreement. Pinning that fingerprint
therefore pins the transport too: no certificate authority, DNS name or third party can vouch
for a node, and a certificate that carries any other key is refused (:func:`pinned`).

Each side trusts exactly its partners' certificates and nothing else: the server asks every
client for a certificate and checks it against the partners' certificates only
(:func:`server_ssl_kwargs`), the client trusts only the one certificate pinned for the partner
it calls (:func:`client_context`). Both speak TLS 1.3 only.

The certificate is self-signed and marked as a CA with ``path_length=0`` so that it can be its
own trust anchor, but its key usage leaves out certificate signing: a partner cannot use its
key to vouch for any *other* certificate, so only the exact pinned key gets through.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from paridad.errors import NodeError, ParidadError
from paridad.exchange.identity import KEY_DIR, MSG_KEY_PERMISSIONS, NodeIdentity, fingerprint
from paridad.i18n import N_

CERT_FILE = "tls.crt"
KEY_FILE = "tls.key"
# Long, because renewing means sending partners a new node card; the pin is the key, which
# does not expire with the certificate.
VALIDITY = timedelta(days=3650)
# Partners' clocks are not ours; a certificate made now must already be valid over there.
CLOCK_SKEW = timedelta(days=1)

MSG_BAD_PEM = N_("This is not a PEM certificate, or it is damaged.")
MSG_BAD_PEM_FILE = N_("The certificate file {path} is damaged or not in PEM form.")
MSG_ONE_CERT = N_("Expected exactly one certificate, found {count}.")
MSG_NOT_ED25519 = N_("The certificate does not carry an Ed25519 key.")
MSG_NOT_PINNED = N_(
    "The certificate of {node} does not carry the signing key named in the agreement "
    "(fingerprint {fingerprint}); it is not {node}'s certificate."
)
MSG_NOT_SELF_SIGNED = N_("The certificate of {node} is not signed with its own key.")
MSG_EXPIRED = N_("The certificate of {node} is not valid today (valid {start} to {end}).")
MSG_NO_TRUSTED = N_(
    "No partner certificate to trust: this node would refuse every connection. "
    "Add a partner first with 'paridad partner add'."
)


class TlsError(ParidadError):
    """A certificate or TLS setting that cannot be used to talk to a partner."""


@dataclass(frozen=True)
class TlsFiles:
    """This node's certificate and key on disk (OpenSSL wants paths, not bytes)."""

    cert_path: Path
    key_path: Path
    certificate_pem: bytes


def load_certificate(cert_pem: bytes) -> x509.Certificate:
    """The one certificate in ``cert_pem`` (a bundle or a chain is not a node's certificate)."""
    try:
        certs = x509.load_pem_x509_certificates(cert_pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise TlsError(MSG_BAD_PEM) from None
    if len(certs) != 1:
        raise TlsError(MSG_ONE_CERT, count=len(certs))
    return certs[0]


def _raw_key(cert: x509.Certificate) -> bytes:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise TlsError(MSG_NOT_ED25519) from None
    if not isinstance(key, Ed25519PublicKey):
        raise TlsError(MSG_NOT_ED25519)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def certificate_key(cert_pem: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key a certificate carries."""
    return _raw_key(load_certificate(cert_pem))


def pinned(cert_pem: bytes, signing_key_b64: str) -> bool:
    """Whether the certificate's key *is* the agreement's signing key (base64).

    A damaged certificate is an error, not ``False``: the operator needs to know the file is
    broken, not that a partner changed its key.
    """
    key = certificate_key(cert_pem)
    try:
        expected = base64.b64decode(signing_key_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    return key == expected


def check_certificate(cert_pem: bytes, node: str, signing_key_b64: str) -> x509.Certificate:
    """Raise unless ``cert_pem`` is a usable certificate of ``node`` under the agreement's key.

    Usable means: one Ed25519 certificate, pinned to the key, signed by that key (so whoever
    made it holds the private key) and valid today.
    """
    cert = load_certificate(cert_pem)
    if not pinned(cert_pem, signing_key_b64):
        try:
            shown = fingerprint(base64.b64decode(signing_key_b64, validate=True))
        except (binascii.Error, ValueError):
            shown = signing_key_b64
        raise TlsError(MSG_NOT_PINNED, node=node, fingerprint=shown)
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        raise TlsError(MSG_NOT_SELF_SIGNED, node=node) from None
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if not start <= datetime.now(UTC) <= end:
        raise TlsError(
            MSG_EXPIRED, node=node, start=start.date().isoformat(), end=end.date().isoformat()
        )
    return cert


def _make_certificate(private_key: Ed25519PrivateKey, name: str) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    public_key = private_key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        # Its own trust anchor (ca=True), but it may sign nothing else (no key_cert_sign).
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(private_key, None)  # Ed25519 signs without a separate hash
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _current(cert_path: Path, key_path: Path, raw_public: bytes) -> bytes | None:
    """The existing certificate when it still fits the signing key, else ``None`` (remake it).

    Both files are derived from the signing key, so a stale or damaged pair is simply made
    again; a key file others can read is an error, because the signing key has leaked. The
    name in it is not compared: partners hold this exact certificate, and a new one means
    sending them a new card, which a renamed node does not need.
    """
    if not (cert_path.is_file() and key_path.is_file()):
        return None
    if key_path.stat().st_mode & 0o077:
        raise NodeError(MSG_KEY_PERMISSIONS, path=str(key_path))
    try:
        pem = cert_path.read_bytes()
        cert = load_certificate(pem)
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, TlsError, ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if not isinstance(key, Ed25519PrivateKey):
        return None
    raw_key = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    try:
        cert_key = _raw_key(cert)
    except TlsError:
        return None
    fresh = cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=30)
    if raw_key == cert_key == raw_public and fresh:
        return pem
    return None


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Write through a temporary file created with its final mode, then rename into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_tls_files(node_dir: Path, identity: NodeIdentity, name: str) -> TlsFiles:
    """This node's TLS certificate and key, made from its signing key on first use.

    ``name`` goes into a new certificate's subject. The certificate is kept across calls
    (partners hold a copy from our node card); it is made again only when it no longer fits
    the signing key, is damaged, or has less than 30 days left.
    """
    keys = node_dir / KEY_DIR
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path, key_path = keys / CERT_FILE, keys / KEY_FILE
    raw_public = bytes(identity.verify_key)
    pem = _current(cert_path, key_path, raw_public)
    if pem is None:
        # PyNaCl's 32-byte seed is the RFC 8032 private key cryptography expects.
        private_key = Ed25519PrivateKey.from_private_bytes(bytes(identity.signing_key))
        pem = _make_certificate(private_key, name)
        key_pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),  # like signing.key: protected by file mode 600
        )
        _write_file(key_path, key_pem, 0o600)
        _write_file(cert_path, pem, 0o644)
    return TlsFiles(cert_path=cert_path, key_path=key_path, certificate_pem=pem)


def write_trust_bundle(path: Path, pems: Iterable[bytes]) -> Path:
    """Write the certificates this node's server accepts from clients, and only those."""
    certs = [load_certificate(pem) for pem in pems]
    if not certs:
        raise TlsError(MSG_NO_TRUSTED)
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(path, data, 0o644)
    return path


def _tls13_context(_config: Any, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    """uvicorn's own server context, raised to TLS 1.3 (uvicorn has no setting for it)."""
    context = default()
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def server_ssl_kwargs(files: TlsFiles, trusted_pem_path: Path) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config``: serve our certificate, require a partner's.

    The bundle is read here so that an empty or damaged one is a translated error at start-up
    rather than an OpenSSL message, or a server that silently lets nobody in.
    """
    try:
        bundle = trusted_pem_path.read_bytes()
    except OSError:
        raise TlsError(MSG_NO_TRUSTED) from None
    if not bundle.strip():
        raise TlsError(MSG_NO_TRUSTED)
    try:
        x509.load_pem_x509_certificates(bundle)
    except (ValueError, UnsupportedAlgorithm):
        raise TlsError(MSG_BAD_PEM_FILE, path=str(trusted_pem_path)) from None
    return {
        "ssl_certfile": str(files.cert_path),
        "ssl_keyfile": str(files.key_path),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "ssl_ca_certs": str(trusted_pem_path),
        "ssl_context_factory": _tls13_context,  # uvicorn >= 0.47
    }


def client_context(files: TlsFiles, partner_cert_pem: bytes) -> ssl.SSLContext:
    """A client context that trusts exactly the partner's pinned certificate and shows ours.

    Host names are not checked: a partner is who holds the pinned key, wherever it answers
    (an IP address, a name behind the agency's own DNS), and no CA is asked.
    """
    cert = load_certificate(partner_cert_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=cert.public_bytes(serialization.Encoding.PEM).decode())
    context.load_cert_chain(files.cert_path, files.key_path)
    return context
