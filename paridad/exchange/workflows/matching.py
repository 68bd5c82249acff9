"""Hit/no-hit between two nodes: which records match, and nothing about those that do not.

A run goes like this (the Prüm pattern, extended to every identifier kind and to names):

1. The querier picks its entities (a case, a schema, or all it holds), reads their
   identifiers (:mod:`paridad.match.identifiers`), blinds each kind's values with a fresh
   secret (:mod:`paridad.match.psi`) and sends a ``match-request``. Its secret and values
   stay in its own ledger until the answer comes, and are deleted then.
2. The responder checks the agreement (kinds it allows, items per run, runs per day), and
   builds its own side from the entities its release gate would let the querier have for
   that purpose — an entity the gate holds back cannot even produce a hit. It re-blinds the
   querier's points, blinds its own, gives each of its values an opaque handle, and sends a
   ``match-answer``. It learns nothing about the querier's values.
3. The querier intersects: each hit is one of its entities, the identifier kind that matched
   and the responder's handle — a reference, not data. An analyst confirms or rejects a hit
   (the judgement is recorded) and may send a disclosure request from it: an RFI naming the
   handle, a case and a legal basis, which the responder answers through its release gate
   or refuses with a reason (or the agreement answers automatically).

Both audit logs hold every step. The heavy arithmetic runs outside the API call that
received the message: :func:`process_matches` (the node's matcher loop) does it.
"""

from __future__ import annotations

import base64
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson
from nacl.bindings import crypto_scalarmult

from paridad.errors import ParidadError
from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso
from paridad.exchange.workflows.requests import (
    answer_rfi,
    get_request,
    list_requests,
    refuse_rfi,
    send_rfi,
)
from paridad.exchange.workflows.share import ShareResult
from paridad.i18n import N_
from paridad.match.blocking import BlockKeys
from paridad.match.clk import Encodings, LinkageKey, Scheme
from paridad.match.features import Normalised
from paridad.match.features import normalise as normalise_fields
from paridad.match.identifiers import identifiers_of
from paridad.match.linkage import HIT_THRESHOLD, EncodedSide, encode_side, link_encoded
from paridad.match.psi import PsiContext, PsiParty, new_run_id
from paridad.policy.agreement import Agreement
from paridad.policy.release_gate import Candidate
from paridad.store.database import Tx
from paridad.trace.near_keys import near_keys, shared_too_widely

MSG_NOT_ALLOWED = N_(
    "Agreement {agreement} allows no hit/no-hit matching; amend it to add a matching section."
)
MSG_NOTHING_TO_MATCH = N_(
    "None of the chosen entities has an identifier of a kind agreement {agreement} lets you "
    "match ({kinds})."
)
MSG_TOO_MANY = N_(
    "The run holds {count} items; agreement {agreement} allows at most {maximum} per run."
)
MSG_NO_RUN = N_("There is no hit/no-hit run {run} on this node.")
MSG_NO_HIT = N_("There is no hit {hit} on this node.")
MSG_BAD_JUDGEMENT = N_("A hit is judged 'confirmed' or 'rejected', not '{judgement}'.")
MSG_REJECTED_HIT = N_("Hit {hit} was rejected; confirm it before asking for disclosure.")
MSG_NOT_DISCLOSURE = N_("Request {request} is not a disclosure request from a hit.")
MSG_UNKNOWN_HANDLE = N_(
    "The hit named by request {request} is not one this node gave; refuse the request."
)

# Refusal codes a responder gives for a whole run (also in the ``refusal`` vocabulary).
RUN_KIND_NOT_AGREED = "match-kind-not-agreed"
SERIAL_NEAR = "serial_near"
RUN_TOO_LARGE = "match-too-large"
RUN_RATE_LIMITED = "match-rate-limited"
RUN_AGREEMENT = "agreement-not-in-force"
RUN_MALFORMED = "other"

JUDGEMENTS = ("confirmed", "rejected")


@dataclass(frozen=True)
class Hit:
    id: str
    run: str
    entity_id: str
    kind: str
    handle: str
    score: float
    fields: list[str]
    judgement: str | None
    judged_by: str | None
    judged_at: str | None
    reason: str | None
    disclosure: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Run:
    id: str
    direction: str
    partner: str
    agreement: str
    purpose: str
    case: str
    created_at: str
    state: str
    counts: dict[str, int]
    reason: str | None
    completed_at: str | None
    hits: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError:
        raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason=what) from None


def _as_dict(candidate: Candidate) -> dict[str, Any]:
    properties: dict[str, list[str]] = defaultdict(list)
    for prop, value in candidate.values:
        properties[prop].append(value)
    return {
        "id": candidate.id,
        "schema": candidate.schema,
        "properties": properties,
        "markings": {"origin_country": candidate.markings.origin_country},
    }


def _identifier_items(
    candidates: Sequence[Candidate], kinds: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """Per allowed kind, (normalised value, entity id) for every identifier found."""
    wanted = set(kinds)
    items: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for candidate in candidates:
        for kind, value in identifiers_of(_as_dict(candidate)):
            if kind in wanted:
                items[kind].append((value, candidate.id))
    if SERIAL_NEAR in wanted:
        near = _near_items(candidates)
        if near:
            items[SERIAL_NEAR] = near
    return dict(items)


def _near_items(candidates: Sequence[Candidate]) -> list[tuple[str, str]]:
    """``serial_near`` keys of the firearms among ``candidates`` (serial and make are two
    properties, so they are made here, not by ``identifiers_of``), without the keys so many
    of this node's firearms share that a hit on them would point at no gun in particular."""
    found: list[tuple[str, str]] = []
    for candidate in candidates:
        if candidate.schema != "Firearm":
            continue
        serials = [v for p, v in candidate.values if p == "serialNumber"]
        makes = [v for p, v in candidate.values if p == "make"]
        keys = {k for serial in serials for make in makes for k in near_keys(serial, make)}
        found.extend((key, candidate.id) for key in sorted(keys))
    crowded = shared_too_widely(found)
    return [item for item in found if item[0] not in crowded]


def _agreement(ex: Exchange, partner: str, purpose: str) -> Agreement:
    agreement = ex.require_agreement(partner, purpose)
    if not agreement.matching.allowed:
        raise ExchangeError(MSG_NOT_ALLOWED, agreement=agreement.id)
    return agreement


# --- names: privacy-preserving linkage of persons and organizations ------------------------

# Where each linkage field is read from, per schema (FtM property names).
_PERSON_FIELDS = {
    "given_name": ("firstName", "middleName", "secondName"),
    "surname": ("fatherName", "lastName"),
    "second_surname": ("motherName",),
    "name": ("name",),
    "date_of_birth": ("birthDate",),
    "sex": ("gender",),
    "phone": ("phone",),
    "id_number": ("idNumber",),
    "address": ("address",),
}
_ORGANIZATION_FIELDS = {
    "name": ("name",),
    "phone": ("phone",),
    "id_number": ("registrationNumber",),
}
NAME_SCHEMATA = {"Person": "person", "Organization": "organization", "Company": "organization"}


def linkage_key(ex: Exchange, partner: str, agreement_id: str) -> LinkageKey:
    """The key both nodes derive, and never send: X25519 between their agreement keys
    (pinned in the cards they exchanged), expanded under the agreement's id."""
    theirs = base64.b64decode(ex.partner(partner).agreement_key)
    shared = crypto_scalarmult(bytes(ex.identity.agreement_key), theirs)
    return LinkageKey.derive(shared, agreement_id)


def _linkage_record(candidate: Candidate) -> Normalised:
    kind = NAME_SCHEMATA[candidate.schema]
    fields = _PERSON_FIELDS if kind == "person" else _ORGANIZATION_FIELDS
    values: dict[str, list[str]] = defaultdict(list)
    for prop, value in candidate.values:
        values[prop].append(value)
    text = {
        field: " ".join(v for prop in props for v in values.get(prop, [])[:1])
        for field, props in fields.items()
    }
    if kind == "person" and text.get("surname") and text.get("given_name"):
        text.pop("name", None)  # the parts are authoritative when the source has them
    return normalise_fields({k: v for k, v in text.items() if v}, kind)


def _name_groups(
    candidates: Sequence[Candidate], schemata: Sequence[str]
) -> dict[str, list[Candidate]]:
    """Candidates per linkage kind (person, organization) for the schemata allowed."""
    allowed = {NAME_SCHEMATA[s] for s in schemata if s in NAME_SCHEMATA}
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        kind = NAME_SCHEMATA.get(candidate.schema)
        if kind in allowed:
            groups[kind].append(candidate)
    return dict(groups)


def _encoded_side(ids: list[str], candidates: Sequence[Candidate], key: LinkageKey) -> EncodedSide:
    return encode_side(ids, [_linkage_record(c) for c in candidates], key)


def _encode(ids: list[str], candidates: Sequence[Candidate], key: LinkageKey) -> dict[str, Any]:
    """One side's encodings as a message part (base64 of the packed arrays)."""
    side = _encoded_side(ids, candidates, key)
    return {
        "refs": ids,
        "scheme": side.encodings.scheme,
        "encodings": _b64(side.encodings.to_bytes()),
        "key_records": _b64(side.keys.record.astype("<i8").tobytes()),
        "keys": _b64(side.keys.key.astype("<u8").tobytes()),
    }


def _decode(part: Any) -> EncodedSide:
    """A partner's encodings back into arrays, refusing anything malformed."""
    if not isinstance(part, dict) or not isinstance(part.get("refs"), list):
        raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_REQUEST, reason="names")
    refs = [str(r)[:40] for r in part["refs"]]
    scheme = Scheme()
    if part.get("scheme") != scheme.fingerprint():
        raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_REQUEST, reason="scheme")
    data = _unb64(part.get("encodings"), "encodings")
    expected = len(refs) * (scheme.output_bits // 8 + len(scheme.segments))
    records = np.frombuffer(_unb64(part.get("key_records"), "key_records"), dtype="<i8")
    keys = np.frombuffer(_unb64(part.get("keys"), "keys"), dtype="<u8")
    if (
        len(data) != expected
        or len(records) != len(keys)
        or (len(records) and (records.min() < 0 or records.max() >= len(refs)))
    ):
        raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_REQUEST, reason="encodings")
    encodings = Encodings.from_bytes(refs, data, scheme)
    return EncodedSide(encodings, BlockKeys(records.astype(np.int64), keys.astype(np.uint64)))


# --- the querier -------------------------------------------------------------------------


def start_match(
    ex: Exchange,
    partner: str,
    purpose: str,
    case: str,
    entity_ids: Sequence[str] | None = None,
    *,
    kinds: Sequence[str] | None = None,
    names: bool = True,
    actor: str = "analyst",
) -> str:
    """Send a hit/no-hit request for ``entity_ids`` (default: every entity); the run id.

    ``kinds`` narrows the identifier kinds (default: all the agreement allows); ``names``
    adds the persons and organizations by privacy-preserving name linkage when the
    agreement allows it.
    """
    agreement = _agreement(ex, partner, purpose)
    allowed = [k for k in agreement.matching.identifiers if kinds is None or k in kinds]
    chosen = list(entity_ids) if entity_ids is not None else ex.entity_ids()
    # This node's own gate decides what may take part: a hit on data it may not share (H3,
    # another party's without consent, another purpose) would itself tell the partner
    # something, so such entities are not sent at all.
    gate = ex.gate(partner, purpose)
    everything = ex.candidates(chosen)
    candidates = [c for c in everything if gate.refusal(c) is None]
    held_back = len(everything) - len(candidates)
    items = _identifier_items(candidates, allowed)
    groups = _name_groups(candidates, agreement.matching.names) if names else {}
    if not items and not groups:
        kinds_text = ", ".join([*allowed, *agreement.matching.names]) or "-"
        raise ExchangeError(MSG_NOTHING_TO_MATCH, agreement=agreement.id, kinds=kinds_text)
    count = sum(len({v for v, _ in values}) for values in items.values())
    count += sum(len(group) for group in groups.values())
    if count > agreement.matching.max_items:
        raise ExchangeError(
            MSG_TOO_MANY, count=count, agreement=agreement.id, maximum=agreement.matching.max_items
        )
    run_id = new_run_id()
    work: dict[str, Any] = {"secrets": {}, "items": items, "names": {}}
    encoded: dict[str, Any] = {}
    if groups:
        key = linkage_key(ex, partner, agreement.id)
        for kind, group in sorted(groups.items()):
            # Records travel under positional references; the entity ids stay here.
            refs = [f"{kind[0]}{i}" for i in range(len(group))]
            encoded[kind] = _encode(refs, group, key)
            work["names"][kind] = [c.id for c in group]
    points: dict[str, dict[str, Any]] = {}
    for kind, values in sorted(items.items()):
        secret = secrets.token_bytes(32)
        party = PsiParty(PsiContext(agreement.id, run_id, kind), secret)
        blinded = party.blind([v for v, _ in values])
        work["secrets"][kind] = secret.hex()
        points[kind] = {"points": _b64(blinded), "count": len(blinded) // 32}
    case = case.strip()[: m.MAX_TEXT] or "-"
    payload: dict[str, Any] = {
        "kind": m.MATCH_REQUEST,
        "id": run_id,
        "agreement": agreement.id,
        "purpose": purpose,
        "case": case,
        "identifiers": points,
        "names": encoded,
    }
    counts = {kind: int(p["count"]) for kind, p in points.items()}
    counts.update({f"name:{kind}": len(group) for kind, group in groups.items()})
    with ex.db.transaction() as tx:
        _insert_run(tx, run_id, "out", partner, agreement.id, purpose, case, counts)
        tx.execute(
            "UPDATE match_runs SET work = ? WHERE id = ? AND direction = 'out'",
            (orjson.dumps(work).decode(), run_id),
        )
        ex.enqueue(tx, partner, payload)
        ex.audit.append(
            tx,
            "match",
            actor,
            {
                "run": run_id,
                "to": partner,
                "case": case,
                "counts": counts,
                "held_back_by_gate": held_back,
            },
        )
    return run_id


def _insert_run(
    tx: Tx,
    run_id: str,
    direction: str,
    partner: str,
    agreement: str,
    purpose: str,
    case: str,
    counts: dict[str, int],
    state: str | None = None,
) -> None:
    tx.execute(
        "INSERT INTO match_runs (id, direction, partner, agreement, purpose, case_ref,"
        " created_at, state, counts) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        (
            run_id,
            direction,
            partner,
            agreement,
            purpose,
            case,
            now_iso(),
            state or ("sent" if direction == "out" else "open"),
            orjson.dumps(counts).decode(),
        ),
    )


def _complete(ex: Exchange, run: Run, work: dict[str, Any], answer: dict[str, Any]) -> int:
    """Intersect the answer with this node's own blinded values; record the hits."""
    hits: list[tuple[Any, ...]] = []
    for kind, values in work["items"].items():
        part = answer.get("identifiers", {}).get(kind)
        if not isinstance(part, dict):
            continue
        secret = bytes.fromhex(work["secrets"][kind])
        party = PsiParty(PsiContext(run.agreement, run.id, kind), secret)
        party.blind([v for v, _ in values])
        handles = part.get("handles")
        peer_set = _unb64(part.get("set"), "set")
        if not isinstance(handles, list) or len(handles) != len(peer_set) // 32:
            raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason="handles")
        for mine, theirs in party.intersect_pairs(_unb64(part.get("reply"), "reply"), peer_set):
            entity_id = values[mine][1]
            handle = str(handles[theirs])[:80]
            hit_id = f"hit-{secrets.token_hex(8)}"
            hits.append((hit_id, run.id, entity_id, kind, handle, 1.0, orjson.dumps([kind])))
    # A serial the partner holds exactly also shares every one-deletion key with it: the
    # exact hit says it all, so its near hits are dropped.
    exact = {h[2] for h in hits if h[3] == "serial"}
    hits = [h for h in hits if not (h[3] == SERIAL_NEAR and h[2] in exact)]
    hits.extend(_name_hits(run, work, answer))
    with ex.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO match_hits (id, run, entity_id, kind, handle, score, fields)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            [(*h[:6], h[6].decode()) for h in hits],
        )
        tx.execute(
            "UPDATE match_runs SET state = 'completed', work = NULL, completed_at = ?, hits = ?"
            " WHERE id = ? AND direction = 'out'",
            (now_iso(), len(hits), run.id),
        )
        ex.audit.append(
            tx,
            "match",
            ex.name,
            {"run": run.id, "with": run.partner, "hits": len(hits), "state": "completed"},
        )
    return len(hits)


def _name_hits(run: Run, work: dict[str, Any], answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Hits the responder found by comparing this node's encodings with its own."""
    found = answer.get("names")
    if not isinstance(found, list):
        raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason="names")
    hits: list[tuple[Any, ...]] = []
    for item in found:
        if not isinstance(item, dict):
            raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason="names")
        kind = item.get("kind")
        entities = work.get("names", {}).get(kind)
        ref, handle, score = item.get("ref"), item.get("handle"), item.get("score")
        if not entities or not isinstance(ref, str) or not isinstance(score, int):
            raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason="names")
        try:
            entity_id = entities[int(ref[1:])]
        except (ValueError, IndexError):
            raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=m.MATCH_ANSWER, reason="ref") from None
        fields = orjson.dumps([f"name:{kind}"])
        hit_id = f"hit-{secrets.token_hex(8)}"
        hits.append(
            (hit_id, run.id, entity_id, f"name:{kind}", str(handle)[:80], score / 1000, fields)
        )
    return hits


# --- the responder -----------------------------------------------------------------------


def _runs_today(ex: Exchange, partner: str) -> int:
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="microseconds")
    rows = ex.db.query(
        "SELECT COUNT(*) FROM match_runs WHERE direction = 'in' AND partner = ?"
        " AND state = 'answered' AND created_at >= ?",
        (partner, since),
    )
    return int(rows[0][0])


def _refuse(ex: Exchange, run: Run, code: str, failure: str | None = None) -> None:
    with ex.db.transaction() as tx:
        tx.execute(
            "UPDATE match_runs SET state = 'refused', reason = ?, work = NULL, completed_at = ?"
            " WHERE id = ? AND direction = 'in'",
            (code, now_iso(), run.id),
        )
        ex.enqueue(tx, run.partner, {"kind": m.MATCH_REFUSAL, "run": run.id, "reason": code})
        details = {"run": run.id, "by": run.partner, "refused": code}
        if failure:
            details["failure"] = failure
        ex.audit.append(tx, "match", ex.name, details)


def _answer(ex: Exchange, run: Run, request: dict[str, Any]) -> None:
    found = ex.agreement_by_id(run.agreement)
    today = datetime.now(UTC).date()
    if found is None or found[1] or not found[0].in_force(today):
        _refuse(ex, run, RUN_AGREEMENT)
        return
    agreement = found[0]
    asked = request.get("identifiers") or {}
    asked_names = request.get("names") or {}
    allowed_names = {NAME_SCHEMATA[s] for s in agreement.matching.names}
    if any(kind not in agreement.matching.identifiers for kind in asked) or any(
        kind not in allowed_names for kind in asked_names
    ):
        _refuse(ex, run, RUN_KIND_NOT_AGREED)
        return
    # Count what was sent, not what the request says it holds.
    points = {
        kind: _unb64(part.get("points") if isinstance(part, dict) else None, "points")
        for kind, part in asked.items()
    }
    theirs = {kind: _decode(part) for kind, part in asked_names.items()}
    sent = sum(len(p) // 32 for p in points.values()) + sum(
        len(t.encodings) for t in theirs.values()
    )
    if sent > agreement.matching.max_items:
        _refuse(ex, run, RUN_TOO_LARGE)
        return
    if _runs_today(ex, run.partner) >= agreement.matching.runs_per_day:
        _refuse(ex, run, RUN_RATE_LIMITED)
        return
    gate = ex.gate(run.partner, run.purpose)
    matchable = [c for c in ex.candidates(ex.entity_ids()) if gate.refusal(c) is None]
    mine = _identifier_items(matchable, list(asked))
    name_hits: list[dict[str, Any]] = []
    handles: list[tuple[str, str, str, str]] = []
    if asked_names:
        key = linkage_key(ex, run.partner, agreement.id)
        groups = _name_groups(matchable, agreement.matching.names)
        for kind, their_side in sorted(theirs.items()):
            group = groups.get(kind, [])
            if not group:
                continue
            own_handles = [f"h-{secrets.token_hex(8)}" for _ in group]
            outcome = link_encoded(their_side, _encoded_side(own_handles, group, key))
            by_handle = dict(zip(own_handles, group, strict=True))
            for ref, handle, score in outcome.pairs():
                if score < HIT_THRESHOLD:
                    continue
                handles.append((run.id, handle, by_handle[handle].id, f"name:{kind}"))
                item = {"kind": kind, "ref": ref, "handle": handle, "score": round(score * 1000)}
                name_hits.append(item)
    answer: dict[str, Any] = {}
    for kind, request_points in sorted(points.items()):
        party = PsiParty(
            PsiContext(agreement.id, run.id, kind), max_peer_points=agreement.matching.max_items
        )
        values = mine.get(kind, [])
        unique = sorted({v for v, _ in values})
        blinded = party.blind(unique)
        by_value: dict[str, list[str]] = defaultdict(list)
        for value, entity_id in values:
            by_value[value].append(entity_id)
        kind_handles = []
        for position in party.sent_positions():
            handle = f"h-{secrets.token_hex(8)}"
            kind_handles.append(handle)
            handles.extend((run.id, handle, e, kind) for e in by_value[unique[position]])
        answer[kind] = {
            "reply": _b64(party.reblind(request_points)),
            "set": _b64(blinded),
            "handles": kind_handles,
        }
    with ex.db.transaction() as tx:
        tx.executemany("INSERT INTO match_handles VALUES (?,?,?,?) ON CONFLICT DO NOTHING", handles)
        tx.execute(
            "UPDATE match_runs SET state = 'answered', work = NULL, completed_at = ?"
            " WHERE id = ? AND direction = 'in'",
            (now_iso(), run.id),
        )
        ex.enqueue(
            tx,
            run.partner,
            {"kind": m.MATCH_ANSWER, "run": run.id, "identifiers": answer, "names": name_hits},
        )
        ex.audit.append(
            tx,
            "match",
            ex.name,
            {
                "run": run.id,
                "by": run.partner,
                "case": run.case,
                "answered": {k: len(v["handles"]) for k, v in answer.items()},
                "name_hits": len(name_hits),
            },
        )


# --- applying the messages (called by the inbox, inside its transaction) -----------------


def _claimed(part: Any, field: str) -> int:
    """A count as the partner states it (shown in listings; never trusted for limits)."""
    value = part.get(field) if isinstance(part, dict) else None
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def receive_request(tx: Tx, sender: str, payload: dict[str, Any]) -> None:
    counts = {str(k)[:40]: _claimed(p, "count") for k, p in payload["identifiers"].items()}
    counts.update({f"name:{str(k)[:40]}": _claimed(p, "refs") for k, p in payload["names"].items()})
    _insert_run(
        tx,
        payload["id"],
        "in",
        sender,
        payload["agreement"],
        payload["purpose"],
        payload["case"][:300],
        counts,
    )
    tx.execute(
        "UPDATE match_runs SET work = ? WHERE id = ? AND direction = 'in' AND state = 'open'",
        (orjson.dumps(payload).decode(), payload["id"]),
    )


def receive_answer(tx: Tx, sender: str, payload: dict[str, Any], refused: bool = False) -> None:
    rows = tx.query(
        "SELECT work FROM match_runs WHERE id = ? AND direction = 'out' AND partner = ?"
        " AND state = 'sent'",
        (payload["run"], sender),
    )
    if not rows:
        raise m.InvalidMessage(MSG_NO_RUN, run=str(payload["run"])[:80])
    if refused:
        tx.execute(
            "UPDATE match_runs SET state = 'refused', reason = ?, work = NULL, completed_at = ?"
            " WHERE id = ? AND direction = 'out'",
            (str(payload["reason"])[:80], now_iso(), payload["run"]),
        )
        return
    work = orjson.loads(rows[0][0])
    work["answer"] = payload
    tx.execute(
        "UPDATE match_runs SET state = 'answered', work = ? WHERE id = ? AND direction = 'out'",
        (orjson.dumps(work).decode(), payload["run"]),
    )


# --- the matcher loop --------------------------------------------------------------------


def process_matches(ex: Exchange) -> int:
    """Answer open incoming runs and complete answered outgoing ones; how many were done.

    Each run is claimed first, so two processes of one node (the server and a command) never
    both answer it; a claim older than :data:`CLAIM_EXPIRES` (its process died) is taken
    over. A run whose data turns out malformed is refused (incoming) or marked failed
    (outgoing) with the reason, never retried in a loop and never lost.
    """
    done = 0
    for run in _pending(ex):
        work = _claim(ex, run)
        if work is None:
            continue
        try:
            if run.direction == "in":
                _answer(ex, run, work)
            else:
                _complete(ex, run, work, work["answer"])
        except ParidadError as exc:
            if run.direction == "in":
                # The querier hears that its run was refused; the details stay in the log.
                _refuse(ex, run, RUN_MALFORMED, failure=exc.msgid)
                done += 1
                continue
            reason = orjson.dumps(exc.as_record()).decode()
            with ex.db.transaction() as tx:
                tx.execute(
                    "UPDATE match_runs SET state = 'failed', reason = ?, work = NULL,"
                    " completed_at = ? WHERE id = ? AND direction = ?",
                    (reason, now_iso(), run.id, run.direction),
                )
                ex.audit.append(tx, "match", ex.name, {"run": run.id, "failed": exc.msgid})
        done += 1
    return done + _automatic_disclosures(ex)


CLAIM_EXPIRES = timedelta(minutes=30)
_WAITING = {"in": "open", "out": "answered"}


def _pending(ex: Exchange) -> list[Run]:
    stale = (datetime.now(UTC) - CLAIM_EXPIRES).isoformat(timespec="microseconds")
    rows = ex.db.query(
        f"SELECT {_RUN_COLUMNS} FROM match_runs WHERE work IS NOT NULL AND ("
        " (direction = 'in' AND state = 'open') OR (direction = 'out' AND state = 'answered')"
        " OR (state = 'working' AND claimed_at < ?)) ORDER BY created_at",
        (stale,),
    )
    return [_run(r) for r in rows]


def _claim(ex: Exchange, run: Run) -> dict[str, Any] | None:
    """Take ``run`` for this process; its work, or None if another process holds it."""
    stale = (datetime.now(UTC) - CLAIM_EXPIRES).isoformat(timespec="microseconds")
    with ex.db.transaction() as tx:
        taken = tx.execute(
            "UPDATE match_runs SET state = 'working', claimed_at = ? WHERE id = ?"
            " AND direction = ? AND work IS NOT NULL AND (state = ? OR"
            " (state = 'working' AND claimed_at < ?))",
            (now_iso(), run.id, run.direction, _WAITING[run.direction], stale),
        )
        if not taken:
            return None
        rows = tx.query(
            "SELECT work FROM match_runs WHERE id = ? AND direction = ?", (run.id, run.direction)
        )
    work: dict[str, Any] = orjson.loads(rows[0][0])
    return work


# --- reading and judging ------------------------------------------------------------------

_RUN_COLUMNS = (
    "id, direction, partner, agreement, purpose, case_ref, created_at, state, counts, reason,"
    " completed_at, hits"
)
_HIT_COLUMNS = (
    "id, run, entity_id, kind, handle, score, fields, judgement, judged_by, judged_at, reason,"
    " disclosure"
)


def _run(row: Sequence[Any]) -> Run:
    values = list(row)
    values[8] = orjson.loads(values[8])
    values[11] = int(values[11])
    return Run(*values)


def _hit(row: Sequence[Any]) -> Hit:
    values = list(row)
    values[5] = float(values[5])
    values[6] = orjson.loads(values[6])
    return Hit(*values)


def list_runs(ex: Exchange) -> list[Run]:
    return [
        _run(r)
        for r in ex.db.query(f"SELECT {_RUN_COLUMNS} FROM match_runs ORDER BY created_at, id")
    ]


def get_run(ex: Exchange, run_id: str) -> Run:
    rows = ex.db.query(f"SELECT {_RUN_COLUMNS} FROM match_runs WHERE id = ?", (run_id,))
    if not rows:
        raise ExchangeError(MSG_NO_RUN, run=run_id)
    return _run(rows[0])


def list_hits(ex: Exchange, run_id: str | None = None) -> list[Hit]:
    sql = f"SELECT {_HIT_COLUMNS} FROM match_hits"
    args: tuple[Any, ...] = ()
    if run_id:
        sql += " WHERE run = ?"
        args = (run_id,)
    return [_hit(r) for r in ex.db.query(sql + " ORDER BY run, entity_id, kind", args)]


def get_hit(ex: Exchange, hit_id: str) -> Hit:
    rows = ex.db.query(f"SELECT {_HIT_COLUMNS} FROM match_hits WHERE id = ?", (hit_id,))
    if not rows:
        raise ExchangeError(MSG_NO_HIT, hit=hit_id)
    return _hit(rows[0])


def judge_hit(
    ex: Exchange, hit_id: str, judgement: str, reason: str, *, actor: str = "analyst"
) -> Hit:
    """Record an analyst's judgement of a hit (the latest one stands; the log keeps all)."""
    if judgement not in JUDGEMENTS:
        raise ExchangeError(MSG_BAD_JUDGEMENT, judgement=judgement)
    hit = get_hit(ex, hit_id)
    with ex.db.transaction() as tx:
        tx.execute(
            "UPDATE match_hits SET judgement = ?, judged_by = ?, judged_at = ?, reason = ?"
            " WHERE id = ?",
            (judgement, actor, now_iso(), reason.strip()[: m.MAX_TEXT], hit_id),
        )
        ex.audit.append(
            tx,
            "match",
            actor,
            {"hit": hit_id, "run": hit.run, "judgement": judgement, "reason": reason[:300]},
        )
    return get_hit(ex, hit_id)


def request_disclosure(
    ex: Exchange,
    hit_id: str,
    question: str,
    *,
    legal_basis: str | None = None,
    case: str | None = None,
    actor: str = "analyst",
) -> str:
    """Step two: ask the partner for the record behind a hit, as an RFI naming its handle."""
    hit = get_hit(ex, hit_id)
    if hit.judgement == "rejected":
        raise ExchangeError(MSG_REJECTED_HIT, hit=hit_id)
    run = get_run(ex, hit.run)
    request_id = send_rfi(
        ex,
        run.partner,
        run.purpose,
        case or run.case,
        question,
        legal_basis=legal_basis,
        subject={"hit": {"run": run.id, "handle": hit.handle, "kind": hit.kind}},
        actor=actor,
    )
    with ex.db.transaction() as tx:
        tx.execute("UPDATE match_hits SET disclosure = ? WHERE id = ?", (request_id, hit_id))
        ex.audit.append(
            tx, "disclosure", actor, {"hit": hit_id, "run": run.id, "request": request_id}
        )
    return request_id


def entities_for_handle(ex: Exchange, run_id: str, handle: str) -> list[str]:
    """The responder's entities behind a handle it gave in ``run_id`` (for disclosure)."""
    rows = ex.db.query(
        "SELECT entity_id FROM match_handles WHERE run = ? AND handle = ? ORDER BY entity_id",
        (run_id, handle),
    )
    return [r[0] for r in rows]


def answer_disclosure(
    ex: Exchange, rfi_id: str, *, note: str | None = None, actor: str = "analyst"
) -> ShareResult:
    """Approve a disclosure request: the records behind its hit, through the release gate."""
    request = get_request(ex, rfi_id, "in")
    hit = (request.body.get("subject") or {}).get("hit") if request else None
    if request is None or not isinstance(hit, dict):
        raise ExchangeError(MSG_NOT_DISCLOSURE, request=rfi_id)
    entity_ids = entities_for_handle(ex, str(hit.get("run")), str(hit.get("handle")))
    if not entity_ids:
        raise ExchangeError(MSG_UNKNOWN_HANDLE, request=rfi_id)
    return answer_rfi(ex, rfi_id, entity_ids, note=note, actor=actor)


def _automatic_disclosures(ex: Exchange) -> int:
    """Answer open disclosure requests under agreements that say ``disclosure: automatic``."""
    done = 0
    for request in list_requests(ex, direction="in", kind="rfi"):
        if request.state != "open" or not isinstance(request.body.get("subject"), dict):
            continue
        if "hit" not in request.body["subject"]:
            continue
        found = ex.agreement_by_id(request.agreement)
        if found is None or found[0].matching.disclosure != "automatic":
            continue
        try:
            answer_disclosure(ex, request.id, actor="agreement")
        except ExchangeError as exc:
            del exc  # the code says enough to the partner; the log keeps the details
            refuse_rfi(ex, request.id, "outside-agreement", actor="agreement")
        done += 1
    return done
