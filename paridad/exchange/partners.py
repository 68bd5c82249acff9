"""Node cards and the partner registry: the out-of-band step before an agreement is signed.

A *node card* is a small YAML document a node hands to a prospective partner: who it is
(node, country, agency), its public keys (Ed25519 to sign, X25519 to agree keys), its TLS
certificate (made from the signing key, see :mod:`paridad.exchange.tls`) and the HTTPS address
where it answers, all signed with its signing key.

The card travels by any channel (e-mail, a USB stick), so nothing in it is trusted until the
receiving operator has read the signing key's fingerprint with the other operator over a
channel they already trust (a phone call, a signed letter) and typed it in. That one check
anchors everything: the certificate must carry the same key, and the card's signature by that
key covers the agreement key and the address. Once stored, a partner's key never changes
silently; a different key under the same name is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from paridad.errors import ParidadError
from paridad.exchange import tls
from paridad.exchange.envelope import canonical
from paridad.exchange.identity import fingerprint as key_fingerprint
from paridad.i18n import N_, translate
from paridad.node import COUNTRIES, Node

PARTNER_DIR = "partners"
TRUST_FILE = "trusted.pem"
CARD_FIELDS = ("node", "country", "agency", "signing_key", "agreement_key", "certificate", "url")
SIGNATURE_FIELD = "signature"
# Node names become file names here, so they are held to a safe alphabet.
NODE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")

MSG_CARD_NOT_OBJECT = N_("Invalid node card: the card must be a YAML object.")
MSG_CARD_MISSING = N_("Invalid node card: the field '{field}' is missing or empty.")
MSG_CARD_UNKNOWN = N_("Invalid node card: unknown field '{field}'.")
MSG_CARD_NOT_TEXT = N_("Invalid node card: the field '{field}' must be text.")
MSG_CARD_NODE = N_(
    "Invalid node card: the node name '{node}' may hold only letters, digits, '.', '_' and '-'."
)
MSG_CARD_COUNTRY = N_("Invalid node card: country must be MX or US, not '{country}'.")
MSG_CARD_KEY = N_("Invalid node card: '{field}' is not a base64 public key of 32 bytes.")
MSG_CARD_URL = N_(
    "Invalid node card: the address '{url}' must be https://host:port, without user, query "
    "or fragment."
)
MSG_CARD_CERTIFICATE = N_(
    "Invalid node card: the certificate of {node} is not one Ed25519 certificate in PEM form."
)
MSG_CARD_SIGNATURE = N_(
    "Invalid node card: the card is not signed by the key it names; it was altered after "
    "{node} made it."
)
MSG_CARD_SELF = N_("This is the card of this node ({node}); a node is not its own partner.")
MSG_FINGERPRINT_FORMAT = N_(
    "A fingerprint is 64 hexadecimal characters (16 groups of four), not {count}."
)
MSG_FINGERPRINT_MISMATCH = N_(
    "The fingerprint you were given does not match the signing key on the card of {node}. "
    "Do not add this partner: check the card and the fingerprint with the other operator again."
)
MSG_KEY_CHANGED = N_(
    "{node} is already a partner with another signing key (fingerprint {fingerprint}). "
    "A partner's key never changes silently: if {node} really has a new key, a new agreement "
    "is needed; remove {path} first."
)
MSG_KEY_TAKEN = N_("This signing key already belongs to the partner {other}.")
MSG_UNKNOWN_PARTNER = N_(
    "{node} is not a partner of this node; add its card with 'paridad partner add'."
)
MSG_BAD_PARTNER_FILE = N_("The partner file {path} is damaged: {reason}")
MSG_PARTNER_FILE_NAME = N_(
    "The partner file {path} holds the card of {node}; it must be named {node}.yaml."
)
MSG_CARD_COMMENT = N_(
    "Paridad node card of {node}. Before adding it, read its signing-key fingerprint with the "
    "operator of {node} by phone or another trusted channel; never copy it from this file."
)


class PartnerError(ParidadError):
    """A partner that cannot be added or found."""


class InvalidCard(PartnerError):
    """A node card that cannot be trusted; the reason says why."""


@dataclass(frozen=True)
class Partner:
    node: str
    country: str
    agency: str
    signing_key: str  # base64 of the Ed25519 public key, as in the agreement
    agreement_key: str  # base64 of the X25519 public key
    certificate_pem: bytes
    url: str

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(base64.b64decode(self.signing_key))

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(bytes(self.verify_key))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _signed_part(card: Mapping[str, Any]) -> bytes:
    return canonical({field: card[field] for field in CARD_FIELDS})


def _check_url(url: str) -> str:
    """The address without a trailing slash; refused unless it is a plain https origin."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number in range raises ValueError
    except ValueError:
        raise InvalidCard(MSG_CARD_URL, url=url) from None
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in url)
    ):
        raise InvalidCard(MSG_CARD_URL, url=url)
    return url.rstrip("/")


def make_card(node: Node, url: str) -> dict[str, str]:
    """This node's card, signed with its signing key, for a prospective partner."""
    identity = node.identity()
    files = tls.ensure_tls_files(node.path, identity, node.config.name)
    card = {
        "node": node.config.name,
        "country": node.config.country,
        "agency": node.config.agency,
        "signing_key": _b64(bytes(identity.verify_key)),
        "agreement_key": _b64(bytes(identity.public_agreement_key)),
        "certificate": _pem_text(files.certificate_pem.decode("ascii")),
        "url": _check_url(url.strip()),
    }
    card[SIGNATURE_FIELD] = _b64(identity.signing_key.sign(_signed_part(card)).signature)
    return card


class _Dumper(yaml.SafeDumper):
    """Writes the certificate as a literal block, so the card reads like the PEM it holds."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def card_yaml(card: Mapping[str, Any]) -> str:
    """The card as YAML, headed by a reminder (in the current language) of how to check it."""
    comment = translate(MSG_CARD_COMMENT, node=card.get("node", "?"))
    lines = textwrap.wrap(comment, width=98)
    return "".join(f"# {line}\n" for line in lines) + _dump(card)


def _pem_text(text: str) -> str:
    """The PEM as signed: Unix line ends, one final newline (mail and editors change both)."""
    return text.replace("\r\n", "\n").strip() + "\n"


def _raw_key(card: Mapping[str, str], field: str) -> bytes:
    try:
        raw = base64.b64decode(card[field], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidCard(MSG_CARD_KEY, field=field) from None
    if len(raw) != 32:
        raise InvalidCard(MSG_CARD_KEY, field=field)
    return raw


def parse_card(data: Any) -> tuple[Partner, dict[str, str]]:
    """Validate a card as loaded from YAML: every field, the certificate pin, the signature.

    Returns the partner and the card as it will be stored. It proves the card is internally
    consistent, not *whose* it is: that takes the fingerprint check in :func:`add_partner`.
    """
    if not isinstance(data, Mapping):
        raise InvalidCard(MSG_CARD_NOT_OBJECT)
    for field in data:
        if field not in (*CARD_FIELDS, SIGNATURE_FIELD):
            raise InvalidCard(MSG_CARD_UNKNOWN, field=str(field))
    card: dict[str, str] = {}
    for field in (*CARD_FIELDS, SIGNATURE_FIELD):
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            raise InvalidCard(MSG_CARD_NOT_TEXT, field=field)
        if value is None or not value.strip():
            raise InvalidCard(MSG_CARD_MISSING, field=field)
        card[field] = _pem_text(value) if field == "certificate" else value.strip()
    node = card["node"]
    if not NODE_NAME.fullmatch(node):
        raise InvalidCard(MSG_CARD_NODE, node=node)
    if card["country"] not in COUNTRIES:
        raise InvalidCard(MSG_CARD_COUNTRY, country=card["country"])
    signing_key = _raw_key(card, "signing_key")
    _raw_key(card, "agreement_key")
    card["url"] = _check_url(card["url"])
    certificate = card["certificate"].encode("ascii", errors="replace")
    try:
        tls.check_certificate(certificate, node, card["signing_key"])
    except tls.TlsError as exc:
        if exc.msgid in (tls.MSG_BAD_PEM, tls.MSG_ONE_CERT, tls.MSG_NOT_ED25519):
            raise InvalidCard(MSG_CARD_CERTIFICATE, node=node) from None
        raise InvalidCard(exc.msgid, **exc.params) from None  # names the node already
    try:
        signature = base64.b64decode(card[SIGNATURE_FIELD], validate=True)
        VerifyKey(signing_key).verify(_signed_part(card), signature)
    except (binascii.Error, ValueError, BadSignatureError):
        raise InvalidCard(MSG_CARD_SIGNATURE, node=node) from None
    partner = Partner(
        node=node,
        country=card["country"],
        agency=card["agency"],
        signing_key=card["signing_key"],
        agreement_key=card["agreement_key"],
        certificate_pem=certificate,
        url=card["url"],
    )
    return partner, card


def _normal_fingerprint(text: str) -> str:
    """What the operator typed, without the spaces, colons or dashes they may have added."""
    return re.sub(r"[\s:-]", "", text).lower()


def _partner_dir(node_dir: Path) -> Path:
    return node_dir / PARTNER_DIR


def add_partner(node_dir: Path, card_data: Any, fingerprint: str) -> Partner:
    """Register the partner on ``card_data`` once its fingerprint was confirmed out of band.

    ``fingerprint`` is what the operator heard from the other side, never something read off
    the card. The confirmation (fingerprint and time) is stored beside the card as a record of
    the decision. Adding the same key again refreshes the card (a new address or certificate);
    a different key for a known partner is refused.
    """
    node = Node.open(node_dir)
    partner, card = parse_card(card_data)
    own_key = _b64(bytes(node.identity().verify_key))
    if partner.node == node.config.name or partner.signing_key == own_key:
        raise PartnerError(MSG_CARD_SELF, node=partner.node)
    given = _normal_fingerprint(fingerprint)
    if not re.fullmatch(r"[0-9a-f]{64}", given):
        raise PartnerError(MSG_FINGERPRINT_FORMAT, count=len(given))
    if given != _normal_fingerprint(partner.fingerprint):
        raise PartnerError(MSG_FINGERPRINT_MISMATCH, node=partner.node)
    known = load_partners(node_dir)
    path = _partner_dir(node_dir) / f"{partner.node}.yaml"
    existing = known.get(partner.node)
    if existing is not None and existing.signing_key != partner.signing_key:
        raise PartnerError(
            MSG_KEY_CHANGED, node=partner.node, fingerprint=existing.fingerprint, path=str(path)
        )
    for other in known.values():
        if other.node != partner.node and other.signing_key == partner.signing_key:
            raise PartnerError(MSG_KEY_TAKEN, other=other.node)
    record = {
        "card": card,
        "confirmed": {
            "fingerprint": partner.fingerprint,
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        },
    }
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(_dump(record), encoding="utf-8")
    tmp.replace(path)
    trust_bundle_path(node_dir)
    return partner


# Checked cards by file content: the inbox and courier look partners up per message, and
# re-parsing YAML and re-verifying a signature each time buys nothing when not a byte changed.
_checked: dict[tuple[Path, bytes], Partner] = {}


def _load_partner(path: Path) -> Partner:
    """A stored partner, checked again: a file edited by hand must not widen who is trusted."""
    try:
        data = path.read_bytes()
        key = (path, hashlib.sha256(data).digest())
        if key in _checked:
            return _checked[key]
        record = yaml.safe_load(data.decode("utf-8"))
        if not isinstance(record, Mapping):
            raise InvalidCard(MSG_CARD_NOT_OBJECT)
        partner, _card = parse_card(record.get("card"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PartnerError(MSG_BAD_PARTNER_FILE, path=str(path), reason=str(exc)) from None
    except yaml.YAMLError as exc:
        raise PartnerError(MSG_BAD_PARTNER_FILE, path=str(path), reason=str(exc)) from None
    except InvalidCard as exc:
        raise PartnerError(MSG_BAD_PARTNER_FILE, path=str(path), reason=exc.localized()) from None
    if f"{partner.node}.yaml" != path.name:
        raise PartnerError(MSG_PARTNER_FILE_NAME, path=str(path), node=partner.node)
    _checked[key] = partner
    return partner


def load_partners(node_dir: Path) -> dict[str, Partner]:
    """Every registered partner, by node name."""
    folder = _partner_dir(node_dir)
    if not folder.is_dir():
        return {}
    partners = (_load_partner(path) for path in sorted(folder.glob("*.yaml")))
    return {partner.node: partner for partner in partners}


def get_partner(node_dir: Path, name: str) -> Partner:
    partner = load_partners(node_dir).get(name)
    if partner is None:
        raise PartnerError(MSG_UNKNOWN_PARTNER, node=name)
    return partner


def trust_bundle_path(node_dir: Path) -> Path:
    """``partners/trusted.pem``, rewritten from the registry so it never drifts from it.

    It is what the node's TLS server accepts from clients (:func:`~paridad.exchange.tls.
    server_ssl_kwargs`); with no partner there is nothing to trust and this is an error.
    """
    partners = load_partners(node_dir)
    pems = [partners[name].certificate_pem for name in sorted(partners)]
    return tls.write_trust_bundle(_partner_dir(node_dir) / TRUST_FILE, pems)
