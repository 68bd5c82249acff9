"""Normalisation: both sides of the border must reduce one person's name to the same tokens."""

from __future__ import annotations

import pytest

from paridad.match.features import features, normalise
from paridad.match.names import (
    BirthDate,
    given_tokens,
    nickname_table,
    normalise_sex,
    organization_tokens,
    parse_birth_date,
    phone_key,
    phonetic_key,
    split_full_name,
    surname_tokens,
    uses_mexican_letters,
)


@pytest.mark.parametrize(
    ("nickname", "formal"),
    [
        ("Chuy", "jesus"),
        ("Pepe", "jose"),
        ("Lupe", "guadalupe"),
        ("Paco", "francisco"),
        ("Pancho", "francisco"),
        ("Memo", "guillermo"),
        ("Lalo", "eduardo"),
        ("Nacho", "ignacio"),
        ("Toño", "antonio"),
        ("Quique", "enrique"),
        ("Bill", "william"),
        ("Will", "william"),
        ("Bob", "robert"),
    ],
)
def test_nicknames_become_their_formal_name(nickname: str, formal: str) -> None:
    assert formal in given_tokens(nickname)


def test_ambiguous_nicknames_keep_every_reading() -> None:
    assert {"alberto", "roberto"} <= set(given_tokens("Beto"))
    assert given_tokens("Chema") == ("jose", "maria")


def test_every_nickname_in_the_data_file_is_folded() -> None:
    table = nickname_table()
    assert table and all(nick == nick.lower() and nick.isascii() for nick in table)


def test_accents_case_and_particles() -> None:
    assert given_tokens("JOSÉ DE JESÚS") == ("jose", "jesus")
    assert surname_tokens("de la Cruz Ramírez") == ("cruz", "ramirez")
    assert surname_tokens("Delacruz") == ("cruz",)
    assert surname_tokens("Hernández-García") == ("hernandez", "garcia")
    assert surname_tokens("Dean") == ("dean",)


def test_surname_order_does_not_change_the_encoded_features() -> None:
    a = normalise({"given_name": "José", "surname": "Ramírez Cruz"})
    b = normalise({"given_name": "Jose", "surname": "Cruz", "second_surname": "Ramirez"})
    bag = {f for f in features(a) if f[0] in ("n2", "st")}
    assert bag == {f for f in features(b) if f[0] in ("n2", "st")}


def test_full_names_in_one_field() -> None:
    assert split_full_name("RAMÍREZ CRUZ, JOSÉ") == ("JOSÉ", "RAMÍREZ CRUZ")
    assert split_full_name("José Luis Hernández García") == ("José Luis", "Hernández García")
    assert split_full_name("Juan de la Cruz") == ("Juan", "de la Cruz")
    record = normalise({"name": "RAMÍREZ CRUZ, JOSÉ"})
    assert record.given == ("jose",) and record.surnames == ("ramirez", "cruz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-11", BirthDate(1985, (3, 11), 3, 11)),
        ("19850311", BirthDate(1985, (3, 11), 3, 11)),
        ("1985-03-11T00:00:00", BirthDate(1985, (3, 11), 3, 11)),
        ("11/03/1985", BirthDate(1985, (3, 11), None, None)),
        ("03/11/1985", BirthDate(1985, (3, 11), None, None)),
        ("25/12/1990", BirthDate(1990, (12, 25), 12, 25)),
        ("12/25/1990", BirthDate(1990, (12, 25), 12, 25)),
        ("not a date", None),
        ("", None),
    ],
)
def test_birth_dates_tolerate_swapped_day_and_month(text: str, expected: BirthDate | None) -> None:
    assert parse_birth_date(text) == expected


def test_swapped_birth_dates_share_their_unordered_parts() -> None:
    mx = parse_birth_date("1985-11-03")
    us = parse_birth_date("1985-03-11")
    assert mx is not None and us is not None
    assert mx.parts == us.parts and mx.month != us.month


def test_sex_in_both_conventions() -> None:
    assert normalise_sex("Masculino") == "m" and normalise_sex("F") == "f"
    assert normalise_sex("M") == "m"
    assert normalise_sex("M", mexican_letters=True) == "f"
    assert uses_mexican_letters(["H", "M", "H"]) and not uses_mexican_letters(["M", "F"])
    assert normalise_sex("unknown") is None


def test_organisations_lose_their_legal_form() -> None:
    expected = ("transportes", "norte")
    assert organization_tokens("Transportes del Norte, S.A. de C.V.") == expected
    assert organization_tokens("TRANSPORTES DEL NORTE SA DE CV") == expected
    assert organization_tokens("Transportes del Norte LLC") == expected
    assert organization_tokens("Grupo Acme S. de R.L. de C.V.") == ("acme",)
    assert organization_tokens("Acme Holdings, Inc.") == ("acme", "holdings")


def test_transliteration_and_phones() -> None:
    assert given_tokens("Ñoño Müller") == ("nono", "muller")
    assert phone_key("+52 (656) 123-4567") == phone_key("656 123 4567") == "6561234567"
    assert phone_key("123") is None


def test_phonetic_key_survives_clerical_slips() -> None:
    assert phonetic_key("Hernández") == phonetic_key("Hernandes") == phonetic_key("Ernandez")
    assert phonetic_key("Villalobos") == phonetic_key("Billalobos")
    assert phonetic_key("Xavier") == phonetic_key("Javier")
    assert phonetic_key("Smith") != phonetic_key("Jones")
