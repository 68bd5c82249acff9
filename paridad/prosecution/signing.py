"""Signing a package: detached Ed25519 signatures with the node's own signing key.

The key is the one whose fingerprint the node's operators read to partners and wrote into
every agreement (and that the node's TLS certificate carries), so a court or an auditor can
pin it out of band. Two signatures are made:

- ``package.json.sig`` over the canonical bytes of ``package.json`` (the JSON itself);
- ``manifest.json.sig`` over the canonical bytes of ``manifest.json``, which lists the
  SHA-256 of ``package.json`` and of ``package.pdf``: the PDF's exact bytes are signed
  through it, besides the signature embedded in the PDF itself (:mod:`.pdf_signature`).

Signatures are base64 text files, so they survive being mailed or printed as an annex.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from paridad.canonical_json import canonical
from paridad.errors import ParidadError
from paridad.exchange.identity import NodeIdentity
from paridad.i18n import N_

PACKAGE_JSON = "package.json"
PACKAGE_SIG = "package.json.sig"
PACKAGE_PDF = "package.pdf"
MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.json.sig"
FILES = (PACKAGE_JSON, PACKAGE_SIG, PACKAGE_PDF, MANIFEST, MANIFEST_SIG)
MANIFEST_FORMAT = "paridad-prosecution-manifest/1"
SCHEME = "ed25519-detached"

MSG_OUT_NOT_EMPTY = N_(
    "The folder {path} already holds files; a package is written to a new or empty folder, "
    "never over another one."
)


class PackageError(ParidadError):
    """A package that cannot be written or read as asked."""


def sign_bytes(identity: NodeIdentity, data: bytes) -> str:
    return base64.b64encode(identity.signing_key.sign(data).signature).decode("ascii") + "\n"


def manifest(package: dict[str, Any], package_bytes: bytes, pdf_bytes: bytes) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "package": package["id"],
        "node": package["node"]["name"],
        "signing_key": package["node"]["signing_key"],
        "fingerprint": package["node"]["fingerprint"],
        "scheme": SCHEME,
        "files": {
            PACKAGE_JSON: hashlib.sha256(package_bytes).hexdigest(),
            PACKAGE_PDF: hashlib.sha256(pdf_bytes).hexdigest(),
        },
    }


def write_signed(
    out: Path, package: dict[str, Any], pdf_bytes: bytes, identity: NodeIdentity
) -> list[Path]:
    """Write the package, its PDF, the manifest and both signatures into ``out``."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PackageError(MSG_OUT_NOT_EMPTY, path=str(out))
    out.mkdir(parents=True, exist_ok=True)
    package_bytes = canonical(package)
    manifest_bytes = canonical(manifest(package, package_bytes, pdf_bytes))
    contents = {
        PACKAGE_JSON: package_bytes,
        PACKAGE_SIG: sign_bytes(identity, package_bytes).encode("ascii"),
        PACKAGE_PDF: pdf_bytes,
        MANIFEST: manifest_bytes,
        MANIFEST_SIG: sign_bytes(identity, manifest_bytes).encode("ascii"),
    }
    written: list[Path] = []
    for name, data in contents.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written
