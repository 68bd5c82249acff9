"""A node's keys: Ed25519 to sign what it sends, X25519 to agree keys with a partner.

Keys are made with libsodium (PyNaCl), never by hand, and kept in the node directory readable
by its owner only. Operators compare *fingerprints* out of band (a call, a signed letter)
before they sign an agreement; a fingerprint is the SHA-256 of the public key, shown in
groups of four so two people can read it to each other.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from nacl.public import PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey

from paridad.errors import NodeError
from paridad.i18n import N_

KEY_DIR = "keys"
SIGNING_FILE = "signing.key"
AGREEMENT_FILE = "agreement.key"

MSG_BAD_KEY = N_("The key file {path} is damaged or not a Paridad key.")
MSG_KEY_PERMISSIONS = N_("The key file {path} can be read by other users; run: chmod 600 {path}")


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of a public key, hex, in groups of four: ``3f9a 0c12 …``."""
    digest = hashlib.sha256(public_key).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True)
class NodeIdentity:
    signing_key: SigningKey
    agreement_key: PrivateKey

    @property
    def verify_key(self) -> VerifyKey:
        return self.signing_key.verify_key

    @property
    def public_agreement_key(self) -> PublicKey:
        return self.agreement_key.public_key

    @property
    def signing_fingerprint(self) -> str:
        return fingerprint(bytes(self.verify_key))

    @property
    def agreement_fingerprint(self) -> str:
        return fingerprint(bytes(self.public_agreement_key))

    @classmethod
    def generate(cls) -> NodeIdentity:
        return cls(SigningKey.generate(), PrivateKey.generate())

    def save(self, node_dir: Path) -> None:
        keys = node_dir / KEY_DIR
        keys.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_secret(keys / SIGNING_FILE, bytes(self.signing_key))
        _write_secret(keys / AGREEMENT_FILE, bytes(self.agreement_key))

    @classmethod
    def load(cls, node_dir: Path) -> NodeIdentity:
        keys = node_dir / KEY_DIR
        return cls(
            SigningKey(_read_secret(keys / SIGNING_FILE)),
            PrivateKey(_read_secret(keys / AGREEMENT_FILE)),
        )


def _write_secret(path: Path, secret: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret.hex().encode() + b"\n")


def _read_secret(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError):
        raise NodeError(MSG_BAD_KEY, path=str(path)) from None
    if mode & 0o077:
        raise NodeError(MSG_KEY_PERMISSIONS, path=str(path))
    if len(secret) != 32:
        raise NodeError(MSG_BAD_KEY, path=str(path))
    return secret
