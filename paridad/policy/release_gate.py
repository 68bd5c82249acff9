"""The release gate: the only way a value leaves a node.

Invariant 1 (sovereignty) says that every value crossing to a partner is checked against the
signed agreement: recipient, purpose, schema and property, handling code, TLP, releasability
and retention. Exports, API answers, alerts, match tokens and disclosures all call this one
gate, so the rules live in one place and a reviewer reads them here.

A gate is opened once per agreement, direction, purpose and day. Everything that concerns the
flow as a whole is decided then, and anything wrong closes it with :class:`GateClosed`: an
agreement whose signatures do not verify, one not in force that day (terminated, not yet
valid, expired), nodes that are not its two parties, no flow in that direction, a purpose it
does not name. After that each entity costs a few set look-ups, because bulk shares pass
hundreds of thousands of records through the gate. An entity comes out :class:`Released`
(only the values of properties the flow allows, under the originator's markings with the
retention the agreement grants) or :class:`Refused` with a code of the ``refusal`` vocabulary;
a refusal carries no value of the entity, so refusals can be logged and told to the partner.
The long why is in ``docs/exchange.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.model.markings import Markings
from paridad.model.vocabularies import vocabulary
from paridad.policy.agreement import Agreement, Flow, InvalidAgreement, Party


class Releasable(Protocol):
    """What the gate judges: a stored entity, or the lean view a share reads in bulk."""

    @property
    def id(self) -> str: ...

    @property
    def schema(self) -> str: ...

    @property
    def markings(self) -> Markings: ...

    def prop_values(self) -> Iterable[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity as read for release: its markings and its (property, value) pairs.

    Reading only these from the store (not whole statements with provenance) is a third of
    the cost of a bulk share; the gate still sees every value and filters them itself.
    """

    id: str
    schema: str
    markings: Markings
    values: list[tuple[str, str]]

    def prop_values(self) -> Iterable[tuple[str, str]]:
        return self.values


# Codes of the ``refusal`` vocabulary the gate gives, per entity…
SCHEMA_NOT_AGREED = "schema-not-agreed"
PURPOSE_NOT_MARKED = "purpose-not-marked"
HANDLING_NOT_ALLOWED = "handling-not-allowed"
TLP_TOO_HIGH = "tlp-too-high"
NOT_RELEASABLE = "not-releasable"
RETENTION_EXPIRED = "retention-expired"
ORIGINATOR_CONTROL = "originator-control"
NO_JUDICIAL_CONSENT = "no-judicial-consent"
NOTHING_ALLOWED = "nothing-allowed"
# …and for the whole flow.
AGREEMENT_NOT_IN_FORCE = "agreement-not-in-force"
NO_FLOW = "no-flow"
PURPOSE_NOT_AGREED = "purpose-not-agreed"

# Distinct markings whose capped form a gate remembers; past it, each is rebuilt per record.
CAPPED_CACHE_SIZE = 4096

# H2: "no onward sharing without the originator's consent".
NO_ONWARD_SHARING = "H2"

MSG_UNSIGNED = N_(
    "The release gate is closed: agreement {agreement} (version {version}) is not validly "
    "signed by both parties."
)
MSG_TERMINATED = N_(
    "The release gate is closed: agreement {agreement} (version {version}) has been terminated."
)
MSG_NOT_YET = N_("The release gate is closed: agreement {agreement} takes effect on {valid_from}.")
MSG_EXPIRED = N_("The release gate is closed: agreement {agreement} expired on {valid_until}.")
MSG_NOT_A_PARTY = N_("The release gate is closed: {node} is not a party to agreement {agreement}.")
MSG_WRONG_COUNTRY = N_(
    "The release gate is closed: in agreement {agreement}, {node} is a node of {country}, "
    "not of {claimed}."
)
MSG_NO_FLOW = N_(
    "The release gate is closed: agreement {agreement} provides for no flow from {sender} "
    "to {recipient}."
)
MSG_PURPOSE = N_("The release gate is closed: {purpose} is not a purpose of agreement {agreement}.")


class GateClosed(ParidadError):
    """The flow itself is closed: nothing at all may cross.

    ``code`` is the ``refusal`` vocabulary's reason; the message names the agreement, nodes,
    dates or purpose, never data, so it can be shown to anyone and told to the partner.
    """

    def __init__(self, msgid: str, *, code: str, **params: Any) -> None:
        super().__init__(msgid, **params)
        self.code = code


@dataclass(frozen=True, slots=True)
class Released:
    """One entity as it may cross: only allowed properties, the originator's markings."""

    entity_id: str
    schema: str
    properties: dict[str, list[str]]  # property -> sorted values; only what the flow allows
    markings: Markings  # the originator's, retain_until capped at today + retention_days

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready form that goes into an envelope."""
        return {
            "id": self.entity_id,
            "schema": self.schema,
            "properties": self.properties,
            "markings": _markings_dict(self.markings),
        }


@lru_cache(maxsize=4096)
def _markings_dict(markings: Markings) -> dict[str, Any]:
    """Markings as JSON; a batch repeats a few markings, so build each once (read-only)."""
    return markings.to_dict()


@dataclass(frozen=True, slots=True)
class Refused:
    """One entity held back, and why.

    Only the code (from the ``refusal`` vocabulary) and the id the caller already named: a
    refusal must not itself become a path for the values it withholds.
    """

    entity_id: str
    code: str


def _not_in_force(agreement: Agreement, today: date) -> GateClosed:
    """Say which of :meth:`Agreement.in_force`'s conditions failed."""
    name = {"agreement": agreement.id}
    if agreement.status != "active":
        return GateClosed(
            MSG_TERMINATED, code=AGREEMENT_NOT_IN_FORCE, version=agreement.version, **name
        )
    if today < agreement.valid_from:
        return GateClosed(
            MSG_NOT_YET,
            code=AGREEMENT_NOT_IN_FORCE,
            valid_from=agreement.valid_from.isoformat(),
            **name,
        )
    return GateClosed(
        MSG_EXPIRED,
        code=AGREEMENT_NOT_IN_FORCE,
        valid_until=agreement.valid_until.isoformat(),
        **name,
    )


class ReleaseGate:
    """The agreement's flow from ``sender`` to ``recipient`` for one purpose, on one day.

    ``sender_country`` must be the sender's country in the agreement: it is what tells data
    the node originated from data a partner gave it. ``consents`` are the ids of entities whose
    originator consented, on record, to their being shared onward to this recipient.
    """

    def __init__(
        self,
        agreement: Agreement,
        sender: str,
        sender_country: str,
        recipient: str,
        purpose: str,
        today: date,
        consents: frozenset[str] = frozenset(),
    ) -> None:
        name = {"agreement": agreement.id}
        try:
            agreement.verify()
        except InvalidAgreement:
            raise GateClosed(
                MSG_UNSIGNED, code=AGREEMENT_NOT_IN_FORCE, version=agreement.version, **name
            ) from None
        if not agreement.in_force(today):
            raise _not_in_force(agreement, today)
        parties: dict[str, Party] = {}
        for node in (sender, recipient):
            try:
                parties[node] = agreement.party(node)
            except InvalidAgreement:
                raise GateClosed(MSG_NOT_A_PARTY, code=NO_FLOW, node=node, **name) from None
        sender_party = parties[sender]
        if sender_country.upper() != sender_party.country.upper():
            raise GateClosed(
                MSG_WRONG_COUNTRY,
                code=NO_FLOW,
                node=sender,
                country=sender_party.country,
                claimed=sender_country,
                **name,
            )
        flow = agreement.flow(sender, recipient)
        if flow is None:
            raise GateClosed(MSG_NO_FLOW, code=NO_FLOW, sender=sender, recipient=recipient, **name)
        if purpose not in agreement.purposes:
            raise GateClosed(MSG_PURPOSE, code=PURPOSE_NOT_AGREED, purpose=purpose, **name)

        self._agreement = agreement
        self._flow = flow
        self._recipient = recipient
        self._purpose = purpose
        self._today = today
        self._consents = frozenset(consents)
        self._sender_country = sender_party.country.upper()
        self._sender_agency = sender_party.agency.casefold()
        self._recipient_country = parties[recipient].country.upper()
        # Everything release() asks is a set or dict look-up prepared here.
        self._allowed: dict[str, frozenset[str]] = dict(flow.properties)
        self._handling = flow.handling
        tlp = vocabulary("tlp")
        self._tlps = frozenset(c for c in tlp.codes if tlp.rank(c) <= tlp.rank(flow.max_tlp))
        # An absurdly long retention is capped at the calendar's end instead of overflowing it.
        days = min(flow.retention_days, (date.max - today).days)
        self._retain_cap = today + timedelta(days=days)
        self._capped_cache: dict[Markings, Markings] = {}

    @property
    def agreement(self) -> Agreement:
        return self._agreement

    @property
    def flow(self) -> Flow:
        return self._flow

    @property
    def purpose(self) -> str:
        return self._purpose

    @property
    def recipient(self) -> str:
        return self._recipient

    @property
    def recipient_country(self) -> str:
        return self._recipient_country

    def refusal(self, record: Releasable) -> str | None:
        """The first entity-level rule ``record`` breaks (a ``refusal`` code), or None.

        Everything but the property filter: what hit/no-hit matching asks before an entity
        may so much as produce a hit for the partner.
        """
        if record.schema not in self._allowed:
            return SCHEMA_NOT_AGREED
        markings = record.markings
        if self._purpose not in markings.purpose:
            return PURPOSE_NOT_MARKED
        if markings.handling not in self._handling:
            return HANDLING_NOT_ALLOWED
        if markings.tlp not in self._tlps:
            return TLP_TOO_HIGH
        if self._recipient_country not in markings.releasability:
            return NOT_RELEASABLE
        if markings.retain_until < self._today:
            return RETENTION_EXPIRED
        # Originator control: what a partner gave this node goes no further without the
        # originator's consent; under H2 that holds for another agency of our own country too.
        originated_here = markings.origin_country == self._sender_country and (
            markings.handling != NO_ONWARD_SHARING
            or markings.origin_agency.casefold() == self._sender_agency
        )
        if not originated_here and record.id not in self._consents:
            return ORIGINATOR_CONTROL
        return None

    def release(self, record: Releasable) -> Released | Refused:
        """Judge one entity; the first rule it breaks is the refusal's code."""
        entity_id = record.id
        code = self.refusal(record)
        if code is not None:
            return Refused(entity_id, code)
        allowed = self._allowed[record.schema]
        markings = record.markings
        # Most properties have one value: collect in lists and deduplicate only the others.
        properties: dict[str, list[str]] = {}
        for prop, value in record.prop_values():
            if prop in allowed:
                bucket = properties.get(prop)
                if bucket is None:
                    properties[prop] = [value]
                else:
                    bucket.append(value)
        if not properties:
            return Refused(entity_id, NOTHING_ALLOWED)
        for prop, bucket in properties.items():
            if len(bucket) > 1:
                properties[prop] = sorted(set(bucket))
        if markings.retain_until > self._retain_cap:
            markings = self._capped(markings)
        return Released(entity_id, record.schema, properties, markings)

    def _capped(self, markings: Markings) -> Markings:
        """The markings with the agreement's retention; a share repeats a few markings many
        times, and rebuilding them was half the cost of a release."""
        capped = self._capped_cache.get(markings)
        if capped is None:
            capped = replace(markings, retain_until=self._retain_cap)
            if len(self._capped_cache) < CAPPED_CACHE_SIZE:
                self._capped_cache[markings] = capped
        return capped

    def release_all(self, records: Iterable[Releasable]) -> tuple[list[Released], list[Refused]]:
        """Judge a batch; every record ends up in exactly one of the two lists, in order."""
        released: list[Released] = []
        refused: list[Refused] = []
        for record in records:
            outcome = self.release(record)
            if isinstance(outcome, Released):
                released.append(outcome)
            else:
                refused.append(outcome)
        return released, refused


# --- Judicial export ------------------------------------------------------------------------
# Handing data to a court (a prosecution package) is a path out of the node like any other, so
# its rule lives here too. No agreement governs it: the recipient is this node's own justice
# system. The originator's handling codes govern it instead.

# H1: "not for use in judicial proceedings without the originator's consent".
NOT_FOR_JUDICIAL_USE = "H1"


class JudicialGate:
    """What of this node's data may go into a prosecution package, judged on ``today``.

    H1 data whose originator (country *and* agency) is not this node stays out unless the
    originator's ``judicial`` consent is on record for it (``consents``: entity ids); data past
    its retention date should already be gone and never reaches a court. Everything else is
    released whole: a court sees what the node holds, under the originator's markings. A
    refusal carries only the id and a ``refusal`` code, so a package can list what it withholds
    without becoming a path for it.
    """

    def __init__(
        self, country: str, agency: str, today: date, consents: frozenset[str] = frozenset()
    ) -> None:
        self._country = country.upper()
        self._agency = agency.casefold()
        self._today = today
        self._consents = frozenset(consents)

    def refusal(self, record: Releasable) -> str | None:
        """The ``refusal`` code that keeps ``record`` out of a package, or None."""
        markings = record.markings
        if markings.retain_until < self._today:
            return RETENTION_EXPIRED
        own = (
            markings.origin_country == self._country
            and markings.origin_agency.casefold() == self._agency
        )
        consented = record.id in self._consents
        if markings.handling == NOT_FOR_JUDICIAL_USE and not own and not consented:
            return NO_JUDICIAL_CONSENT
        return None

    def release(self, record: Releasable) -> Released | Refused:
        """Judge one entity for judicial use; released, it keeps every value it has."""
        code = self.refusal(record)
        if code is not None:
            return Refused(record.id, code)
        properties: dict[str, list[str]] = {}
        for prop, value in record.prop_values():
            properties.setdefault(prop, []).append(value)
        for prop, bucket in properties.items():
            properties[prop] = sorted(set(bucket))
        return Released(record.id, record.schema, properties, record.markings)
