"""The mapping files that tell Paridad's ingest how to read the two CSV sources.

They use FollowTheMoney's mapping language (``entities`` with ``schema``, ``id_column`` or
``keys``, ``properties`` with ``column``/``literal``/``entity``/``format``) plus Paridad's
``dataset``, ``format``, ``markings`` and ``markings_columns``. Ids come from id columns, so a
row maps to exactly the entities the JSON Lines files hold for the same record and ingesting
both is idempotent. Dates are written the way each country writes them (MM/DD/YYYY in the US
dealer records, DD/MM/YYYY in the Mexican ones) and parsed with ``format``.
"""

from __future__ import annotations

from typing import Any

import yaml

from paridad.synth import firearms
from paridad.synth.context import World


def acquisitions_mapping() -> dict[str, Any]:
    return {
        "dataset": "us-atf-acquisitions",
        "format": "csv",
        "markings": firearms.ACQUISITION_MARKINGS.for_row(),
        "markings_columns": {"handling": "handling_code"},
        "entities": {
            "purchaser": {
                "schema": "Person",
                "id_column": "purchaser_id",
                "properties": {
                    "name": {"column": "purchaser_name"},
                    "birthDate": {"column": "purchaser_dob", "format": "%m/%d/%Y"},
                },
            },
            "dealer": {
                "schema": "Company",
                "id_column": "dealer_id",
                "properties": {
                    "name": {"column": "dealer_name"},
                    "licenseNumber": {"column": "dealer_license"},
                },
            },
            "firearm": {
                "schema": "Firearm",
                "id_column": "firearm_id",
                "properties": {
                    "serialNumber": {"column": "serial"},
                    "make": {"column": "make"},
                    "model": {"column": "model"},
                    "caliber": {"column": "caliber"},
                    "type": {"column": "type"},
                    "manufactureCountry": {"column": "manufacture_country"},
                    "importerMarks": {"column": "importer"},
                },
            },
            "acquisition": {
                "schema": "FirearmAcquisition",
                "id_column": "acquisition_id",
                "properties": {
                    "firearm": {"entity": "firearm"},
                    "purchaser": {"entity": "purchaser"},
                    "dealer": {"entity": "dealer"},
                    "dealerLicense": {"column": "dealer_license"},
                    "date": {"column": "sold_on", "format": "%m/%d/%Y"},
                    "state": {"column": "dealer_state"},
                    "county": {"column": "dealer_county"},
                    "amount": {"column": "price_usd"},
                    "currency": {"literal": "USD"},
                    "multipleSaleReport": {"column": "multiple_sale_report"},
                    "multipleSaleForm": {"column": "multiple_sale_form"},
                },
            },
        },
    }


def recoveries_mapping() -> dict[str, Any]:
    return {
        "dataset": "mx-fgr-recoveries",
        "format": "csv",
        "markings": firearms.RECOVERY_MARKINGS.for_row(),
        "markings_columns": {"handling": "handling_code"},
        "entities": {
            "possessor": {
                "schema": "Person",
                "id_column": "possessor_id",
                "properties": {"name": {"column": "possessor_name"}},
            },
            "joint_case": {
                "schema": "JointCase",
                "id_column": "joint_case_id",
                "properties": {"caseNumber": {"column": "joint_case_number"}},
            },
            "firearm": {
                "schema": "Firearm",
                "id_column": "firearm_id",
                "properties": {
                    "serialNumber": {"column": "serial"},
                    "make": {"column": "make"},
                    "model": {"column": "model"},
                    "caliber": {"column": "caliber"},
                    "type": {"column": "type"},
                    "importerMarks": {"column": "importer_marks"},
                    "serialCondition": {"column": "serial_condition"},
                    "serialObliterated": {"column": "serial_obliterated"},
                },
            },
            "recovery": {
                "schema": "FirearmRecovery",
                "id_column": "recovery_id",
                "properties": {
                    "firearm": {"entity": "firearm"},
                    "possessor": {"entity": "possessor"},
                    "case": {"entity": "joint_case"},
                    "date": {"column": "recovered_on", "format": "%d/%m/%Y"},
                    "state": {"column": "state"},
                    "municipality": {"column": "municipality"},
                    "latitude": {"column": "latitude"},
                    "longitude": {"column": "longitude"},
                    "agency": {"column": "agency"},
                    "caseNumber": {"column": "case_number"},
                },
            },
        },
    }


_HEADERS = {
    "acquisitions": (
        "# First retail purchases at US federal firearms licensees, as ATF obtains them from\n"
        "# Form 4473 records when it traces a gun, with the dealers' multiple-sale reports\n"
        "# (Forms 3310.4 and 3310.12). Synthetic data from paridad.synth.\n"
    ),
    "recoveries": (
        "# Firearms recovered in Mexico and submitted by the FGR for tracing, serials as read\n"
        "# (misreads included). Dates are DD/MM/YYYY. Synthetic data from paridad.synth.\n"
    ),
}


def write(world: World) -> None:
    for side, name, spec in (
        ("us", "acquisitions", acquisitions_mapping()),
        ("mx", "recoveries", recoveries_mapping()),
    ):
        text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)
        world.writer.text(f"{side}/{name}.mapping.yml", _HEADERS[name] + text)
