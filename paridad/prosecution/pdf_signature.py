"""The signature inside the PDF (PAdES), so the document a court files is signed by itself.

The detached signatures (:mod:`.signing`) prove the package to anyone with its folder; a PDF
travels alone — attached to a filing, printed from a court's document system — and a reader
such as Acrobat checks only a signature embedded in it. The node signs the PDF with the same
Ed25519 key as everything else, under a self-signed certificate naming the node, its agency
and country. Trust comes from the key, not from a certificate authority: the verifier checks
that the certificate carries exactly the key the manifest (and, with ``--fingerprint``, the
reader) pins, and only then that the signature is intact and covers the whole file.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from paridad.exchange.identity import NodeIdentity
from paridad.i18n import N_

FIELD = "Paridad"
REASON = "Expediente de judicialización / Prosecution package"
VALIDITY = timedelta(days=3650)

MSG_PDF_UNSIGNED = N_("package.pdf carries no embedded signature.")
MSG_PDF_OTHER_KEY = N_("The signature inside package.pdf is made with another key.")
MSG_PDF_SIGNATURE = N_(
    "The signature inside package.pdf does not verify, or does not cover the whole file."
)


def _certificate(key: Ed25519PrivateKey, node: str, agency: str, country: str) -> bytes:
    """A self-signed certificate for document signing, naming the node (DER)."""
    now = datetime.now(UTC).replace(microsecond=0)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, node),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency),
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .sign(key, None)
    )
    return cert.public_bytes(serialization.Encoding.DER)


def sign_pdf(pdf: bytes, identity: NodeIdentity, node: str, agency: str, country: str) -> bytes:
    """``pdf`` with a PAdES signature by the node's key embedded in it."""
    key = Ed25519PrivateKey.from_private_bytes(bytes(identity.signing_key))
    cert = asn1_x509.Certificate.load(_certificate(key, node, agency, country))
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
        cert_registry=SimpleCertificateStore.from_certs([cert]),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=REASON, location=node)
    signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return bytes(signed.getvalue())


def pdf_signature_problem(pdf: bytes, signing_key: bytes) -> str | None:
    """None when ``pdf`` carries one intact signature over the whole file by the 32-byte
    Ed25519 ``signing_key``; otherwise the message id of what is wrong."""
    try:
        embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # a damaged PDF is a failed check, whatever the parser raises
        return MSG_PDF_SIGNATURE
    if not embedded:
        return MSG_PDF_UNSIGNED
    signature = embedded[0]
    cert = signature.signer_cert
    if cert is None or cert.public_key["public_key"].native != signing_key:
        return MSG_PDF_OTHER_KEY
    try:
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[cert]))
    except (SignatureValidationError, ValueError):
        return MSG_PDF_SIGNATURE
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if len(embedded) != 1 or not (status.intact and status.valid and whole):
        return MSG_PDF_SIGNATURE
    return None
