"""Agreement life cycle on the wire: termination, and the exchange of signed tree heads.

Either party may terminate an agreement on its own. Termination takes effect on the
terminating node at once (its gate closes in the same transaction) and is sent to the partner
as a signed message, whose node then refuses records under that agreement too.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

from paridad.audit.heads import sign_head
from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso
from paridad.i18n import N_
from paridad.policy.agreement import Agreement, parse_agreement

MSG_UNKNOWN_AGREEMENT = N_("No agreement {agreement} is installed on this node.")


def terminate(ex: Exchange, agreement_id: str, *, actor: str = "operator") -> None:
    found = ex.agreement_by_id(agreement_id)
    if found is None:
        raise ExchangeError(MSG_UNKNOWN_AGREEMENT, agreement=agreement_id)
    agreement, _ = found
    partner = next(p.node for p in agreement.parties if p.node != ex.name)
    with ex.db.transaction() as tx:
        tx.execute(
            "UPDATE agreements SET terminated_at = ?, terminated_by = ? WHERE id = ?"
            " AND terminated_at IS NULL",
            (now_iso(), ex.name, agreement_id),
        )
        ex.audit.append(tx, "agreement", actor, {"agreement": agreement_id, "action": "terminated"})
        ex.enqueue(
            tx,
            partner,
            {"kind": m.TERMINATION, "agreement": agreement_id, "version": agreement.version},
        )


def send_tree_head(ex: Exchange, partner: str) -> int:
    """Sign the log's current head and send it, with a consistency proof from the last head
    sent to this partner, so the partner can check nothing was rewritten in between."""
    last = 0
    for (envelope,) in ex.db.query(
        "SELECT envelope FROM outbox WHERE recipient = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
        (partner, m.TREE_HEAD),
    ):
        last = int(orjson.loads(envelope)["payload"]["head"]["size"])
    head = sign_head(ex.audit, ex.identity, ex.name)
    if head.size == last:
        return head.size
    payload: dict[str, Any] = {"kind": m.TREE_HEAD, "head": head.to_dict()}
    if last:
        payload["proof"] = [h.hex() for h in ex.audit.consistency(last, head.size)]
    with ex.db.transaction() as tx:
        ex.enqueue(tx, partner, payload)
    return head.size


TEMPLATES = Path(__file__).resolve().parents[2] / "policy" / "templates"
MSG_UNKNOWN_TEMPLATE = N_("There is no agreement template '{name}'; available: {available}.")


def templates() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.yaml"))


def draft(
    ex: Exchange,
    partner_name: str,
    template: str = "firearms-trafficking",
    *,
    valid_from: date | None = None,
    days: int = 365,
) -> Agreement:
    """An unsigned agreement between this node and a registered partner, from a template.

    Parties carry the keys the operators pinned (this node's own, the partner's card), so
    the document both sign names exactly the keys their TLS and envelopes will use. What the
    template says about hit/no-hit (``matching``) and trace requests (``tracing``: whether the
    node answers them by itself) is copied as it is.
    """
    path = TEMPLATES / f"{template}.yaml"
    if not path.is_file():
        raise ExchangeError(MSG_UNKNOWN_TEMPLATE, name=template, available=", ".join(templates()))
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    partner = ex.partner(partner_name)
    me = {
        "node": ex.name,
        "country": ex.country,
        "agency": ex.agency,
        "signing_key": base64.b64encode(bytes(ex.identity.verify_key)).decode(),
    }
    them = {
        "node": partner.node,
        "country": partner.country,
        "agency": partner.agency,
        "signing_key": partner.signing_key,
    }
    by_country = {ex.country: ex.name, partner.country: partner.node}
    flows = {}
    for key, flow in spec["flows"].items():
        sender, _, recipient = key.partition("->")
        if sender in by_country and recipient in by_country:
            flows[f"{by_country[sender]}->{by_country[recipient]}"] = flow
    start = valid_from or date.today()
    parties = sorted([me, them], key=lambda p: p["country"] != "MX")
    document = {
        "id": f"{parties[0]['node']}--{parties[1]['node']}--{spec['name']}",
        "version": 1,
        "status": "active",
        "parties": parties,
        "purposes": spec["purposes"],
        "legal_basis": spec["legal_basis"],
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=days)).isoformat(),
        "rfi_deadline_hours": spec["rfi_deadline_hours"],
        "rate_limit_per_minute": spec["rate_limit_per_minute"],
        "flows": flows,
    }
    if spec.get("matching"):
        document["matching"] = spec["matching"]
    if spec.get("tracing"):
        document["tracing"] = spec["tracing"]
    agreement = parse_agreement(document)
    # A template with a bad tracing mode fails here, not at the first trace request.
    from paridad.exchange.workflows.tracing import answer_mode

    answer_mode(agreement)
    return agreement
