"""The package as a bilingual PDF: Spanish and English side by side in one document.

A court in either country reads the same document, so every label is written in both
languages (Spanish first: the package is for a Mexican or a US court alike, and Spanish is
the language of the Mexican proceedings most packages serve). Values are shown as they were
recorded, never translated: a translated value would no longer be the evidence.

The PDF is rendered from the package data only, so it can show nothing the JSON does not
hold; what was withheld appears by reference and refusal code, as in the JSON.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from paridad.i18n import N_, format_date, format_number, translate
from paridad.model import model
from paridad.model.labels import property_label, schema_label
from paridad.model.vocabularies import vocabulary

TITLE = N_("Prosecution package")
SECTION_TITLES = {
    "case": N_("Case"),
    "recoveries": N_("Recovered firearms"),
    "firearms": N_("Firearms"),
    "traces": N_("Firearm traces"),
    "acquisitions": N_("First retail purchases"),
    "parties": N_("Purchasers, dealers and possessors"),
    "purchase_history": N_("Purchase history"),
    "links": N_("Links"),
}
L_NODE = N_("Node")
L_CASE = N_("Case asked for")
L_CREATED = N_("Created")
L_PACKAGE = N_("Package")
L_FINGERPRINT = N_("Signing key fingerprint")
L_ITEMS = N_("Items included")
L_WITHHELD = N_("Items withheld")
L_ORIGIN = N_("Originator")
L_LEGAL_BASIS = N_("Legal basis")
L_HANDLING = N_("Handling code")
L_CUSTODY = N_("Chain of custody")
L_RECEIVED = N_("Received from partner {partner}, envelope {stream} no. {sequence}")
L_INGESTED = N_("Ingested locally into dataset {dataset} from {source}")
L_INGESTED_NO_RUN = N_("Ingested locally into dataset {dataset} ({origin})")
L_AUDIT_ENTRY = N_("Audit log entry {idx}")
L_NO_AUDIT_ENTRY = N_("No audit log entry of its own: proved by the package's export entry")
L_CONSENT = N_("Judicial use consented by {originator} (request {request})")
L_WITHHELD_TITLE = N_("Withheld items (reference and reason only)")
L_REFERENCE = N_("Reference")
L_REASON = N_("Reason")
L_AUDIT_TITLE = N_("Audit log proofs")
L_HEAD = N_("Signed tree head: size {size}, root {root}")
L_ENTRY = N_("Entry {idx} ({kind}), leaf {leaf}")
L_TRUNCATED = N_("The case reached the size limit; some linked entities are not included.")
L_VERIFY = N_(
    "This document is signed with the node's Ed25519 key in a detached, signed manifest "
    "(manifest.json and manifest.json.sig beside it). Verify with: paridad package verify "
    'FOLDER --fingerprint "{fingerprint}"'
)


def _both(msgid: str, **params: Any) -> str:
    es, en = translate(msgid, "es", **params), translate(msgid, "en", **params)
    return es if es == en else f"{es} / {en}"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _when(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{format_date(moment, 'es')} / {format_date(moment, 'en')}"


def _schema(name: str) -> str:
    schema = model.get(name)
    if schema is None:
        return name
    es, en = schema_label(schema, "es"), schema_label(schema, "en")
    return es if es == en else f"{es} / {en}"


def _prop(schema_name: str, prop_name: str) -> str:
    schema = model.get(schema_name)
    prop = schema.get(prop_name) if schema is not None else None
    if prop is None:
        return prop_name
    es, en = property_label(prop, "es"), property_label(prop, "en")
    return es if es == en else f"{es} / {en}"


def _custody_lines(custody: dict[str, Any]) -> list[str]:
    lines = []
    for source in custody["sources"]:
        if source["how"] == "received":
            info = source["received"]
            line = _both(
                L_RECEIVED,
                partner=info["partner"],
                stream=info["stream"],
                sequence=info["sequence"],
            )
        elif source.get("ingest_run"):
            line = _both(
                L_INGESTED, dataset=source["dataset"], source=source["ingest_run"]["source"]
            )
        else:
            line = _both(L_INGESTED_NO_RUN, dataset=source["dataset"], origin=source["origin"])
        idx = source.get("audit_entry")
        proof = _both(L_AUDIT_ENTRY, idx=idx) if idx is not None else _both(L_NO_AUDIT_ENTRY)
        lines.append(f"{line}. {proof}.")
    consent = custody.get("consent")
    if consent:
        lines.append(
            _both(L_CONSENT, originator=consent["originator"], request=consent["request"]) + "."
        )
    return lines


def render_pdf(package: dict[str, Any]) -> bytes:
    """The PDF bytes of ``package`` (see the module docstring)."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], ParagraphStyle("small", parent=styles["BodyText"], fontSize=8)
    h1, h2, h3 = styles["Title"], styles["Heading2"], styles["Heading4"]
    story: list[Any] = [_p(_both(TITLE), h1)]
    node, case = package["node"], package["case"]
    summary = [
        (L_PACKAGE, package["id"]),
        (L_NODE, f"{node['name']} ({node['agency']}, {node['country']})"),
        (L_CASE, case["asked"]),
        (L_CREATED, _when(package["created_at"])),
        (L_FINGERPRINT, node["fingerprint"]),
        (L_ITEMS, f"{format_number(len(package['items']), 'es')}"),
        (L_WITHHELD, f"{format_number(len(package['withheld']), 'es')}"),
    ]
    story.append(_table([[_p(_both(k), small), _p(v, small)] for k, v in summary]))
    if package.get("truncated"):
        story.append(_p(_both(L_TRUNCATED), body))
    by_section: dict[str, list[dict[str, Any]]] = {}
    for item in package["items"]:
        by_section.setdefault(item["section"], []).append(item)
    for section, title in SECTION_TITLES.items():
        items = by_section.get(section)
        if not items:
            continue
        story.append(_p(_both(title), h2))
        for item in items:
            story.append(_p(f"{item['caption']} — {_schema(item['schema'])} [{item['id']}]", h3))
            rows = [
                [_p(_prop(item["schema"], prop), small), _p("; ".join(values), small)]
                for prop, values in sorted(item["properties"].items())
            ]
            marks, custody = item["markings"], item["custody"]
            rows.append(
                [
                    _p(_both(L_ORIGIN), small),
                    _p(f"{marks['origin_agency']} ({marks['origin_country']})", small),
                ]
            )
            rows.append([_p(_both(L_LEGAL_BASIS), small), _p(marks["legal_basis"], small)])
            handling = vocabulary("handling").term(marks["handling"])
            rows.append(
                [
                    _p(_both(L_HANDLING), small),
                    _p(
                        f"{marks['handling']}: {handling.label('es')} / {handling.label('en')}",
                        small,
                    ),
                ]
            )
            rows.append([_p(_both(L_CUSTODY), small), _p(" ".join(_custody_lines(custody)), small)])
            story.append(_table(rows))
    if package["withheld"]:
        story.append(_p(_both(L_WITHHELD_TITLE), h2))
        refusal = vocabulary("refusal")
        rows = [[_p(_both(L_REFERENCE), small), _p(_both(L_REASON), small)]]
        for item in package["withheld"]:
            term = refusal.term(item["code"])
            reason = f"{item['code']}: {term.label('es')} / {term.label('en')}"
            rows.append([_p(item["id"], small), _p(reason, small)])
        story.append(_table(rows))
    audit = package["audit"]
    story.append(_p(_both(L_AUDIT_TITLE), h2))
    head = audit["head"]
    story.append(_p(_both(L_HEAD, size=head["size"], root=head["root"]), small))
    for entry in audit["entries"]:
        story.append(
            _p(_both(L_ENTRY, idx=entry["idx"], kind=entry["kind"], leaf=entry["leaf"]), small)
        )
    story.append(Spacer(1, 0.5 * cm))
    story.append(_p(_both(L_VERIFY, fingerprint=node["fingerprint"]), body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=f"{translate(TITLE, 'es')} / {translate(TITLE, 'en')} {package['id']}",
        author=node["name"],
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[Any]]) -> Table:
    table = Table(rows, colWidths=[5.5 * cm, 11.5 * cm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table
