"""Currency rates to US dollars: every amount is also carried in USD so thresholds, ratios and
sums compare like with like."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from paridad.finance.inputs.errors import MSG_BAD_RATES, InvalidFinanceInput

DEFAULT_RATES = Path(__file__).with_name("rates.yaml")


@dataclass(frozen=True)
class Rates:
    usd_per_unit: dict[str, float]
    as_of: str

    def to_usd(self, amount: float, currency: str) -> float | None:
        rate = self.usd_per_unit.get(currency.upper())
        return None if rate is None else amount * rate


def load_rates(path: Path | None = None) -> Rates:
    where = path or DEFAULT_RATES
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
        rates = {str(k).upper(): float(v) for k, v in data["rates"].items()}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise InvalidFinanceInput(MSG_BAD_RATES, path=str(where), reason=str(exc)) from None
    if any(v <= 0 for v in rates.values()):
        raise InvalidFinanceInput(MSG_BAD_RATES, path=str(where), reason="a rate is not positive")
    return Rates(rates, str(data.get("as_of", "")))
