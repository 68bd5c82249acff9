"""A small case on two paired nodes: a recovery in Mexico traced to a purchase in Texas.

The Mexican node (FGR) ingests its own case, recovery, firearm, trace and a link; the US node
(ATF) shares the purchase, the dealer and the purchaser. The purchaser is marked H1 by ATF (not
for judicial proceedings without its consent), so it is what a package must withhold until
ATF's judicial consent is on record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from paridad.audit.ingests import record_ingest
from paridad.exchange.workflows.requests import answer_consent, request_consent
from paridad.exchange.workflows.share import share
from paridad.ingest.pipeline import ingest_file
from tests.conftest import MARKINGS, entity
from tests.exchange.conftest import US_MARKINGS, Pair, load, pair_nodes

__all__ = ["pair_nodes"]

CASE_NUMBER = "FGR/CORT/2026/001"
PURCHASER_NAME = "Zacarías Quintanilla"  # H1 of ATF: withheld without consent
PURCHASER_BIRTH = "1979-04-23"
DEALER_NAME = "Lone Star Guns"
US_H0 = {**US_MARKINGS, "handling": "H0"}


def us_entities() -> list[dict[str, Any]]:
    return [
        entity("us-fa-1", "Firearm", US_H0, serialNumber="ABC123", make="Glock", model="19"),
        entity("us-fa-2", "Firearm", US_H0, serialNumber="ZZZ999", make="Colt", model="M4"),
        entity(
            "us-acq-1",
            "FirearmAcquisition",
            US_H0,
            firearm="us-fa-1",
            purchaser="us-person-1",
            dealer="us-dealer-1",
            date="2024-01-10",
            state="TX",
        ),
        entity(
            "us-acq-2",
            "FirearmAcquisition",
            US_H0,
            firearm="us-fa-2",
            purchaser="us-person-1",
            dealer="us-dealer-1",
            date="2024-01-12",
            state="TX",
        ),
        entity("us-dealer-1", "Organization", US_H0, name=DEALER_NAME),
        entity(
            "us-person-1", "Person", US_MARKINGS, name=PURCHASER_NAME, birthDate=PURCHASER_BIRTH
        ),
    ]


def mx_entities() -> list[dict[str, Any]]:
    return [
        entity("mx-case-1", "JointCase", MARKINGS, name="Cortafuegos 1", caseNumber=CASE_NUMBER),
        entity("mx-fa-1", "Firearm", MARKINGS, serialNumber="A8C123", make="Glock"),
        entity(
            "mx-rec-1",
            "FirearmRecovery",
            MARKINGS,
            firearm="mx-fa-1",
            case="mx-case-1",
            caseNumber=CASE_NUMBER,
            state="Tamaulipas",
            municipality="Reynosa",
            date="2025-02-14",
        ),
        entity(
            "mx-trace-1",
            "FirearmTrace",
            MARKINGS,
            recovery="mx-rec-1",
            acquisition="us-acq-1",
            score="0.97",
            timeToCrimeDays="401",
            date="2025-03-01",
        ),
        entity("mx-org-1", "Organization", MARKINGS, name="Transportes del Norte"),
        entity("mx-link-1", "UnknownLink", MARKINGS, subject="us-person-1", object="mx-org-1"),
    ]


@pytest.fixture
def case_pair(pair_nodes: Pair, tmp_path: Path) -> Iterator[Pair]:
    """The paired nodes with the case loaded on both sides and the US data shared."""
    p = pair_nodes
    load(p.us, us_entities(), dataset="atf-etrace")
    share(p.us.ex, p.mx.name, "firearms-trafficking", p.us.ex.entity_ids(), case=CASE_NUMBER)
    p.flush()
    source = tmp_path / "fgr-cortafuegos.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(e) for e in mx_entities()) + b"\n")
    with p.mx.node.open_store() as store:
        report = ingest_file(store, source, dataset="fgr-cases")
    record_ingest(p.mx.node.store_url, report, actor="fgr-operator")
    yield p


def grant_judicial_consent(p: Pair, entity_ids: list[str]) -> str:
    """Ask ATF for judicial use of ``entity_ids`` through the consent workflow; ATF grants."""
    request = request_consent(
        p.mx.ex, p.us.name, entity_ids, "judicial", CASE_NUMBER, "Proceso penal federal"
    )
    p.flush()
    answer_consent(p.us.ex, request, True)
    p.flush()
    return request
