"""Value cleaning: the fast path for tidy text agrees with FollowTheMoney exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.errors import InvalidRecord
from paridad.ingest.records import _clean, _is_tidy, clean_value
from paridad.model import model

PLAIN = [
    ("Person", "name"),
    ("Firearm", "serialNumber"),
    ("Person", "summary"),
    ("Firearm", "make"),
    ("Person", "idNumber"),
]


@settings(max_examples=400)
@given(st.sampled_from(PLAIN), st.text(min_size=1, max_size=40))
def test_fast_path_equals_ftm_cleaning(where: tuple[str, str], text: str) -> None:
    schema = model[where[0]]
    prop = schema.properties[where[1]]
    expected = prop.type.clean(text)
    if _is_tidy(text):
        assert expected == text
    try:
        _prop, got = clean_value(schema, prop.name, text)
    except InvalidRecord:
        assert expected is None
        return
    assert got == expected


def test_cache_and_fast_path_give_the_same_statements() -> None:
    schema = model["Person"]
    for value in ["José  Pérez", " Ana ", "“El Güero”", "Ana Ruiz", "Ruiz\u0301"]:
        prop, got = clean_value(schema, "name", value)
        assert got == _clean(prop.qname, value)
