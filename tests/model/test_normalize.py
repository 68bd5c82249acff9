"""Names and identifiers fold the way Mexican and US records need."""

from __future__ import annotations

from paridad.model.normalize import fold, identifier_key, name_tokens, query_terms


def test_fold_strips_accents_and_case() -> None:
    assert fold("José Ñúñez-GARCÍA") == "jose nunez garcia"


def test_particles_are_dropped_so_surname_order_and_form_do_not_matter() -> None:
    a = set(name_tokens("María de la Luz Ramírez del Río"))
    b = set(name_tokens("RAMIREZ DEL RIO, MARIA LUZ"))
    assert a == b == {"maria", "luz", "ramirez", "rio"}


def test_identifier_key_is_compact() -> None:
    assert identifier_key("ab-12 3.45") == "AB12345"
    assert identifier_key("GODE561231HDFRRN09") == "GODE561231HDFRRN09"


def test_query_with_digits_offers_the_compact_form() -> None:
    tokens, compact = query_terms("AB 123 45")
    assert tokens == ["ab", "123", "45"]
    assert compact == "ab12345"
    assert query_terms("juan perez")[1] is None
