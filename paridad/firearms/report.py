"""The eTrace-style statistical report: one self-contained HTML file and a JSON file.

ATF's country trace reports are organised by year of recovery and show how many guns were
traced, from which US states, which makes and calibers, and how long they took to reach a
crime (time-to-crime). This report shows the same from the tables a node holds, in Spanish or
English, with inline SVG charts so it opens offline and prints. The JSON has every figure the
HTML shows, untranslated values beside translated labels.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date as babel_format_date
from jinja2 import Environment, select_autoescape

from paridad.firearms import charts
from paridad.firearms.indicators import corridors, time_to_crime
from paridad.firearms.indicators.base import ONE_YEAR, THREE_YEARS
from paridad.firearms.tables import Tables
from paridad.i18n import LOCALES, N_, Lang, format_date, format_number, translate

TOP = 10
# Time-to-crime bins (upper bounds in days), as NFCTA reports the first year.
TTC_BINS: list[tuple[int | None, str]] = [
    (91, N_("under 3 months")),
    (213, N_("3 to 7 months")),
    (ONE_YEAR, N_("7 to 12 months")),
    (THREE_YEARS, N_("1 to 3 years")),
    (5 * 365, N_("3 to 5 years")),
    (10 * 365, N_("5 to 10 years")),
    (None, N_("10 years or more")),
]
LABELS = {
    "title": N_("Firearms traced from recoveries in Mexico: statistical report"),
    "generated": N_("Generated on {date} from {source}"),
    "recoveries": N_("Firearms recovered"),
    "traces": N_("Firearms traced to a US retail sale"),
    "traced_share": N_("Share traced"),
    "period": N_("Recovered between {first} and {last}"),
    "median_ttc": N_("Median time-to-crime"),
    "mean_ttc": N_("Mean time-to-crime"),
    "under_1": N_("Time-to-crime under 1 year"),
    "under_3": N_("Time-to-crime under 3 years"),
    "by_month": N_("Traced firearms by month of recovery"),
    "source_states": N_("Top source states"),
    "makes": N_("Top makes"),
    "calibers": N_("Top calibers"),
    "ttc": N_("Time-to-crime distribution"),
    "corridors": N_("Top corridors"),
    "source": N_("Source state"),
    "destination": N_("Recovery state"),
    "count": N_("Traces"),
    "median_days": N_("Median time-to-crime (days)"),
    "years": N_("{value} years"),
    "days": N_("{value} days"),
    "caveat": N_(
        "Trace data are not a random sample of the guns trafficked: they show only the "
        "firearms recovered, submitted and traced."
    ),
    "none": N_("No traces."),
}

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ t.title }}</title>
<style>
body{font-family:sans-serif;margin:2em auto;max-width:780px;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
.kpi{display:flex;flex-wrap:wrap;gap:1em}.kpi div{border:1px solid #ddd;padding:.5em .8em}
.kpi b{display:block;font-size:1.3em}table{border-collapse:collapse}
td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right}.note{color:#555;font-size:.9em}
</style></head><body>
<h1>{{ t.title }}</h1>
<p class="note">{{ t.generated }}</p>
<div class="kpi">
{% for k in kpis %}<div>{{ k.label }}<b>{{ k.value }}</b></div>{% endfor %}
</div>
{% if period %}<p>{{ period }}</p>{% endif %}
{% for s in sections %}<h2>{{ s.title }}</h2>
{% if s.svg %}{{ s.svg|safe }}{% else %}<p>{{ t.none }}</p>{% endif %}
{% endfor %}
<h2>{{ t.corridors }}</h2>
{% if corridors %}<table><tr><th>{{ t.source }}</th><th>{{ t.destination }}</th>
<th>{{ t.count }}</th><th>{{ t.median_days }}</th></tr>
{% for c in corridors %}<tr><td>{{ c.source }}</td><td>{{ c.destination }}</td>
<td class="n">{{ c.traces }}</td><td class="n">{{ c.median }}</td></tr>{% endfor %}
</table>{% else %}<p>{{ t.none }}</p>{% endif %}
<p class="note">{{ t.caveat }}</p>
</body></html>
"""


def _top(counter: Counter[str], n: int = TOP) -> list[dict[str, Any]]:
    total = sum(counter.values()) or 1
    return [
        {"name": k, "traces": v, "share": round(v / total, 4)}
        for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    ]


def figures(tables: Tables) -> dict[str, Any]:
    """Every number the report shows, language-free."""
    traces = time_to_crime.trace_rows(tables)
    days = [t["ttc_days"] for t in traces if t["ttc_days"] is not None]
    months = Counter(
        t["recovered_on"].strftime("%Y-%m") for t in traces if t["recovered_on"] is not None
    )
    dates = [t["recovered_on"] for t in traces if t["recovered_on"] is not None]
    bins = []
    lower = 0
    for upper, label in TTC_BINS:
        count = sum(lower <= d and (upper is None or d < upper) for d in days)
        bins.append({"from_days": lower, "to_days": upper, "label": label, "traces": count})
        lower = upper or lower
    recoveries = tables.count("recoveries")
    return {
        "recoveries": recoveries,
        "traces": len(traces),
        "traced_share": round(len(traces) / recoveries, 4) if recoveries else None,
        "first_recovery": min(dates).isoformat() if dates else None,
        "last_recovery": max(dates).isoformat() if dates else None,
        "traces_by_month": [{"month": m, "traces": months[m]} for m in sorted(months)],
        "source_states": _top(Counter(t["dealer_state"] or "?" for t in traces)),
        "makes": _top(Counter(t["make"] or "?" for t in traces)),
        "calibers": _top(Counter(t["caliber"] or "?" for t in traces)),
        "time_to_crime": {
            **time_to_crime.stats(days),
            "median_years": round(statistics.median(days) / 365.25, 1) if days else None,
            "bins": bins,
        },
        "corridors": corridors.run(tables).summary["by_state"][:TOP],
    }


def _label(key: str, lang: Lang, **params: object) -> str:
    """A label of ``LABELS`` in ``lang`` (keys are not message ids)."""
    msgid = LABELS[key]
    return translate(msgid, lang, **params)


def _bin(item: dict[str, Any], lang: Lang) -> str:
    msgid = str(item["label"])
    return translate(msgid, lang)


def _share(value: float | None, lang: Lang) -> str:
    return "—" if value is None else f"{format_number(100 * value, lang, 1)} %"


def render_html(data: dict[str, Any], lang: Lang, source: str, today: date) -> str:
    """The HTML page for the figures, every label, number and date in ``lang``."""
    t = {k: translate(v, lang) for k, v in LABELS.items()}
    t["generated"] = _label("generated", lang, date=format_date(today, lang), source=source)
    ttc = data["time_to_crime"]

    def n(value: float | int) -> str:
        return format_number(value, lang)

    def years(value: float | None) -> str:
        return "—" if value is None else _label("years", lang, value=format_number(value, lang, 1))

    kpis = [
        {"label": t["recoveries"], "value": n(data["recoveries"])},
        {"label": t["traces"], "value": n(data["traces"])},
        {"label": t["traced_share"], "value": _share(data["traced_share"], lang)},
        {"label": t["median_ttc"], "value": years(ttc["median_years"])},
        {"label": t["under_1"], "value": _share(ttc["share_under_1y"], lang)},
        {"label": t["under_3"], "value": _share(ttc["share_under_3y"], lang)},
    ]
    period = ""
    if data["first_recovery"]:
        period = _label(
            "period",
            lang,
            first=format_date(date.fromisoformat(data["first_recovery"]), lang),
            last=format_date(date.fromisoformat(data["last_recovery"]), lang),
        )

    def month(text: str) -> str:
        day = datetime.strptime(text + "-01", "%Y-%m-%d").date()
        return str(babel_format_date(day, "MMM y", locale=LOCALES[lang]))

    def top(items: list[dict[str, Any]]) -> str:
        return charts.hbars(
            [
                (i["name"], i["traces"], f"{n(i['traces'])} ({_share(i['share'], lang)})")
                for i in items
            ]
        )

    sections = [
        {
            "title": t["by_month"],
            "svg": charts.columns(
                [(month(m["month"]), m["traces"], n(m["traces"])) for m in data["traces_by_month"]]
            ),
        },
        {"title": t["source_states"], "svg": top(data["source_states"])},
        {"title": t["makes"], "svg": top(data["makes"])},
        {"title": t["calibers"], "svg": top(data["calibers"])},
        {
            "title": t["ttc"],
            "svg": charts.hbars([(_bin(b, lang), b["traces"], n(b["traces"])) for b in ttc["bins"]])
            if data["traces"]
            else "",
        },
    ]
    rows = [
        {
            "source": c["source_state"] or "?",
            "destination": c["recovery_state"] or "?",
            "traces": n(c["traces"]),
            "median": "—" if c["median_ttc_days"] is None else n(c["median_ttc_days"]),
        }
        for c in data["corridors"]
    ]
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(
        lang=lang, t=t, kpis=kpis, period=period, sections=sections, corridors=rows
    )


def write_report(
    tables: Tables, out: Path, lang: Lang, today: date | None = None
) -> tuple[Path, Path]:
    """Write ``out`` (HTML) and the same figures beside it as JSON (``out`` + ``.json``)."""
    data = figures(tables)
    today = today or date.today()
    html = render_html(data, lang, tables.source, today)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    json_path = out.with_suffix(".json")
    labels = {k: translate(v, lang) for k, v in LABELS.items() if "{" not in v}
    for b in data["time_to_crime"]["bins"]:
        b["label"] = _bin(b, lang)
    payload = {
        "lang": lang,
        "generated": today.isoformat(),
        "source": tables.source,
        "labels": labels,
        **data,
    }
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return out, json_path
