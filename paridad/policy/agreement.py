"""Agreements as data: what may cross between two nodes, signed by both.

An agreement is a YAML document: the two parties (node, country, agency and the Ed25519
public key whose fingerprint the operators compared out of band), purposes, legal basis,
validity, the RFI response deadline, a rate limit, and per direction the schemata and
properties that may cross, the handling codes allowed, the highest TLP and the retention.
It takes effect only when both parties have signed the RFC 8785 canonical form of everything
but the signatures; an amendment is a new version, and a terminated agreement lets nothing
through from the moment it is signed.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import orjson
import yaml
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from paridad.errors import ParidadError
from paridad.exchange.envelope import canonical
from paridad.exchange.identity import NodeIdentity, fingerprint
from paridad.i18n import N_
from paridad.model import model
from paridad.model.vocabularies import vocabulary

STATUSES = ("active", "terminated")

MSG_INVALID = N_("Invalid agreement: {reason}")
MSG_FLOW_KEY = N_("Invalid agreement: flow '{flow}' must be 'A->B' between the two parties.")
MSG_FLOW_OBJECT = N_("Invalid agreement: flow '{flow}' must be an object.")
MSG_FLOW_SCHEMA = N_("Invalid agreement: flow '{flow}' names an unknown schema '{schema}'.")
MSG_FLOW_PROP = N_("Invalid agreement: in flow '{flow}', {schema} has no property '{prop}'.")
MSG_FLOW_HANDLING = N_(
    "Invalid agreement: flow '{flow}' must list its allowed handling codes among H0-H3."
)
MSG_FLOW_TLP = N_("Invalid agreement: max_tlp '{tlp}' of flow '{flow}' is not a TLP level.")
MSG_FLOW_RETENTION = N_(
    "Invalid agreement: retention_days of flow '{flow}' must be a positive whole number."
)
MSG_NOT_OBJECT = N_("Invalid agreement: the document must be an object.")
MSG_MATCHING = N_("Invalid agreement: matching.{field} {reason}")
MSG_TWO_PARTIES = N_("Invalid agreement: an agreement has exactly two parties.")
MSG_PARTY_KEY = N_("Invalid agreement: the signing_key of {party} is not an Ed25519 public key.")
MSG_SAME_PARTY = N_("Invalid agreement: the two parties must be different nodes.")
MSG_PURPOSES = N_("Invalid agreement: purposes must be codes from the purpose vocabulary.")
MSG_STATUS = N_("Invalid agreement: status must be one of: {allowed}.")
MSG_DATES = N_("Invalid agreement: valid_until is before valid_from.")
MSG_MISSING = N_("Invalid agreement: missing field {field}.")
MSG_LEGAL_BASIS = N_("Invalid agreement: legal_basis is required.")
MSG_UNSIGNED = N_("The agreement is not signed by {party}.")
MSG_BAD_SIGNATURE = N_("The signature of {party} on the agreement does not verify.")
MSG_NOT_A_PARTY = N_("{node} is not a party to this agreement.")


class InvalidAgreement(ParidadError):
    """An agreement that cannot take effect; the reason says why."""


@dataclass(frozen=True)
class Party:
    node: str
    country: str
    agency: str
    signing_key: str  # base64 of the Ed25519 public key

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(base64.b64decode(self.signing_key))

    @property
    def fingerprint(self) -> str:
        return fingerprint(bytes(self.verify_key))


@dataclass(frozen=True)
class Flow:
    """What may go from ``sender`` to ``recipient``."""

    sender: str
    recipient: str
    properties: Mapping[str, frozenset[str]]  # schema -> properties that may cross
    handling: frozenset[str]
    max_tlp: str
    retention_days: int


DISCLOSURE_MODES = ("manual", "automatic")


@dataclass(frozen=True)
class Matching:
    """What hit/no-hit matching the parties allow each other (none unless the agreement says).

    ``identifiers`` are the identifier kinds matched exactly by private set intersection,
    ``names`` the schemata matched by privacy-preserving name linkage; ``max_items`` caps the
    items of one run and ``runs_per_day`` the runs a partner may start (together they stop
    guessing by repeated queries); ``disclosure`` says whether a step-two request from a hit
    waits for an analyst (``manual``) or is answered by the gate at once (``automatic``).
    """

    identifiers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    max_items: int = 100_000
    runs_per_day: int = 48
    disclosure: str = "manual"

    @property
    def allowed(self) -> bool:
        return bool(self.identifiers or self.names)


@dataclass(frozen=True)
class Agreement:
    id: str
    version: int
    status: str
    parties: tuple[Party, Party]
    purposes: tuple[str, ...]
    legal_basis: str
    valid_from: date
    valid_until: date
    rfi_deadline_hours: int
    rate_limit_per_minute: int
    flows: tuple[Flow, ...]
    matching: Matching
    document: Mapping[str, Any]  # the signed content, as parsed
    signatures: Mapping[str, str]

    def party(self, node: str) -> Party:
        for party in self.parties:
            if party.node == node:
                return party
        raise InvalidAgreement(MSG_NOT_A_PARTY, node=node)

    def flow(self, sender: str, recipient: str) -> Flow | None:
        for flow in self.flows:
            if flow.sender == sender and flow.recipient == recipient:
                return flow
        return None

    def signed_bytes(self) -> bytes:
        return canonical(self.document)

    def sign(self, node: str, identity: NodeIdentity) -> Agreement:
        """This party's signature added (its key must be the one named in the agreement)."""
        party = self.party(node)
        if party.fingerprint != identity.signing_fingerprint:
            raise InvalidAgreement(MSG_BAD_SIGNATURE, party=node)
        signature = identity.signing_key.sign(self.signed_bytes()).signature
        signatures = {**self.signatures, node: base64.b64encode(signature).decode()}
        return replace(self, signatures=signatures)

    def verify(self) -> None:
        """Raise unless both parties signed exactly this content."""
        for party in self.parties:
            raw = self.signatures.get(party.node)
            if not raw:
                raise InvalidAgreement(MSG_UNSIGNED, party=party.node)
            try:
                party.verify_key.verify(self.signed_bytes(), base64.b64decode(raw))
            except (BadSignatureError, ValueError):
                raise InvalidAgreement(MSG_BAD_SIGNATURE, party=party.node) from None

    def in_force(self, on: date) -> bool:
        return self.status == "active" and self.valid_from <= on <= self.valid_until

    def to_dict(self) -> dict[str, Any]:
        return {**self.document, "signatures": dict(self.signatures)}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


def _fail(reason: str) -> InvalidAgreement:
    return InvalidAgreement(MSG_INVALID, reason=reason)


def _flow(key: str, spec: Any, nodes: set[str]) -> Flow:
    sender, _, recipient = key.partition("->")
    if {sender, recipient} != nodes:
        raise InvalidAgreement(MSG_FLOW_KEY, flow=key)
    if not isinstance(spec, Mapping):
        raise InvalidAgreement(MSG_FLOW_OBJECT, flow=key)
    props: dict[str, frozenset[str]] = {}
    for schema_name, names in (spec.get("schemata") or {}).items():
        schema = model.get(schema_name)
        if schema is None:
            raise InvalidAgreement(MSG_FLOW_SCHEMA, flow=key, schema=schema_name)
        for name in names or []:
            if schema.get(name) is None:
                raise InvalidAgreement(MSG_FLOW_PROP, flow=key, schema=schema_name, prop=name)
        props[schema_name] = frozenset(names or [])
    handling = frozenset(str(h) for h in spec.get("handling") or [])
    if not handling or not handling <= set(vocabulary("handling").codes):
        raise InvalidAgreement(MSG_FLOW_HANDLING, flow=key)
    max_tlp = str(spec.get("max_tlp", ""))
    if max_tlp not in vocabulary("tlp"):
        raise InvalidAgreement(MSG_FLOW_TLP, flow=key, tlp=max_tlp)
    retention = spec.get("retention_days")
    if not isinstance(retention, int) or retention < 1:
        raise InvalidAgreement(MSG_FLOW_RETENTION, flow=key)
    return Flow(sender, recipient, props, handling, max_tlp, retention)


def _matching(spec: Any) -> Matching:
    from paridad.match.identifiers import kind_names

    if spec is None:
        return Matching()
    if not isinstance(spec, Mapping):
        raise InvalidAgreement(MSG_MATCHING, field="", reason="must be an object")
    kinds = tuple(str(k) for k in spec.get("identifiers") or [])
    unknown = [k for k in kinds if k not in kind_names()]
    if unknown:
        reason = f"names unknown kinds {', '.join(unknown)}; known: {', '.join(kind_names())}"
        raise InvalidAgreement(MSG_MATCHING, field="identifiers", reason=reason)
    names = tuple(str(n) for n in spec.get("names") or [])
    if any(n not in ("Person", "Organization") for n in names):
        raise InvalidAgreement(MSG_MATCHING, field="names", reason="allows Person, Organization")
    numbers = {}
    for field, default in (("max_items", 100_000), ("runs_per_day", 48)):
        value = spec.get(field, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidAgreement(MSG_MATCHING, field=field, reason="must be a positive number")
        numbers[field] = value
    disclosure = str(spec.get("disclosure", "manual"))
    if disclosure not in DISCLOSURE_MODES:
        reason = "must be one of " + ", ".join(DISCLOSURE_MODES)
        raise InvalidAgreement(MSG_MATCHING, field="disclosure", reason=reason)
    return Matching(kinds, names, numbers["max_items"], numbers["runs_per_day"], disclosure)


def parse_agreement(data: Any) -> Agreement:
    """Validate an agreement document (as loaded from YAML)."""
    if not isinstance(data, Mapping):
        raise InvalidAgreement(MSG_NOT_OBJECT)
    try:
        # YAML gives dates as date objects; sign and compare the JSON form both sides see.
        plain = orjson.loads(orjson.dumps(dict(data)))
    except TypeError as exc:
        raise _fail(str(exc)) from None
    document = {k: v for k, v in plain.items() if k != "signatures"}
    try:
        raw_parties = document["parties"]
        if not isinstance(raw_parties, list) or len(raw_parties) != 2:
            raise InvalidAgreement(MSG_TWO_PARTIES)
        parties = tuple(
            Party(str(p["node"]), str(p["country"]), str(p["agency"]), str(p["signing_key"]))
            for p in raw_parties
        )
        for party in parties:
            if len(base64.b64decode(party.signing_key, validate=True)) != 32:
                raise InvalidAgreement(MSG_PARTY_KEY, party=party.node)
        nodes = {p.node for p in parties}
        if len(nodes) != 2:
            raise InvalidAgreement(MSG_SAME_PARTY)
        purposes = tuple(str(p) for p in document["purposes"])
        if not purposes or any(p not in vocabulary("purpose") for p in purposes):
            raise InvalidAgreement(MSG_PURPOSES)
        status = str(document.get("status", "active"))
        if status not in STATUSES:
            raise InvalidAgreement(MSG_STATUS, allowed=", ".join(STATUSES))
        valid_from = date.fromisoformat(str(document["valid_from"]))
        valid_until = date.fromisoformat(str(document["valid_until"]))
        if valid_until < valid_from:
            raise InvalidAgreement(MSG_DATES)
        flows = tuple(_flow(k, v, nodes) for k, v in (document.get("flows") or {}).items())
        agreement = Agreement(
            id=str(document["id"]),
            version=int(document.get("version", 1)),
            status=status,
            parties=(parties[0], parties[1]),
            purposes=purposes,
            legal_basis=str(document["legal_basis"]).strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            rfi_deadline_hours=int(document.get("rfi_deadline_hours", 48)),
            rate_limit_per_minute=int(document.get("rate_limit_per_minute", 600)),
            flows=flows,
            matching=_matching(document.get("matching")),
            document=document,
            signatures=dict(data.get("signatures") or {}),
        )
    except InvalidAgreement:
        raise
    except KeyError as exc:
        raise InvalidAgreement(MSG_MISSING, field=exc) from None
    except (TypeError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if not agreement.legal_basis:
        raise InvalidAgreement(MSG_LEGAL_BASIS)
    return agreement
