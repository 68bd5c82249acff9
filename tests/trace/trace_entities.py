"""A small firearms world as node entities: guns sold in the US, some recovered in Mexico with
the serial misread the way investigators misread them, one recovered gun never sold here.

Built from a few parameters, not typed row by row, so each test can say how many it wants.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import MARKINGS, entity

US_MARKINGS: dict[str, Any] = {
    **MARKINGS,
    "origin_country": "US",
    "origin_agency": "ATF",
    "handling": "H0",
    "tlp": "GREEN",
    "retain_until": "2030-06-30",
}
# How a serial gets misread on a recovered gun: look-alike characters, a dropped character.
MISREADS = (lambda s: s.replace("B", "8"), lambda s: s[:-1], lambda s: s)
MAKES = (("Colt", "M4", "5.56", "rifle"), ("Glock", "19", "9mm", "pistol"))


def serial(i: int) -> str:
    return f"B{i:03d}KQ{(i * 7919) % 10000:04d}"


def us_sales(n: int) -> list[dict[str, Any]]:
    """``n`` first retail sales, each with its firearm, dealer and purchaser."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        make, model, caliber, kind = MAKES[i % len(MAKES)]
        out += [
            entity(
                f"us-gun-{i}",
                "Firearm",
                US_MARKINGS,
                serialNumber=serial(i),
                make=make,
                model=model,
                caliber=caliber,
                type=kind,
                manufactureCountry="us",
                notes="dealer's internal remark",
            ),
            entity(
                f"us-buyer-{i}",
                "Person",
                US_MARKINGS,
                name=f"John Straw {i}",
                firstName="John",
                lastName=f"Straw {i}",
                birthDate="1990-02-03",
                phone="+19565550199",
            ),
            entity(
                f"us-sale-{i}",
                "FirearmAcquisition",
                US_MARKINGS,
                firearm=f"us-gun-{i}",
                date=f"2022-0{1 + i % 9}-15",
                state="TX",
                county="Hidalgo",
                dealer=f"us-dealer-{i % 2}",
                dealerLicense=f"5-74-{i:05d}",
                purchaser=f"us-buyer-{i}",
            ),
        ]
    dealers = [
        entity(
            f"us-dealer-{d}",
            "Organization",
            US_MARKINGS,
            name=f"Border Guns {d} LLC",
            country="us",
            phone="+19565550100",
        )
        for d in range(min(n, 2))
    ]
    return out + dealers


def mx_recoveries(n: int, untraceable: int = 1) -> list[dict[str, Any]]:
    """``n`` recoveries of guns sold in :func:`us_sales` (serial misread), and
    ``untraceable`` more of guns no US dealer sold."""
    out: list[dict[str, Any]] = []
    for i in range(n + untraceable):
        sold = i < n
        make, model, caliber, kind = MAKES[i % len(MAKES)]
        read = MISREADS[i % len(MISREADS)](serial(i)) if sold else f"NOSALE{i:05d}"
        out += [
            entity(
                f"mx-gun-{i}",
                "Firearm",
                MARKINGS,
                serialNumber=read,
                make=make,
                model=model,
                caliber=caliber,
                type=kind,
                importerMarks="CENTURY ARMS VT",
                serialCondition="intact",
            ),
            entity(
                f"mx-possessor-{i}",
                "Person",
                MARKINGS,
                name=f"Juan Pérez {i}",
                firstName="Juan",
                lastName=f"Pérez {i}",
                birthDate="1988-05-06",
                phone="+525511112222",
            ),
            entity(
                f"mx-recovery-{i}",
                "FirearmRecovery",
                MARKINGS,
                firearm=f"mx-gun-{i}",
                date="2025-03-01",
                state="Sonora",
                municipality="Nogales",
                location="Calle Falsa 123, Nogales",
                agency="FGR",
                caseNumber=f"FED/SON/NOG/{i:04d}/2025",
                possessor=f"mx-possessor-{i}",
            ),
        ]
    return out
