"""The network around traced guns: purchasers, dealers, firearms, recoveries, possessors,
seizures and, from a node, the brokers and organisations related to them.

Only firearms that were traced or sold in a multiple-sale event enter the graph. Guns seized
together (one case number) are joined through the seizure, which is how a ring's purchasers
meet in Mexico. Dealers are kept as nodes but do not join components: a dealer sells to
everyone, and linking through it would merge strangers. Components are ranked by the sum of
their purchasers' scores (:mod:`.purchasers`), then by size.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx  # type: ignore[import-untyped]

from paridad.firearms.indicators import multiple_sales, purchasers, time_to_crime
from paridad.firearms.indicators.base import ONE_YEAR, IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "network"
VERSION = "1"
TITLE = N_("Trafficking network")

MSG_COMPONENT = N_(
    "{purchasers} purchasers, {firearms} firearms, {recoveries} recoveries, "
    "{possessors} possessors, {others} related people or organisations"
)
MSG_SHORT = N_("{count} traces with time-to-crime under 1 year")
MSG_EVENTS = N_("{count} multiple-sale events")
MSG_FLAGGED = N_("{count} flagged purchasers")

COLUMNS = [
    "rank",
    "component",
    "nodes",
    "edges",
    "score",
    "purchasers",
    "firearms",
    "recoveries",
    "possessors",
    "related",
    "dealers",
    "short_ttc_traces",
    "multiple_sale_events",
    "members",
]


def build_graph(tables: Tables, events: list[multiple_sales.Event]) -> nx.Graph:
    """The graph; each node has ``kind`` and ``label``, each edge ``relation``."""
    g: nx.Graph = nx.Graph()

    def node(node_id: str, kind: str, label: str | None = None) -> str:
        if node_id not in g:
            g.add_node(node_id, kind=kind, label=label or node_id)
        return node_id

    in_event = {a for e in events for a in e.acquisitions}
    traced = time_to_crime.trace_rows(tables)
    keep = in_event | {t["acquisition_id"] for t in traced}
    for row in tables.rows(
        "SELECT acquisition_id, make, model, purchaser_id, purchaser_name, dealer_id,"
        " dealer_name FROM acquisitions"
    ):
        if row["acquisition_id"] not in keep:
            continue
        gun = node(row["acquisition_id"], "firearm", f"{row['make'] or ''} {row['model'] or ''}")
        if row["purchaser_id"]:
            g.add_edge(
                node(row["purchaser_id"], "purchaser", row["purchaser_name"]),
                gun,
                relation="bought",
            )
        if row["dealer_id"]:
            g.add_edge(node(row["dealer_id"], "dealer", row["dealer_name"]), gun, relation="sold")
    recovered = {t["recovery_id"]: t for t in traced}
    for row in tables.rows(
        "SELECT recovery_id, municipality, state, possessor_id, possessor_name, case_number,"
        " joint_case_id FROM recoveries"
    ):
        trace = recovered.get(row["recovery_id"])
        if trace is None:
            continue
        rec = node(row["recovery_id"], "recovery", f"{row['municipality']}, {row['state']}")
        g.add_edge(trace["acquisition_id"], rec, relation="traced")
        if row["possessor_id"]:
            kind = "purchaser" if row["possessor_id"] in g else "possessor"
            g.add_edge(
                rec, node(row["possessor_id"], kind, row["possessor_name"]), relation="possessed"
            )
        for case in (row["case_number"], row["joint_case_id"]):
            if case:
                g.add_edge(rec, node(f"case:{case}", "seizure", case), relation="seized in")
    parties = {p["id"]: p for p in tables.rows("SELECT id, name, schema FROM parties")}
    for link in tables.rows("SELECT source_id, target_id, relation FROM links"):
        ends = (link["source_id"], link["target_id"])
        if not any(e in g for e in ends):
            continue
        for end in ends:
            party = parties.get(end, {})
            kind = "person" if party.get("schema") == "Person" else "organisation"
            node(end, kind, party.get("name"))
        g.add_edge(*ends, relation=link["relation"])
    return g


def run(
    tables: Tables,
    events: list[multiple_sales.Event] | None = None,
    scored: IndicatorResult | None = None,
    calendar: multiple_sales.Calendar = "observed",
) -> IndicatorResult:
    if events is None:
        events, _how = multiple_sales.detect(tables, calendar)
    if scored is None:
        scored = purchasers.run(tables, events)
    score = {r["purchaser_id"]: r for r in scored.rows}
    g = build_graph(tables, events)
    kinds = nx.get_node_attributes(g, "kind")
    core = g.subgraph([n for n, k in kinds.items() if k != "dealer"])
    short = {
        t["acquisition_id"]
        for t in time_to_crime.trace_rows(tables)
        if t["ttc_days"] is not None and t["ttc_days"] < ONE_YEAR
    }
    event_count = Counter(e.purchaser_id for e in events)
    rows: list[dict[str, Any]] = []
    membership: dict[str, str] = {}
    for members in nx.connected_components(core):
        count = Counter(kinds[m] for m in members)
        buyers = sorted(
            (m for m in members if kinds[m] == "purchaser"),
            key=lambda m: -float(score.get(m, {}).get("score", 0.0)),
        )
        total = round(sum(float(score.get(m, {}).get("score", 0.0)) for m in buyers), 2)
        dealers = {d for m in members for d in g.neighbors(m) if kinds[d] == "dealer"}
        n_short = sum(1 for m in members if m in short)
        n_events = sum(event_count[m] for m in buyers)
        flagged = sum(1 for m in buyers if score.get(m, {}).get("flagged"))
        reasons = [
            Reason(
                MSG_COMPONENT,
                {
                    "purchasers": count["purchaser"],
                    "firearms": count["firearm"],
                    "recoveries": count["recovery"],
                    "possessors": count["possessor"],
                    "others": count["person"] + count["organisation"],
                },
            )
        ]
        if n_short:
            reasons.append(Reason(MSG_SHORT, {"count": n_short}))
        if n_events:
            reasons.append(Reason(MSG_EVENTS, {"count": n_events}))
        if flagged:
            reasons.append(Reason(MSG_FLAGGED, {"count": flagged}))
        rows.append(
            {
                "nodes": len(members),
                "edges": core.subgraph(members).number_of_edges(),
                "score": total,
                "purchasers": count["purchaser"],
                "firearms": count["firearm"],
                "recoveries": count["recovery"],
                "possessors": count["possessor"],
                "related": count["person"] + count["organisation"],
                "dealers": len(dealers),
                "short_ttc_traces": n_short,
                "multiple_sale_events": n_events,
                "members": buyers[:10],
                "reasons": reasons,
                "_members": members,
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["nodes"], sorted(r["_members"])[0]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        row["component"] = f"C-{rank:04d}"
        for m in row.pop("_members"):
            membership[m] = row["component"]
    nodes = [
        {"id": n, "kind": d["kind"], "label": d["label"], "component": membership.get(n, "")}
        for n, d in g.nodes(data=True)
    ]
    edges = [
        {"source": a, "target": b, "relation": d["relation"]} for a, b, d in g.edges(data=True)
    ]
    summary = {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "components": len(rows),
        "largest": rows[0]["nodes"] if rows else 0,
        "kinds": dict(Counter(kinds.values())),
    }
    return IndicatorResult(
        NAME, VERSION, TITLE, COLUMNS, rows, summary, extra={"nodes": nodes, "edges": edges}
    )
