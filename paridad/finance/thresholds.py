"""Cash reporting thresholds as data: which amount, in which country, when in force.

Structuring means keeping cash just below a reporting threshold, so the detector needs the
thresholds that applied to each deposit: they differ by country (the US CTR's $10,000,
Mexico's USD-cash reports from USD 500), by currency, and by date (geographic targeting
orders expire). They live in ``thresholds.yaml`` with their sources, and a FIU can pass its
own file. Thresholds that apply only to money services businesses (``msb_only``) are kept as
data but not used on bank accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from paridad.errors import ParidadError
from paridad.i18n import N_

DEFAULT_PATH = Path(__file__).with_name("thresholds.yaml")
FAR_FUTURE = date(9999, 12, 31)

MSG_UNREADABLE = N_("The thresholds file {path} cannot be read: {reason}")
MSG_BAD_ENTRY = N_("Threshold {index} in {path} is not valid: {reason}")


class ThresholdError(ParidadError):
    """A thresholds file that cannot be used; nothing from it is applied."""


@dataclass(frozen=True)
class Threshold:
    id: str
    jurisdiction: str
    name: str
    amount: float
    currency: str
    applies_to: tuple[str, ...]
    band: float
    effective_from: date
    effective_to: date
    source: str
    msb_only: bool = False

    def epoch_range(self) -> tuple[int, int]:
        start = datetime.combine(self.effective_from, datetime.min.time(), tzinfo=UTC)
        end = datetime.combine(self.effective_to, datetime.max.time(), tzinfo=UTC)
        return int(start.timestamp()), int(end.timestamp())


def load_thresholds(path: Path | None = None) -> list[Threshold]:
    where = path or DEFAULT_PATH
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ThresholdError(MSG_UNREADABLE, path=str(where), reason=str(exc)) from None
    entries = data.get("thresholds") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ThresholdError(MSG_UNREADABLE, path=str(where), reason="no 'thresholds' list")
    return [_entry(i + 1, e, where) for i, e in enumerate(entries)]


def _entry(index: int, raw: object, path: Path) -> Threshold:
    def bad(reason: str) -> ThresholdError:
        return ThresholdError(MSG_BAD_ENTRY, index=index, path=str(path), reason=reason)

    if not isinstance(raw, dict):
        raise bad("not a mapping")
    try:
        amount = float(raw["amount"])
        band = float(raw.get("band", 0.8))
        start = raw.get("effective_from", date(1970, 1, 1))
        end = raw.get("effective_to") or FAR_FUTURE
        applies = tuple(str(k) for k in raw.get("applies_to", ["cash_deposit"]))
        threshold = Threshold(
            id=str(raw["id"]),
            jurisdiction=str(raw["jurisdiction"]).lower(),
            name=str(raw.get("name", raw["id"])),
            amount=amount,
            currency=str(raw.get("currency", "USD")).upper(),
            applies_to=applies,
            band=band,
            effective_from=start if isinstance(start, date) else date.fromisoformat(str(start)),
            effective_to=end if isinstance(end, date) else date.fromisoformat(str(end)),
            source=str(raw.get("source", "")),
            msb_only=bool(raw.get("msb_only", False)),
        )
    except KeyError as exc:
        raise bad(f"missing {exc.args[0]}") from None
    except (TypeError, ValueError) as exc:
        raise bad(str(exc)) from None
    if amount <= 0 or not 0 < band < 1:
        raise bad("amount must be positive and band between 0 and 1")
    if threshold.effective_to < threshold.effective_from:
        raise bad("effective_to is before effective_from")
    return threshold


def thresholds_sql(thresholds: list[Threshold]) -> str:
    """The thresholds as an inline table (portable SQL: a UNION ALL of one-row SELECTs)."""
    rows = []
    for t in thresholds:
        if t.msb_only:
            continue
        start, end = t.epoch_range()
        for kind in t.applies_to:
            rows.append(
                f"SELECT '{t.id}' AS threshold_id, '{t.jurisdiction}' AS jurisdiction, "
                f"'{t.currency}' AS currency, '{kind}' AS kind, {t.amount} AS amount, "
                f"{t.band} AS band, {start} AS t_from, {end} AS t_to"
            )
    if not rows:
        return (
            "SELECT 'none' AS threshold_id, 'none' AS jurisdiction, 'XXX' AS currency, "
            "'none' AS kind, 1.0 AS amount, 0.5 AS band, 0 AS t_from, 0 AS t_to"
        )
    return " UNION ALL ".join(rows)
