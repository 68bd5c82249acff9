"""Paridad's schemata load into FtM's model and speak both languages."""

from __future__ import annotations

import pytest

from paridad.model import PARIDAD_SCHEMATA, model
from paridad.model.labels import property_label, schema_label
from paridad.model.vocabularies import property_vocabularies, vocabularies

REQUIRED_SCHEMATA = {
    "Firearm",
    "FirearmAcquisition",
    "FirearmRecovery",
    "FirearmTrace",
    "Drone",
    "DroneDetection",
    "DroneTrack",
    "Pipeline",
    "FuelTheftIncident",
    "ExtraditionRequest",
    "AssetSeizure",
    "JointCase",
    "Meeting",
    "Commitment",
}


def test_every_required_schema_is_in_the_model() -> None:
    assert set(PARIDAD_SCHEMATA) >= REQUIRED_SCHEMATA
    for name in REQUIRED_SCHEMATA:
        assert not model[name].abstract


@pytest.mark.parametrize("name", sorted(REQUIRED_SCHEMATA))
def test_schema_and_properties_have_distinct_spanish_and_english_labels(name: str) -> None:
    schema = model[name]
    assert schema_label(schema, "es") and schema_label(schema, "en")
    assert schema_label(schema, "es") != schema_label(schema, "en")
    assert schema_label(schema, "es", plural=True) != schema_label(schema, "es")
    for prop in schema.properties.values():
        if prop.stub:
            continue
        es, en = property_label(prop, "es"), property_label(prop, "en")
        assert es and en, prop.qname


def test_own_properties_have_spanish_labels_of_their_own() -> None:
    own = [
        p
        for name in PARIDAD_SCHEMATA
        for p in model[name].properties.values()
        if p.schema.name == name and not p.stub
    ]
    assert len(own) > 100
    differing = [p for p in own if property_label(p, "es") != property_label(p, "en")]
    # A few labels are the same word in both languages ("Sensor"); nearly all differ.
    assert len(differing) / len(own) > 0.9


def test_reverse_properties_are_labelled_in_spanish() -> None:
    prop = model["Person"].get("firearmPurchases")
    assert prop is not None
    assert property_label(prop, "es") == "Compras de armas"
    assert property_label(prop, "en") == "Firearm purchases"


def test_ftm_schemata_use_ftm_translations() -> None:
    assert schema_label(model["Person"], "es") == "Persona"
    assert schema_label(model["Person"], "en") == "Person"


def test_firearm_has_the_fields_tracing_needs() -> None:
    props = model["Firearm"].properties
    for name in (
        "serialNumber",
        "serialObliterated",
        "make",
        "model",
        "caliber",
        "type",
        "importerMarks",
        "manufactureCountry",
    ):
        assert name in props
    assert model["FirearmAcquisition"].get("dealerLicense") is not None
    assert model["FirearmRecovery"].get("possessor") is not None


def test_vocabularies_are_bilingual_and_referenced_ones_exist() -> None:
    for vocab in vocabularies().values():
        assert vocab.label("es") and vocab.label("en")
        assert vocab.terms
        for term in vocab.terms:
            assert term.label("es") and term.label("en"), (vocab.name, term.code)
    linked = property_vocabularies()
    assert linked["Firearm:type"].name == "firearm_type"
    assert "pistol" in linked["Firearm:type"]


def test_entities_of_new_schemata_round_trip_through_ftm() -> None:
    proxy = model.make_entity("Firearm")
    proxy.id = "f1"
    proxy.add("serialNumber", "ABC123")
    proxy.add("manufactureCountry", "United States")
    data = proxy.to_dict()
    again = model.get_proxy(data)
    assert again.get("manufactureCountry") == ["us"]
    assert again.schema.is_a("Asset")


def test_values_are_shown_in_the_readers_language() -> None:
    from paridad.model.labels import value_label

    person = model["Person"]
    assert value_label(person.properties["nationality"], "us", "es") == "Estados Unidos"
    assert value_label(person.properties["nationality"], "us", "en") == "United States"
    assert value_label(person.properties["gender"], "female", "es") == "femenino"
    firearm = model["Firearm"]
    assert value_label(firearm.properties["type"], "revolver", "es") == "Revólver"
    assert value_label(firearm.properties["make"], "Colt", "es") == "Colt"
