"""The trace request form: every field checked, every problem named in the reader's language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from paridad.exchange.context import Exchange
from paridad.i18n import set_lang
from paridad.node import Node
from paridad.trace.request_form import (
    InvalidTraceRequest,
    TraceRequestError,
    field_label,
    form_from_recovery,
    request_part,
    trace_request_form,
    validate_form,
)
from tests.trace.trace_entities import mx_recoveries

STATED = {
    "agency_identifier": "MXFGR0001",
    "officer": "Lic. Ana Torres",
    "urgency": "routine",
    "crime_type": "firearm-possession",
}


def complete_form() -> dict[str, Any]:
    """A filled-in form built from the form's own definition: one sensible value per field."""
    values: dict[str, Any] = {}
    for field in trace_request_form().fields:
        if field.kind == "date":
            values[field.name] = "2025-03-01"
        elif field.kind == "choice":
            values[field.name] = field.codes()[0]
        elif field.kind == "country":
            values[field.name] = "US"
        elif field.kind == "list":
            values[field.name] = ["Pedro Gómez"]
        else:
            values[field.name] = f"{field.name} value"
    return values


def problems(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidTraceRequest) as caught:
        validate_form(values)
    return {p.field: p.msgid for p in caught.value.problems}


def test_every_field_has_both_labels_and_a_known_section() -> None:
    form = trace_request_form()
    for field in form.fields:
        assert field.labels["en"] and field.labels["es"] and field.section in form.sections
        assert field.labels["en"] != field.labels["es"] or field.name == "model"
    # The ATF form's boxes are all there.
    names = {f.name for f in form.fields}
    for box in (
        "agency_identifier",
        "case_number",
        "officer",
        "urgency",
        "recovered_on",
        "crime_type",
        "manufacturer",
        "importer",
        "model",
        "caliber",
        "serial",
        "firearm_type",
        "manufacture_country",
        "serial_condition",
        "possessor_name",
        "associates",
    ):
        assert box in names


def test_a_complete_form_validates_and_normalises() -> None:
    values = complete_form()
    values["urgency"] = " URGENT "
    values["manufacture_country"] = "us"
    values["serial"] = "  AB 123  "
    clean = validate_form(values)
    assert clean["urgency"] == "urgent" and clean["manufacture_country"] == "US"
    assert clean["serial"] == "AB 123"
    assert set(request_part(clean)) <= {
        f.name for f in trace_request_form().fields if f.source == "request"
    }
    assert "serial" not in request_part(clean) and "officer" in request_part(clean)


def test_each_bad_field_is_named() -> None:
    values = complete_form()
    values.update(
        urgency="whenever",
        recovered_on=(date.today() + timedelta(days=3)).isoformat(),
        possessor_birth_date="06/05/1988",
        manufacture_country="USA",
        firearm_type="bazooka",
        serial="X" * 61,
    )
    del values["caliber"]
    found = problems(values)
    assert set(found) == {
        "urgency",
        "recovered_on",
        "possessor_birth_date",
        "manufacture_country",
        "firearm_type",
        "serial",
        "caliber",
    }


def test_required_fields_depend_on_other_fields() -> None:
    values = complete_form()
    values["urgency"] = "urgent"
    del values["urgency_reason"]
    assert "urgency_reason" in problems(values)
    values["urgency"] = "routine"
    validate_form(values)  # a routine request needs no reason
    del values["serial"]
    assert "serial" in problems(values)
    values["serial_condition"] = "obliterated"
    assert "serial" not in validate_form(values)  # nothing left to read


def test_errors_are_translated_and_name_the_field_in_each_language() -> None:
    values = complete_form()
    del values["serial"]
    values["urgency"] = "whenever"
    with pytest.raises(InvalidTraceRequest) as caught:
        validate_form(values)
    error = caught.value
    english, spanish = error.localized("en"), error.localized("es")
    assert field_label("serial", "en") in english and field_label("urgency", "en") in english
    assert field_label("serial", "es") in spanish and field_label("urgency", "es") in spanish
    assert field_label("serial", "es") not in english
    set_lang("es")
    assert field_label("serial", "es") in error.localized()
    assert "serial" in [p["params"]["field"] for p in error.as_record()["problems"]]


def test_an_unknown_field_is_refused() -> None:
    values = complete_form()
    values["gun_colour"] = "black"
    assert "gun_colour" in problems(values)


def _side(node: Node) -> Exchange:
    ex = Exchange(node)
    from paridad.ingest.records import entity_from_dict

    records = [
        entity_from_dict(i, "local", "2026-01-01T00:00:00", "test") for i in mx_recoveries(1)
    ]
    with ex.db.transaction() as tx:
        tx.put_records(records)
    return ex


def test_the_form_is_built_from_a_recovery_the_node_holds(node: Node) -> None:
    with _side(node) as ex:
        form = form_from_recovery(ex, "mx-recovery-0", STATED)
        assert form["manufacturer"] == "Colt" and form["caliber"] == "5.56"
        assert form["serial"].startswith("8")  # as read, misread included
        assert form["recovered_on"] == "2025-03-01" and form["recovery_state"] == "Sonora"
        assert form["possessor_name"] == "Juan Pérez 0"
        assert form["case_number"] == "FED/SON/NOG/0000/2025"
        assert form["requesting_agency"] == "FGR" and form["importer"] == "CENTURY ARMS VT"
        # What the records say cannot be typed over in the request.
        with pytest.raises(InvalidTraceRequest) as caught:
            form_from_recovery(ex, "mx-recovery-0", {**STATED, "serial": "OTHER"})
        assert [p.field for p in caught.value.problems] == ["serial"]
        # A request without an officer is not sent.
        with pytest.raises(InvalidTraceRequest) as missing:
            form_from_recovery(
                ex, "mx-recovery-0", {k: v for k, v in STATED.items() if k != "officer"}
            )
        assert [p.field for p in missing.value.problems] == ["officer"]
        with pytest.raises(TraceRequestError):
            form_from_recovery(ex, "mx-gun-0", STATED)  # not a recovery
