"""Node cards and the partner registry: nothing on a card counts until its fingerprint does."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from paridad.exchange import partners, tls
from paridad.exchange.partners import (
    InvalidCard,
    PartnerError,
    add_partner,
    card_yaml,
    get_partner,
    load_partners,
    make_card,
    trust_bundle_path,
)
from paridad.i18n import set_lang
from paridad.node import Node

MX_URL = "https://mx-fgr.example.gob.mx:8443"


@pytest.fixture
def mx(tmp_path: Path) -> Node:
    return Node.init(tmp_path / "mx", "MX", "FGR")


@pytest.fixture
def us(tmp_path: Path) -> Node:
    return Node.init(tmp_path / "us", "US", "ATF")


@pytest.fixture
def card(mx: Node) -> dict[str, str]:
    """mx's card as the US operator receives it: YAML text, read back."""
    loaded = yaml.safe_load(card_yaml(make_card(mx, MX_URL)))
    assert isinstance(loaded, dict)
    return loaded


def _fp(node: Node) -> str:
    return node.identity().signing_fingerprint


def test_card_round_trip(mx: Node, us: Node, card: dict[str, str]) -> None:
    partner = add_partner(us.path, card, _fp(mx))
    assert partner.node == "mx-fgr" and partner.country == "MX" and partner.agency == "FGR"
    assert partner.url == MX_URL
    assert partner.fingerprint == _fp(mx)
    assert bytes(partner.verify_key) == bytes(mx.identity().verify_key)
    assert base64.b64decode(partner.agreement_key) == bytes(mx.identity().public_agreement_key)
    assert tls.pinned(partner.certificate_pem, partner.signing_key)
    assert load_partners(us.path) == {"mx-fgr": partner}
    assert get_partner(us.path, "mx-fgr") == partner
    assert (us.path / "partners" / "mx-fgr.yaml").is_file()
    stored = yaml.safe_load((us.path / "partners" / "mx-fgr.yaml").read_text(encoding="utf-8"))
    assert stored["confirmed"]["fingerprint"] == _fp(mx)
    assert stored["card"] == card
    assert trust_bundle_path(us.path).read_bytes() == partner.certificate_pem


def test_the_card_reminds_the_operator_to_check_by_phone(mx: Node) -> None:
    text = card_yaml(make_card(mx, MX_URL))
    assert text.startswith("# ")
    assert "mx-fgr" in text.splitlines()[0]
    assert _fp(mx) not in text  # the fingerprint must come from the other operator


def test_the_card_certificate_is_the_node_tls_certificate(mx: Node, card: dict[str, str]) -> None:
    files = tls.ensure_tls_files(mx.path, mx.identity(), mx.config.name)
    assert card["certificate"].encode() == files.certificate_pem


@pytest.mark.parametrize(
    "spoken",
    [
        lambda fp: fp.upper(),
        lambda fp: fp.replace(" ", ""),
        lambda fp: f"  {fp.replace(' ', ':')}  ",
    ],
)
def test_fingerprint_spacing_and_case_do_not_matter(
    mx: Node, us: Node, card: dict[str, str], spoken: Callable[[str], str]
) -> None:
    assert add_partner(us.path, card, spoken(_fp(mx))).node == "mx-fgr"


def test_wrong_fingerprint_is_refused(mx: Node, us: Node, card: dict[str, str]) -> None:
    with pytest.raises(PartnerError) as err:
        add_partner(us.path, card, _fp(us))
    assert err.value.msgid == partners.MSG_FINGERPRINT_MISMATCH
    assert _fp(mx) not in str(err.value)  # never offer the card's own fingerprint to copy
    assert load_partners(us.path) == {}


def test_short_fingerprint_is_refused(us: Node, card: dict[str, str]) -> None:
    with pytest.raises(PartnerError) as err:
        add_partner(us.path, card, "3f9a 0c12")
    assert err.value.msgid == partners.MSG_FINGERPRINT_FORMAT
    assert "8" in str(err.value)


def test_certificate_of_another_key_is_refused(
    mx: Node, us: Node, card: dict[str, str], tmp_path: Path
) -> None:
    """Someone who swaps in their own certificate would terminate mx's TLS: refused."""
    other = Node.init(tmp_path / "other", "MX", "SEDENA")
    tampered = {**card, "certificate": make_card(other, MX_URL)["certificate"]}
    with pytest.raises(InvalidCard) as err:
        add_partner(us.path, tampered, _fp(mx))
    assert err.value.msgid == tls.MSG_NOT_PINNED
    assert err.value.localized("es") != err.value.localized("en")


@pytest.mark.parametrize(
    "field, value",
    [("url", "https://attacker.example:8443"), ("agreement_key", base64.b64encode(b"k" * 32))],
)
def test_fields_changed_after_signing_are_refused(
    mx: Node, us: Node, card: dict[str, str], field: str, value: str | bytes
) -> None:
    text = value.decode() if isinstance(value, bytes) else value
    with pytest.raises(InvalidCard) as err:
        add_partner(us.path, {**card, field: text}, _fp(mx))
    assert err.value.msgid == partners.MSG_CARD_SIGNATURE


def _without(field: str) -> Callable[[dict[str, Any]], Any]:
    return lambda card: {k: v for k, v in card.items() if k != field}


def _with(field: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda card: {**card, field: value}


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "not an object": (lambda card: list(card), partners.MSG_CARD_NOT_OBJECT),
    "missing url": (_without("url"), partners.MSG_CARD_MISSING),
    "missing signature": (_without("signature"), partners.MSG_CARD_MISSING),
    "empty agency": (_with("agency", "  "), partners.MSG_CARD_MISSING),
    "unknown field": (_with("email", "x@example.org"), partners.MSG_CARD_UNKNOWN),
    "country not text": (_with("country", 52), partners.MSG_CARD_NOT_TEXT),
    "wrong country": (_with("country", "CA"), partners.MSG_CARD_COUNTRY),
    "bad node name": (_with("node", "../../etc"), partners.MSG_CARD_NODE),
    "bad base64": (_with("signing_key", "not base64!"), partners.MSG_CARD_KEY),
    "short key": (
        _with("agreement_key", base64.b64encode(b"x" * 16).decode()),
        partners.MSG_CARD_KEY,
    ),
    "http url": (_with("url", "http://mx-fgr.example.gob.mx:8443"), partners.MSG_CARD_URL),
    "url with user": (_with("url", "https://u:p@mx.example:8443"), partners.MSG_CARD_URL),
    "bad port": (_with("url", "https://mx.example:99999"), partners.MSG_CARD_URL),
    "certificate garbage": (_with("certificate", "garbage"), partners.MSG_CARD_CERTIFICATE),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_cards_give_a_clear_translated_error(
    mx: Node, us: Node, card: dict[str, str], case: str
) -> None:
    change, msgid = MALFORMED[case]
    with pytest.raises(InvalidCard) as err:
        add_partner(us.path, change(card), _fp(mx))
    assert err.value.msgid == msgid
    assert err.value.localized("es") != err.value.localized("en")
    assert load_partners(us.path) == {}


def test_a_node_is_not_its_own_partner(mx: Node, card: dict[str, str]) -> None:
    with pytest.raises(PartnerError) as err:
        add_partner(mx.path, card, _fp(mx))
    assert err.value.msgid == partners.MSG_CARD_SELF


def test_re_adding_the_same_key_refreshes_the_card(
    mx: Node, us: Node, card: dict[str, str]
) -> None:
    add_partner(us.path, card, _fp(mx))
    add_partner(us.path, card, _fp(mx))
    moved = make_card(mx, "https://10.0.0.7:9443")
    assert add_partner(us.path, moved, _fp(mx)).url == "https://10.0.0.7:9443"
    assert get_partner(us.path, "mx-fgr").url == "https://10.0.0.7:9443"


def test_a_new_key_under_a_known_name_is_refused(
    mx: Node, us: Node, card: dict[str, str], tmp_path: Path
) -> None:
    add_partner(us.path, card, _fp(mx))
    impostor = Node.init(tmp_path / "impostor", "MX", "FGR")  # also named mx-fgr
    assert impostor.config.name == "mx-fgr"
    with pytest.raises(PartnerError) as err:
        add_partner(us.path, make_card(impostor, MX_URL), _fp(impostor))
    assert err.value.msgid == partners.MSG_KEY_CHANGED
    assert _fp(mx) in str(err.value)
    assert get_partner(us.path, "mx-fgr").fingerprint == _fp(mx)


def test_a_known_key_under_a_new_name_is_refused(
    mx: Node, us: Node, card: dict[str, str], tmp_path: Path
) -> None:
    add_partner(us.path, card, _fp(mx))
    twin = Node.init(tmp_path / "twin", "MX", "FGR", name="mx-fgr-2")
    for name in ("signing.key", "agreement.key"):
        shutil.copy2(mx.path / "keys" / name, twin.path / "keys" / name)
    with pytest.raises(PartnerError) as err:
        add_partner(us.path, make_card(twin, MX_URL), _fp(mx))
    assert err.value.msgid == partners.MSG_KEY_TAKEN
    assert "mx-fgr" in str(err.value)


def test_a_renamed_partner_file_is_refused(mx: Node, us: Node, card: dict[str, str]) -> None:
    add_partner(us.path, card, _fp(mx))
    stored = us.path / "partners" / "mx-fgr.yaml"
    stored.rename(stored.with_name("mx-fgr-old.yaml"))
    with pytest.raises(PartnerError) as err:
        load_partners(us.path)
    assert err.value.msgid == partners.MSG_PARTNER_FILE_NAME


def test_unknown_partner(us: Node) -> None:
    with pytest.raises(PartnerError) as err:
        get_partner(us.path, "mx-sedena")
    assert err.value.msgid == partners.MSG_UNKNOWN_PARTNER
    assert "mx-sedena" in err.value.localized("es")
    assert err.value.localized("es") != err.value.localized("en")


def test_a_hand_edited_partner_file_is_refused(mx: Node, us: Node, card: dict[str, str]) -> None:
    """Editing the stored card (say, to point it elsewhere) must not widen who is trusted."""
    add_partner(us.path, card, _fp(mx))
    stored = us.path / "partners" / "mx-fgr.yaml"
    stored.write_text(stored.read_text().replace(MX_URL, "https://elsewhere:1"))
    with pytest.raises(PartnerError) as err:
        load_partners(us.path)
    assert err.value.msgid == partners.MSG_BAD_PARTNER_FILE


def test_trust_bundle_holds_every_partner(mx: Node, us: Node, tmp_path: Path) -> None:
    dea = Node.init(tmp_path / "dea", "US", "DEA")
    for node in (us, dea):
        add_partner(mx.path, make_card(node, "https://127.0.0.1:8443"), _fp(node))
    bundle = trust_bundle_path(mx.path)
    assert bundle == mx.path / "partners" / "trusted.pem"
    text = bundle.read_bytes()
    assert text.count(b"BEGIN CERTIFICATE") == 2
    for partner in load_partners(mx.path).values():
        assert partner.certificate_pem in text


def test_no_partner_no_bundle(us: Node) -> None:
    with pytest.raises(tls.TlsError):
        trust_bundle_path(us.path)


def test_errors_render_in_spanish(mx: Node, us: Node, card: dict[str, str]) -> None:
    with pytest.raises(PartnerError) as err:
        add_partner(us.path, card, _fp(us))
    spanish = err.value.localized("es")
    assert "mx-fgr" in spanish and spanish != err.value.localized("en")
    set_lang("es")
    assert err.value.localized() == spanish
