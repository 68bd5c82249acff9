"""How entities, search hits and ingest reports look in a terminal, in the user's language."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from followthemoney.property import Property

from paridad.errors import render_message
from paridad.i18n import _, format_date, format_number
from paridad.ingest import IngestReport
from paridad.model import model
from paridad.model.labels import property_label, schema_label, value_label
from paridad.model.markings import Markings
from paridad.model.vocabularies import vocabulary
from paridad.store import EntityRecord, QuarantinedRecord, SearchHit


def markings_lines(m: Markings) -> list[str]:
    handling = vocabulary("handling").term(m.handling).label()
    purposes = ", ".join(vocabulary("purpose").term(p).label() for p in m.purpose)
    return [
        _("Origin: {country} · {agency}", country=m.origin_country, agency=m.origin_agency),
        _("Handling: {code} — {meaning}", code=m.handling, meaning=handling),
        _(
            "TLP: {tlp} · releasable to: {countries}",
            tlp=m.tlp,
            countries=", ".join(m.releasability),
        ),
        _(
            "Grading: {grading} ({reliability}; {credibility})",
            grading=m.grading,
            reliability=vocabulary("reliability").term(m.reliability).label(),
            credibility=vocabulary("credibility").term(m.credibility).label(),
        ),
        _("Legal basis: {basis}", basis=m.legal_basis),
        _("Purpose: {purposes}", purposes=purposes),
        _("Retain until: {date}", date=format_date(m.retain_until)),
    ]


def _value(prop: Property, value: str) -> str:
    label = value_label(prop, value)
    return value if label == value else f"{label} ({value})"


def entity_text(record: EntityRecord) -> str:
    schema = model[record.schema]
    lines = [
        click.style(f"{schema_label(schema)} · {record.id}", bold=True),
        f"  {record.caption}",
        "",
        click.style(_("Markings"), bold=True),
    ]
    lines += [f"  {line}" for line in markings_lines(record.markings)]
    lines += ["", click.style(_("Values and their provenance"), bold=True)]
    for stmt in record.statements:
        prop = schema.properties.get(stmt.prop)
        if prop is None:
            continue
        seen = _(
            "source {dataset}, first seen {first}, last seen {last}",
            dataset=stmt.dataset,
            first=_day(stmt.first_seen),
            last=_day(stmt.last_seen),
        )
        lines.append(f"  {property_label(prop)}: {_value(prop, stmt.value)}")
        lines.append(click.style(f"      {seen}", dim=True))
    return "\n".join(lines)


def _day(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return format_date(date.fromisoformat(value[:10]))
    except ValueError:
        return value


def hits_text(hits: list[SearchHit]) -> str:
    if not hits:
        return _("No entities match.")
    lines = []
    for hit in hits:
        label = schema_label(model[hit.schema])
        lines.append(f"{hit.id}\t{label}\t{hit.caption}\t{hit.origin_country}\t{hit.handling}")
    return "\n".join(lines)


def report_text(report: IngestReport) -> str:
    if report.skipped:
        return _(
            "{source} was already loaded into '{dataset}' (same content): nothing changed. "
            "Use --force to load it again.",
            source=report.source,
            dataset=report.dataset,
        )
    lines = [
        _(
            "{source}: {entities} entities ({statements} statements) loaded into '{dataset}' "
            "in {seconds} s.",
            source=report.source,
            entities=format_number(report.entities),
            statements=format_number(report.statements),
            dataset=report.dataset,
            seconds=format_number(report.seconds, digits=1),
        ),
    ]
    if report.quarantined:
        lines.append(
            _(
                "{count} records went to the quarantine; see 'paridad quarantine'.",
                count=format_number(report.quarantined),
            )
        )
        for msgid, count in report.reasons.most_common():
            example = render_message(msgid, report.examples.get(msgid, {}))
            lines.append(f"  {format_number(count)} × {example}")
    return "\n".join(lines)


def quarantine_text(records: list[QuarantinedRecord]) -> str:
    if not records:
        return _("The quarantine is empty.")
    lines = []
    for q in records:
        reason = render_message(q.msgid, q.params)
        lines.append(f"{q.dataset}\t{q.source}:{q.line}\t{reason}")
    return "\n".join(lines)


def node_summary_text(summary: dict[str, Any]) -> str:
    lines = [
        click.style(
            _(
                "Node {name} ({country}, {agency})",
                name=summary["name"],
                country=summary["country"],
                agency=summary["agency"],
            ),
            bold=True,
        ),
        _(
            "Store: {backend} · {entities} entities · {statements} statements · "
            "{quarantined} in quarantine",
            backend=summary["backend"],
            entities=format_number(summary["entities"]),
            statements=format_number(summary["statements"]),
            quarantined=format_number(summary["quarantined"]),
        ),
        _("Signing key fingerprint: {fp}", fp=summary["signing_fingerprint"]),
        _("Key-agreement key fingerprint: {fp}", fp=summary["agreement_fingerprint"]),
    ]
    for schema, count in sorted(summary["by_schema"].items()):
        lines.append(f"  {schema_label(model[schema], plural=True)}: {format_number(count)}")
    return "\n".join(lines)


def _requests_lines(title: str, figures: Any, deadline: int) -> list[str]:
    states = ", ".join(f"{k}: {v}" for k, v in sorted(figures.states.items())) or "-"
    lines = [
        _("{title}: {total} ({states})", title=title, total=figures.total, states=states),
        _(
            "  answered within the {hours} h deadline: {ok}; late: {late}; median {median} h",
            hours=deadline,
            ok=figures.answered_in_time,
            late=figures.answered_late,
            median="-" if figures.median_hours is None else format_number(figures.median_hours),
        ),
    ]
    for code, count in sorted(figures.refusals.items()):
        label = vocabulary("refusal").term(code).label()
        lines.append(_("  refused — {reason}: {count}", reason=label, count=count))
    return lines


def reciprocity_text(found: list[Any]) -> str:
    """Reciprocity figures of each agreement, for the liaison officer's report."""
    lines: list[str] = []
    for fig in found:
        lines += [
            click.style(
                _("Agreement {id} with {partner}", id=fig.agreement, partner=fig.partner), bold=True
            ),
            _(
                "Records sent: {sent} ({entities} entities) · received: {received}"
                " ({held} held now)",
                sent=format_number(fig.records_sent),
                entities=format_number(fig.entities_sent),
                received=format_number(fig.records_received),
                held=format_number(fig.entities_held),
            ),
            _(
                "Recalls sent: {sent} · received: {received} · use receipts from the partner:"
                " {receipts}",
                sent=fig.recalls_sent,
                received=fig.recalls_received,
                receipts=fig.use_receipts,
            ),
        ]
        lines += _requests_lines(_("RFIs sent"), fig.rfis_sent, fig.deadline_hours)
        lines += _requests_lines(_("RFIs received"), fig.rfis_received, fig.deadline_hours)
        lines.append("")
    return "\n".join(lines).rstrip() or _("No agreements installed.")
