"""Fan-in and fan-out: many unrelated accounts paying one account, or one paying many, at once.

Pattern. Fan-in: within a short window, many distinct accounts each pay one account amounts
that barely differ — money mules or "smurfs" placing a consignment's proceeds in pieces into a
front account. Fan-out is the mirror: one account pays many distinct accounts at once, the
distribution step (a "student" account spraying P2P payments, a remitter sending low-dollar
transfers to many apparently unrelated people in China).

Red flags (shared/research/finance.md): §4.1 items 2 and 3 (FIN-2019-A006: "a high volume of
transfers to apparently unrelated individuals", "multiple US remitters send to the same
individual beneficiary in China"), §4.4 item 3 (FIN-2025-A003: cash in, then wires/P2P to
unrelated individuals) and §4.5 (funnel accounts: several people paying into one account).

Defaults, and why:

* ``min_parties = 6`` distinct counterparties: the synthetic world plants 8–20 mules, and five
  or fewer people paying someone within days is everyday life (a shared gift, a split bill).
* ``window_days = 10``: the planted bursts last up to ten days. The window is searched with
  buckets of that length at two offsets (see :mod:`~paridad.finance.detectors.windows`), so a burst shorter than
  half the window always falls whole in one bucket, and a longer one mostly does.
* ``max_cv = 0.35`` for fan-in (mules are told the amount: base × 0.85–1.15 gives a CV near
  0.09) and ``0.5`` for fan-out (a distributor sends 300–2,500 USD or lognormal amounts with
  σ = 0.4, CV 0.40–0.45); varied amounts are what a business's genuine customers look like.
* ``min_total_usd = 5,000``: below that the burst is not worth laundering through mules.
* ``repeat_gap_days = 20`` and ``max_repeat_share = 0.3``: the benign look-alike of a fan-in
  is a landlord whose tenants pay on the first of the month, and of a fan-out is payroll —
  both have the same counterparties paying (or being paid) the same amounts month after month.
  A counterparty that also appears more than 20 days before or after the burst is "regular";
  when more than 30 % of them are regular, the burst is ordinary business and does not fire.

Card payments never count: a shop's takings are many small, similar card payments from
distinct customers and are the first benign look-alike a fan-in must ignore. Only transfers,
wires, checks and "other" payments between two known accounts are considered.

Windows use :mod:`paridad.finance.detectors.windows` (buckets at two offsets, no all-pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, alert_id, bucketed
from paridad.i18n import N_

# Types of payment a person or business chooses to send to another account; card payments
# (a shop's takings) and cash (no counterparty) are left out.
ACCOUNT_TYPES: Final = "('transfer', 'wire', 'check', 'other')"


def flows_sql(types: str = ACCOUNT_TYPES) -> str:
    """Payments between two distinct known accounts of the given types."""
    return f"""
        SELECT tx_id, ts, src, dst, amount_usd, src_country, dst_country
        FROM tx
        WHERE src IS NOT NULL AND dst IS NOT NULL AND src <> dst AND type IN {types}
    """


def alerts_table(detector_name: str) -> str:
    """The table the runner stores a detector's alerts in (members queries join it)."""
    return "alerts_" + detector_name.replace("-", "_")


def pct(expr: str) -> str:
    """``expr`` (a ratio) as a whole percentage, rounded half up."""
    return f"CAST(floor(({expr}) * 100 + 0.5) AS BIGINT)"


def rounded(expr: str, digits: int = 6) -> str:
    """``expr`` floored to ``digits`` decimals, so both engines rank ties the same way."""
    scale = 10**digits
    return f"floor(({expr}) * {scale}) / {scale}"


@dataclass(frozen=True)
class FanParams:
    """Thresholds of a fan-in or fan-out (see the module docstring for each default)."""

    min_parties: int = 6
    window_days: float = 10
    max_cv: float = 0.35
    min_total_usd: float = 5_000.0
    repeat_gap_days: float = 20
    max_repeat_share: float = 0.3
    amount_band: float = 1.5


FAN_IN_DEFAULTS: Final = FanParams()
FAN_OUT_DEFAULTS: Final = FanParams(max_cv=0.5, amount_band=3.0)


class _Fan(Detector):
    """Fan-in and fan-out differ only in which end of a payment is the anchor."""

    anchor_end: ClassVar[str]  # "dst" (fan-in) or "src" (fan-out)
    party_end: ClassVar[str]
    defaults: ClassVar[FanParams]

    def __init__(self, params: FanParams | None = None) -> None:
        self.params = params or self.defaults

    def _core_ctes(self) -> str:
        """CTEs ``bucketed`` … ``core`` over a preceding ``busy_flows`` CTE.

        ``core`` keeps, in each window bucket with enough counterparties, only the payments
        within ``amount_band`` of the bucket's median amount: the mules' similar amounts, not
        the anchor's unrelated large or small payments in the same days, which would otherwise
        inflate the spread and hide the burst.
        """
        p = self.params
        window = int(p.window_days * DAY)
        band = max(float(p.amount_band), 1.0)
        return f"""
        bucketed AS ({bucketed("SELECT * FROM busy_flows", "ts", window)}),
        loose AS (
            SELECT anchor, _k, _bucket FROM bucketed
            GROUP BY anchor, _k, _bucket
            HAVING count(DISTINCT party) >= {int(p.min_parties)}
               AND sum(amount_usd) >= {float(p.min_total_usd)}
        ),
        ordered AS (
            SELECT m.*,
                   row_number() OVER (
                       PARTITION BY m.anchor, m._k, m._bucket ORDER BY m.amount_usd, m.tx_id
                   ) AS amount_rank,
                   count(*) OVER (PARTITION BY m.anchor, m._k, m._bucket) AS bucket_rows
            FROM bucketed AS m
            JOIN loose AS l ON l.anchor = m.anchor AND l._k = m._k AND l._bucket = m._bucket
        ),
        median AS (
            SELECT anchor, _k, _bucket, amount_usd AS typical FROM ordered
            WHERE amount_rank = CAST(floor((bucket_rows + 1) / 2) AS BIGINT)
        ),
        core AS (
            SELECT o.* FROM ordered AS o
            JOIN median AS d ON d.anchor = o.anchor AND d._k = o._k AND d._bucket = o._bucket
            WHERE o.amount_usd >= d.typical / {band} AND o.amount_usd <= d.typical * {band}
        )"""

    def _groups_sql(self) -> str:
        p = self.params
        gap = int(p.repeat_gap_days * DAY)
        share = max(p.max_repeat_share, 1e-9)
        flows = f"""
            SELECT tx_id, ts, {self.anchor_end} AS anchor, {self.party_end} AS party,
                   amount_usd, src_country, dst_country
            FROM ({flows_sql()}) AS f
        """
        return f"""
        WITH flows AS ({flows}),
        busy AS (
            SELECT anchor FROM flows GROUP BY anchor HAVING count(*) >= {int(p.min_parties)}
        ),
        busy_flows AS (SELECT f.* FROM flows AS f JOIN busy AS y ON y.anchor = f.anchor),
        {self._core_ctes()},
        groups AS (
            SELECT anchor, _k, _bucket,
                   count(DISTINCT party) AS parties,
                   count(DISTINCT CASE WHEN dst_country <> src_country THEN party END)
                       AS foreign_parties,
                   sum(amount_usd) AS total,
                   stddev_pop(amount_usd) / avg(amount_usd) AS cv,
                   min(ts) AS t0, max(ts) AS t1
            FROM core
            GROUP BY anchor, _k, _bucket
            HAVING count(DISTINCT party) >= {int(p.min_parties)}
               AND sum(amount_usd) >= {float(p.min_total_usd)}
               AND stddev_pop(amount_usd) <= {float(p.max_cv)} * avg(amount_usd)
        ),
        pair_span AS (
            SELECT f.anchor, f.party, min(f.ts) AS first_ts, max(f.ts) AS last_ts
            FROM busy_flows AS f
            JOIN (SELECT DISTINCT anchor FROM groups) AS ga ON ga.anchor = f.anchor
            GROUP BY f.anchor, f.party
        ),
        group_parties AS (
            SELECT DISTINCT m.anchor, m._k, m._bucket, m.party
            FROM core AS m
            JOIN groups AS g ON g.anchor = m.anchor AND g._k = m._k AND g._bucket = m._bucket
        ),
        repeats AS (
            SELECT gp.anchor, gp._k, gp._bucket, count(*) AS regulars
            FROM group_parties AS gp
            JOIN groups AS g ON g.anchor = gp.anchor AND g._k = gp._k AND g._bucket = gp._bucket
            JOIN pair_span AS s ON s.anchor = gp.anchor AND s.party = gp.party
            WHERE s.first_ts < g.t0 - {gap} OR s.last_ts > g.t1 + {gap}
            GROUP BY gp.anchor, gp._k, gp._bucket
        ),
        scored AS (
            SELECT g.*, coalesce(r.regulars, 0) * 1.0 / g.parties AS repeat_share
            FROM groups AS g
            LEFT JOIN repeats AS r ON r.anchor = g.anchor AND r._k = g._k AND r._bucket = g._bucket
        ),
        kept AS (
            SELECT *,
                   {
            rounded(
                f"0.5 * least(1.0, parties / {2.0 * p.min_parties})"
                f" + 0.25 * greatest(0.0, 1.0 - cv / {max(float(p.max_cv), 1e-9)})"
                f" + 0.25 * (1.0 - repeat_share / {share})"
            )
        } AS score
            FROM scored
            WHERE repeat_share <= {float(p.max_repeat_share)}
        ),
        ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY anchor ORDER BY score DESC, parties DESC, _bucket, _k
            ) AS rn
            FROM kept
        )
        """

    def alerts_sql(self) -> str:
        return f"""
        {self._groups_sql()}
        SELECT {alert_id(self.name)} AS alert_id, anchor, score,
               parties AS {self.party_column},
               {self._extra_facts()}
               CAST(floor((t1 - t0) / {DAY}) AS BIGINT) + 1 AS days,
               CAST(floor(total + 0.5) AS BIGINT) AS total_usd,
               {pct("cv")} AS cv_pct,
               {pct("repeat_share")} AS repeat_pct
        FROM ranked WHERE rn = 1
        """

    party_column: ClassVar[str]

    def _extra_facts(self) -> str:
        return ""

    def members_sql(self) -> str:
        return f"""
        WITH alerts AS (SELECT alert_id, anchor FROM {alerts_table(self.name)}),
        busy_flows AS (
            SELECT f.tx_id, f.ts, f.{self.anchor_end} AS anchor, f.{self.party_end} AS party,
                   f.amount_usd
            FROM ({flows_sql()}) AS f
            JOIN alerts AS a ON a.anchor = f.{self.anchor_end}
        ),
        {self._core_ctes()},
        tagged AS (SELECT tx_id, {alert_id(self.name)} AS alert_id FROM core)
        SELECT t.alert_id, t.tx_id
        FROM tagged AS t
        JOIN alerts AS a ON a.alert_id = t.alert_id
        """


class FanIn(_Fan):
    """Many distinct accounts pay one account similar amounts within days (see module doc)."""

    name: ClassVar[str] = "fan-in"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = N_("Fan-in")
    rule: ClassVar[str] = N_(
        "{sources} accounts paid {anchor} within {days} days: {total_usd} USD in amounts"
        " that vary by only {cv_pct} %, and only {repeat_pct} % of them paid it at other times."
    )
    anchor_end: ClassVar[str] = "dst"
    party_end: ClassVar[str] = "src"
    party_column: ClassVar[str] = "sources"
    defaults: ClassVar[FanParams] = FAN_IN_DEFAULTS


class FanOut(_Fan):
    """One account pays many distinct accounts similar amounts within days (see module doc)."""

    name: ClassVar[str] = "fan-out"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = N_("Fan-out")
    rule: ClassVar[str] = N_(
        "{anchor} paid {destinations} accounts ({foreign} of them abroad) within {days} days:"
        " {total_usd} USD in amounts that vary by {cv_pct} %, and only {repeat_pct} % of them"
        " were paid at other times."
    )
    anchor_end: ClassVar[str] = "src"
    party_end: ClassVar[str] = "dst"
    party_column: ClassVar[str] = "destinations"
    defaults: ClassVar[FanParams] = FAN_OUT_DEFAULTS

    def _extra_facts(self) -> str:
        return "foreign_parties AS foreign,"


DETECTORS = (FanIn, FanOut)
