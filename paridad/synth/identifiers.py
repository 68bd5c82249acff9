"""Structurally valid identifiers: CURP, RFC, CLABE, ABA routing numbers, FFL licences, VINs,
Remote ID serials and firearm serials.

Analytics and matching validate identifiers before trusting them, so synthetic ones must pass
the same checks as real ones (check digits included), or every test would exercise only the
"invalid identifier" path. Check-digit rules follow the published algorithms; the tests verify
CURP and RFC against ``python-stdnum``.
"""

from __future__ import annotations

import random
import string
import unicodedata
from datetime import date
from functools import lru_cache

DIGITS = string.digits
# Letters used in serials, plates and VINs: I, O and Q are avoided because they read as 1 and 0.
SERIAL_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_VOWELS = "AEIOU"
_PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VON", "VAN", "DA", "DI"}
)
# RENAPO and SAT replace a letter in keys that would spell an offensive word (the union of the
# lists ``stdnum.mx.curp`` and ``stdnum.mx.rfc`` reject).
_BAD_WORDS = frozenset(
    [
        "BACA",
        "BAKA",
        "BUEI",
        "BUEY",
        "CACA",
        "CACO",
        "CAGA",
        "CAGO",
        "CAKA",
        "CAKO",
        "COGE",
        "COGI",
        "COJA",
        "COJE",
        "COJI",
        "COJO",
        "COLA",
        "CULO",
        "FALO",
        "FETO",
        "GETA",
        "GUEI",
        "GUEY",
        "JETA",
        "JOTO",
        "KACA",
        "KACO",
        "KAGA",
        "KAGO",
        "KAKA",
        "KAKO",
        "KOGE",
        "KOGI",
        "KOJA",
        "KOJE",
        "KOJI",
        "KOJO",
        "KOLA",
        "KULO",
        "LILO",
        "LOCA",
        "LOCO",
        "LOKA",
        "LOKO",
        "MAME",
        "MAMO",
        "MEAR",
        "MEAS",
        "MEON",
        "MIAR",
        "MION",
        "MOCO",
        "MOKO",
        "MULA",
        "MULO",
        "NACA",
        "NACO",
        "PEDA",
        "PEDO",
        "PENE",
        "PIPI",
        "PITO",
        "POPO",
        "PUTA",
        "PUTO",
        "QULO",
        "RATA",
        "ROBA",
        "ROBE",
        "ROBO",
        "RUIN",
        "SENO",
        "TETA",
        "VACA",
        "VAGA",
        "VAGO",
        "VAKA",
        "VUEI",
        "VUEY",
        "WUEI",
        "WUEY",
    ]
)
_COMPANY_STOPWORDS = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "SA", "CV", "S", "A", "C", "V", "R", "L", "RL"}
    | {"SAPI", "SOCIEDAD", "ANONIMA", "COMPANIA", "CIA", "SC", "AC", "E", "EN"}
)
_MONTH_LETTERS = "ABCDEFGHJKLM"  # FFL expiration month codes: A = January … M = December, no I


def pick(rng: random.Random, items: str) -> str:
    """One character of ``items`` (cheaper than ``rng.choice`` in hot loops)."""
    return items[int(rng.random() * len(items))]


@lru_cache(maxsize=65536)
def ascii_upper(text: str) -> str:
    """Upper-case ASCII letters only, Ñ written as X as RENAPO does."""
    text = text.upper().replace("Ñ", "X")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(c for c in text if c.isalpha() or c == " ")


def _main_word(name: str) -> str:
    words = [w for w in ascii_upper(name).split() if w]
    for word in words:
        if word not in _PARTICLES:
            return word
    return words[-1] if words else "X"


def _given_key(given: str) -> str:
    """The given name the keys use: the second one when the first is José or María."""
    words = [w for w in ascii_upper(given).split() if w not in _PARTICLES]
    if len(words) > 1 and words[0] in ("JOSE", "J", "MARIA", "MA"):
        return words[1]
    return words[0] if words else "X"


def _internal(word: str, vowel: bool) -> str:
    for c in word[1:]:
        if (c in _VOWELS) == vowel:
            return c
    return "X"


def _name_letters(given: str, paternal: str, maternal: str | None) -> tuple[str, str, str]:
    return _main_word(paternal), _main_word(maternal) if maternal else "", _given_key(given)


def curp_check_digit(first17: str) -> str:
    total = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def curp(
    rng: random.Random,
    given: str,
    paternal: str,
    maternal: str | None,
    birth: date,
    sex: str,
    state_code: str,
) -> str:
    """A CURP: name letters, birth date, sex, state of birth, inner consonants, check digit."""
    p, m, g = _name_letters(given, paternal, maternal)
    key = p[0] + _internal(p, True) + (m[0] if m else "X") + g[0]
    if key in _BAD_WORDS:
        key = key[0] + "X" + key[2:]
    inner = _internal(p, False) + (_internal(m, False) if m else "X") + _internal(g, False)
    homonym = pick(rng, DIGITS) if birth.year < 2000 else pick(rng, SERIAL_LETTERS)
    base = (
        key
        + birth.strftime("%y%m%d")
        + ("H" if sex == "male" else "M")
        + state_code
        + inner
        + homonym
    )
    return base + curp_check_digit(base)


def rfc_check_digit(number: str) -> str:
    """SAT check digit over the first 11 (companies) or 12 (people) characters."""
    padded = ("   " + number)[-12:]
    total = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return _RFC_ALPHABET[(11 - total) % 11]


def _homoclave(rng: random.Random) -> str:
    return rng.choice("123456789ABCDEFGHJKLMNPRSTUV") + rng.choice("123456789" + SERIAL_LETTERS)


def rfc_person(
    rng: random.Random, given: str, paternal: str, maternal: str | None, birth: date
) -> str:
    """RFC of a natural person (13 characters): name letters, birth date, homoclave, check."""
    p, m, g = _name_letters(given, paternal, maternal)
    key = p[0] + _internal(p, True) + m[0] + g[0] if m else (p[:2] + g[:2]).ljust(4, "X")
    if key in _BAD_WORDS:
        key = key[:3] + "X"
    base = key + birth.strftime("%y%m%d") + _homoclave(rng)
    return base + rfc_check_digit(base)


def rfc_company(rng: random.Random, name: str, incorporated: date) -> str:
    """RFC of a legal person (12 characters): initials of the name's first three words."""
    words = [w for w in ascii_upper(name.replace(".", " ")).split() if w not in _COMPANY_STOPWORDS]
    if len(words) >= 3:
        key = "".join(w[0] for w in words[:3])
    elif len(words) == 2:
        key = words[0][0] + _internal(words[0], True) + words[1][0]
    else:
        key = (words[0] if words else "XXX")[:3].ljust(3, "X")
    base = key + incorporated.strftime("%y%m%d") + _homoclave(rng)
    return base + rfc_check_digit(base)


def clabe_check_digit(first17: str) -> str:
    """CLABE control digit: weights 3, 7, 1 repeated, each product taken modulo 10."""
    total = sum((int(d) * (3, 7, 1)[i % 3]) % 10 for i, d in enumerate(first17))
    return str((10 - total % 10) % 10)


def clabe(rng: random.Random, bank_code: str, plaza: str | None = None) -> str:
    """An 18-digit CLABE: bank, plaza, 11-digit account, control digit."""
    plaza = plaza or f"{rng.randrange(10, 1000):03d}"
    base = bank_code + plaza + f"{int(rng.random() * 10**11):011d}"
    return base + clabe_check_digit(base)


def is_valid_clabe(number: str) -> bool:
    return len(number) == 18 and number.isdigit() and number[-1] == clabe_check_digit(number[:17])


def aba_check_digit(first8: str) -> str:
    d = [int(c) for c in first8]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return str((10 - total % 10) % 10)


def aba_routing(rng: random.Random, district: str) -> str:
    """A 9-digit ABA routing number in a Federal Reserve district (01-12), check digit valid."""
    base = district + "".join(rng.choice(DIGITS) for _ in range(6))
    return base + aba_check_digit(base)


def is_valid_aba(number: str) -> bool:
    if len(number) != 9 or not number.isdigit():
        return False
    d = [int(c) for c in number]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def ffl_number(
    rng: random.Random, region: str, district: str, county_fips: str, license_type: str
) -> str:
    """An FFL in ATF's X-XX-XXX-XX-XX-XXXXX form: region, IRS district, county, licence type,
    expiration (last digit of the year and a month letter), sequence."""
    expires = f"{rng.randrange(10)}{rng.choice(_MONTH_LETTERS)}"
    return f"{region}-{district}-{county_fips}-{license_type}-{expires}-{rng.randrange(100000):05d}"


def from_pattern(rng: random.Random, pattern: str) -> str:
    """Fill a pattern: ``A`` is a letter, ``9`` a digit, anything else is kept."""
    r = rng.random
    out = []
    for c in pattern:
        if c == "A":
            out.append(SERIAL_LETTERS[int(r() * 23)])
        elif c == "9":
            out.append(DIGITS[int(r() * 10)])
        else:
            out.append(c)
    return "".join(out)


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def vin(rng: random.Random, wmi: str) -> str:
    """A 17-character VIN with its North American check digit in position 9."""
    chars = SERIAL_LETTERS.replace("U", "").replace("Z", "") + DIGITS
    body = wmi + "".join(rng.choice(chars) for _ in range(5)) + "0"
    body += rng.choice("KLMNPRS")  # model year 2019-2025
    body += "".join(rng.choice(chars) for _ in range(1)) + f"{rng.randrange(1000000):06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def remote_id_serial(rng: random.Random, mfr_code: str) -> str:
    """ANSI/CTA-2063-A serial: 4-character manufacturer code, length code, serial."""
    length = rng.randint(10, 15)
    chars = DIGITS + SERIAL_LETTERS
    return mfr_code + "0123456789ABCDEF"[length] + "".join(rng.choice(chars) for _ in range(length))


def mx_passport(rng: random.Random) -> str:
    return rng.choice("GN") + f"{rng.randrange(10**8):08d}"


def us_passport(rng: random.Random) -> str:
    return f"{rng.randrange(5, 6)}{rng.randrange(10**8):08d}"


def ein(rng: random.Random) -> str:
    return f"{rng.choice(('74', '75', '76', '86', '85', '95', '33'))}-{rng.randrange(10**7):07d}"


def mx_plate(rng: random.Random) -> str:
    return from_pattern(rng, "AAA-999-A")


def us_plate(rng: random.Random) -> str:
    return from_pattern(rng, "AAA9999")


def uetr(rng: random.Random) -> str:
    """A SWIFT gpi UETR (a version-4 UUID), the reference both banks of a wire keep."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def mx_phone(rng: random.Random, area_code: str) -> str:
    rest = 10 - len(area_code)
    return f"+52{area_code}{rng.randrange(2 * 10 ** (rest - 1), 10**rest)}"


def us_phone(rng: random.Random, area_code: str) -> str:
    return f"+1{area_code}{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
