"""Verifying a package with nothing but its folder (and, ideally, the key's fingerprint).

A court or an auditor who received a package checks, without access to the node:

1. the manifest's signature, under the key it names (pinned with ``--fingerprint``, the
   fingerprint read out of band, or else shown for the reader to compare);
2. that ``package.json`` and ``package.pdf`` are the exact bytes the manifest lists, the
   detached signature over ``package.json``, and the signature embedded in the PDF (made
   with the same key, intact, covering the whole file);
3. that the ``export`` entry recorded this content (the SHA-256 of the canonical content);
4. the signed tree head of the node's log, and for every audit entry in the package that its
   leaf re-derives from its fields and its inclusion proof leads to the head's root;
5. that every audit entry the chain of custody cites is among the proved entries.

Each failed check is a :class:`Problem` with a translated message; nothing stops at the first,
so a report shows everything that is wrong with a tampered package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from paridad.audit import merkle
from paridad.audit.heads import InvalidHead, SignedTreeHead, verify_head_signature
from paridad.audit.log import AuditError, canonical_body
from paridad.canonical_json import NotCanonicalizable, canonical
from paridad.errors import ParidadError, render_message
from paridad.exchange.identity import fingerprint
from paridad.i18n import N_, Lang
from paridad.prosecution.custody import audit_entries_of
from paridad.prosecution.package import content_digest, split
from paridad.prosecution.pdf_signature import (
    MSG_PDF_OTHER_KEY,
    MSG_PDF_SIGNATURE,
    MSG_PDF_UNSIGNED,
    pdf_signature_problem,
)
from paridad.prosecution.signing import (
    MANIFEST,
    MANIFEST_SIG,
    PACKAGE_JSON,
    PACKAGE_PDF,
    PACKAGE_SIG,
    PackageError,
)

MSG_NOT_A_PACKAGE = N_("{path} is not a prosecution package: {file} is missing or unreadable.")
MSG_BAD_MANIFEST = N_("The manifest of the package in {path} is damaged.")
MSG_FINGERPRINT = N_(
    "The package is signed with the key {found}, not with the key {expected} you gave."
)
MSG_MANIFEST_SIGNATURE = N_("The manifest's signature does not verify under the node's key.")
MSG_FILE_CHANGED = N_("{file} is not the file that was signed: its SHA-256 differs.")
MSG_PACKAGE_SIGNATURE = N_("The signature of package.json does not verify under the node's key.")
MSG_NOT_CANONICAL = N_("package.json is not in canonical form (RFC 8785); it was rewritten.")
MSG_OTHER_KEY = N_("package.json names a signing key other than the manifest's.")
MSG_CONTENT = N_("The package's content is not what its export entry {idx} recorded.")
MSG_NO_BUILD_ENTRY = N_("The package holds no proved export entry recording its build.")
MSG_HEAD = N_("The signed tree head of the node's audit log does not verify.")
MSG_LEAF = N_("Audit entry {idx} does not hash to the leaf it claims: it was altered.")
MSG_PROOF = N_("The inclusion proof of audit entry {idx} does not lead to the signed tree head.")
MSG_UNPROVED = N_("Item {entity} cites audit entry {idx}, which the package does not prove.")

PROBLEM_CODES = {
    MSG_FINGERPRINT: "fingerprint",
    MSG_MANIFEST_SIGNATURE: "manifest-signature",
    MSG_FILE_CHANGED: "file-changed",
    MSG_PACKAGE_SIGNATURE: "package-signature",
    MSG_NOT_CANONICAL: "not-canonical",
    MSG_OTHER_KEY: "other-key",
    MSG_CONTENT: "content",
    MSG_NO_BUILD_ENTRY: "no-build-entry",
    MSG_HEAD: "head-signature",
    MSG_LEAF: "leaf",
    MSG_PROOF: "inclusion-proof",
    MSG_UNPROVED: "unproved-entry",
    MSG_PDF_UNSIGNED: "pdf-unsigned",
    MSG_PDF_OTHER_KEY: "pdf-other-key",
    MSG_PDF_SIGNATURE: "pdf-signature",
}


@dataclass(frozen=True)
class Problem:
    msgid: str
    params: dict[str, str]

    @property
    def code(self) -> str:
        return PROBLEM_CODES[self.msgid]

    def localized(self, lang: Lang | None = None) -> str:
        return render_message(self.msgid, self.params, lang)


@dataclass
class Verification:
    path: str
    package: str = ""
    node: str = ""
    fingerprint: str = ""
    items: int = 0
    withheld: int = 0
    proofs: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, msgid: str, **params: Any) -> None:
        self.problems.append(Problem(msgid, {k: str(v) for k, v in params.items()}))

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {
            "path": self.path,
            "package": self.package,
            "node": self.node,
            "fingerprint": self.fingerprint,
            "items": self.items,
            "withheld": self.withheld,
            "proofs": self.proofs,
            "ok": self.ok,
            "problems": [
                {"code": p.code, "msgid": p.msgid, "params": p.params, "message": p.localized(lang)}
                for p in self.problems
            ],
        }


def _read(folder: Path, name: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except OSError:
        raise PackageError(MSG_NOT_A_PACKAGE, path=str(folder), file=name) from None


def _signature(text: bytes) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _verifies(key: VerifyKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(data, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


def verify_package(folder: Path, expected_fingerprint: str | None = None) -> Verification:
    """Check the package in ``folder`` (see the module docstring)."""
    raw = {name: _read(folder, name) for name in (MANIFEST, MANIFEST_SIG, PACKAGE_JSON)}
    raw[PACKAGE_SIG] = _read(folder, PACKAGE_SIG)
    raw[PACKAGE_PDF] = _read(folder, PACKAGE_PDF)
    report = Verification(str(folder))
    try:
        manifest = json.loads(raw[MANIFEST])
        key_bytes = base64.b64decode(manifest["signing_key"], validate=True)
        key = VerifyKey(key_bytes)
        files = dict(manifest["files"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise PackageError(MSG_BAD_MANIFEST, path=str(folder)) from None
    report.fingerprint = fingerprint(key_bytes)
    report.package = str(manifest.get("package", ""))
    report.node = str(manifest.get("node", ""))
    if expected_fingerprint is not None:
        wanted = " ".join(expected_fingerprint.lower().split())
        if wanted.replace(" ", "") != report.fingerprint.replace(" ", ""):
            report.problem(MSG_FINGERPRINT, found=report.fingerprint, expected=wanted)
    if not _verifies(key, raw[MANIFEST], _signature(raw[MANIFEST_SIG])):
        report.problem(MSG_MANIFEST_SIGNATURE)
    for name in (PACKAGE_JSON, PACKAGE_PDF):
        if hashlib.sha256(raw[name]).hexdigest() != files.get(name):
            report.problem(MSG_FILE_CHANGED, file=name)
    if not _verifies(key, raw[PACKAGE_JSON], _signature(raw[PACKAGE_SIG])):
        report.problem(MSG_PACKAGE_SIGNATURE)
    pdf_problem = pdf_signature_problem(raw[PACKAGE_PDF], key_bytes)
    if pdf_problem is not None:
        report.problem(pdf_problem)
    try:
        package = json.loads(raw[PACKAGE_JSON])
        if canonical(package) != raw[PACKAGE_JSON]:
            report.problem(MSG_NOT_CANONICAL)
    except (ValueError, NotCanonicalizable):
        raise PackageError(MSG_NOT_A_PACKAGE, path=str(folder), file=PACKAGE_JSON) from None
    try:
        _check_content(report, package, key, manifest["signing_key"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PackageError(MSG_NOT_A_PACKAGE, path=str(folder), file=PACKAGE_JSON) from None
    return report


def _check_content(
    report: Verification, package: dict[str, Any], key: VerifyKey, signing_key: str
) -> None:
    content, audit = split(package)
    report.items, report.withheld = len(content["items"]), len(content["withheld"])
    if content["node"]["signing_key"] != signing_key:
        report.problem(MSG_OTHER_KEY)
    try:
        head = SignedTreeHead.from_dict(audit["head"])
        verify_head_signature(head, key)
    except (InvalidHead, KeyError, TypeError):
        report.problem(MSG_HEAD)
        return
    proved: set[int] = set()
    entries = {int(e["idx"]): e for e in audit["entries"]}
    for idx, entry in sorted(entries.items()):
        try:
            body = canonical_body(idx, entry["kind"], entry["at"], entry["actor"], entry["details"])
            leaf = bytes.fromhex(entry["leaf"])
            path = [bytes.fromhex(h) for h in entry["proof"]]
        except (AuditError, ParidadError, ValueError, TypeError):
            report.problem(MSG_LEAF, idx=idx)
            continue
        if merkle.leaf_hash(body) != leaf:
            report.problem(MSG_LEAF, idx=idx)
            continue
        if not merkle.verify_inclusion(leaf, idx, head.size, path, head.root):
            report.problem(MSG_PROOF, idx=idx)
            continue
        proved.add(idx)
    report.proofs = len(proved)
    build = entries.get(int(audit["build_entry"]))
    if build is None or build["kind"] != "export" or int(build["idx"]) not in proved:
        report.problem(MSG_NO_BUILD_ENTRY)
    elif build["details"].get("content_sha256") != content_digest(content):
        report.problem(MSG_CONTENT, idx=build["idx"])
    for item in content["items"]:
        for idx in audit_entries_of(item["custody"]):
            if idx not in entries:
                report.problem(MSG_UNPROVED, entity=item["id"], idx=idx)
