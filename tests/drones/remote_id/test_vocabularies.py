"""The enumerations: names, private and reserved codes, the versions that introduced codes,
the accuracy values, and their documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.drones.remote_id import RemoteIdError
from paridad.drones.remote_id import vocabularies as voc
from paridad.drones.remote_id.errors import MSG_RESERVED, MSG_TOO_NEW
from paridad.drones.remote_id.fields import round_half_away

DOCS = Path(__file__).resolve().parents[3] / "docs" / "remote-id.md"
ALL = [value for value in vars(voc).values() if isinstance(value, voc.Vocabulary)]


def test_codes_names_and_versions() -> None:
    assert voc.UA_TYPE.name(2, 0, 0) == "helicopter_or_multirotor"
    assert voc.AUTH_TYPE.name(0xA, 2, 0) == "private_10"
    assert voc.AUTH_TYPE.name(7, 3, 0) == "reserved_7"
    assert voc.AUTH_TYPE.code("private_10", 2) == 0xA
    assert voc.AUTH_TYPE.code("reserved_7", 3) == 7
    with pytest.raises(RemoteIdError) as reserved:
        voc.AUTH_TYPE.name(7, 2, 4)
    assert (reserved.value.msgid, reserved.value.params["index"]) == (MSG_RESERVED, 4)
    with pytest.raises(RemoteIdError) as too_new:
        voc.ID_TYPE.name(4, 0, 0)
    assert too_new.value.msgid == MSG_TOO_NEW
    assert voc.ID_TYPE.name(4, 1, 0) == "specific_session_id"


def test_accuracy_classes_carry_their_metres() -> None:
    assert voc.HORIZONTAL_ACCURACY.value("lt_10_nm") == 18_520.0
    assert voc.HORIZONTAL_ACCURACY.value("lt_0_05_nm") == 92.6
    assert voc.VERTICAL_ACCURACY.value("lt_45_m") == 45.0
    assert voc.SPEED_ACCURACY.value("lt_0_3_mps") == 0.3
    assert voc.BARO_ACCURACY.value("unknown") is None
    assert voc.SPEED_ACCURACY.value("reserved_9") is None


def test_every_vocabulary_fits_its_bits_and_has_unique_names() -> None:
    assert len(ALL) == 15
    for vocab in ALL:
        assert len(vocab.names) <= 1 << vocab.bits, vocab.field
        assert len(set(vocab.names)) == len(vocab.names), vocab.field
        assert all(name == name.lower() and " " not in name for name in vocab.names)


def test_every_name_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for vocab in ALL:
        assert f"`{vocab.field}`" in text, vocab.field
        for name in vocab.names:
            assert f"`{name}`" in text, (vocab.field, name)


def test_rounding_goes_away_from_zero_like_c() -> None:
    assert [round_half_away(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999)] == [1, 2, 3, -1, -3, 2]
