"""The baseline of ``paridad bench finance``: the same typology rules written the way an
analyst would with networkx — a MultiDiGraph of the transactions, per-account loops over its
edges, time windows in Python.

The rules and defaults are those of the detectors' version 1 (``paridad/finance/detectors``):
the same counts, windows, shares and thresholds. Windows slide over each account's sorted
payments instead of the detectors' two-offset buckets, which finds at least every burst the
buckets find.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from statistics import pstdev
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import pyarrow as pa

DAY = 86_400
HOUR = 3_600
FLOWS = {"transfer", "wire", "check", "other"}

Alert = tuple[str, str]  # (detector, anchor)


def build_graph(tx: pa.Table) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    names = ["tx_id", "ts", "src", "dst", "amount", "amount_usd", "type", "location", "dst_country"]
    cols = tx.select(names).to_pydict()
    for tx_id, ts, src, dst, amount, usd, kind, loc, dc in zip(*cols.values(), strict=True):
        graph.add_edge(
            src or "CASH",
            dst or "CASH",
            key=tx_id,
            ts=ts,
            amount=amount,
            usd=usd,
            type=kind,
            loc=loc,
            dc=dc,
        )
    return graph


def _fan(graph: nx.MultiDiGraph, inward: bool) -> list[Alert]:
    out = []
    name, max_cv = ("fan-in", 0.35) if inward else ("fan-out", 0.5)
    for node in graph.nodes:
        if node == "CASH":
            continue
        edges = graph.in_edges(node, data=True) if inward else graph.out_edges(node, data=True)
        legs = sorted(
            (d["ts"], (u if inward else v), d["usd"])
            for u, v, d in edges
            if d["type"] in FLOWS and u != v and "CASH" not in (u, v)
        )
        if len(legs) < 6:
            continue
        times = [t for t, _, _ in legs]
        for i, (t0, _, _) in enumerate(legs):
            j = bisect_right(times, t0 + 10 * DAY)
            burst = legs[i:j]
            others = {o for _, o, _ in burst}
            amounts = [a for _, _, a in burst]
            mean = sum(amounts) / len(amounts)
            if len(others) < 6 or sum(amounts) < 5_000 or pstdev(amounts) / mean > max_cv:
                continue
            regular = {
                o for t, o, _ in legs if (t < t0 - 20 * DAY or t > burst[-1][0] + 20 * DAY)
            } & others
            if len(regular) / len(others) <= 0.3:
                out.append((name, node))
                break
    return out


def _forwarding(graph: nx.MultiDiGraph) -> list[tuple[Any, ...]]:
    pairs = []
    for via in graph.nodes:
        if via == "CASH":
            continue
        outs = sorted(
            (d["ts"], v, d["usd"], k)
            for _, v, k, d in graph.out_edges(via, keys=True, data=True)
            if d["type"] in FLOWS and v != "CASH"
        )
        times = [o[0] for o in outs]
        for u, _, k, d in graph.in_edges(via, keys=True, data=True):
            if d["type"] in ("card", "cash_withdrawal") or d["usd"] < 1_000:
                continue
            lo, hi = bisect_left(times, d["ts"]), bisect_right(times, d["ts"] + 7 * DAY)
            for t, v, usd, k2 in outs[lo:hi]:
                if 0.8 * d["usd"] <= usd <= d["usd"] and k2 != k:
                    pairs.append((u, via, v, d["ts"], t, d["usd"], usd, d["type"], k, k2))
    return pairs


def _scatter_gather(pairs: list[tuple[Any, ...]]) -> list[Alert]:
    mids: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for u, via, v, t_in, *_ in pairs:
        if u != "CASH" and u != v and via != v:
            mids[(u, v)].append((t_in, via))
    out = set()
    for (_, v), legs in mids.items():
        legs.sort()
        for i, (t0, _) in enumerate(legs):
            if len({m for t, m in legs[i:] if t <= t0 + 7 * DAY}) >= 2:
                out.add(("scatter-gather", v))
                break
    return sorted(out)


def _gather_scatter(graph: nx.MultiDiGraph) -> list[Alert]:
    out = []
    for hub in graph.nodes:
        if hub == "CASH":
            continue
        ins = sorted(
            (d["ts"], u, d["usd"])
            for u, _, d in graph.in_edges(hub, data=True)
            if u not in ("CASH", hub) and d["type"] in FLOWS | {"cash_deposit"}
        )
        outs = sorted(
            (d["ts"], v, d["usd"])
            for _, v, d in graph.out_edges(hub, data=True)
            if v != "CASH" and d["type"] in FLOWS
        )
        if len(ins) < 3 or len(outs) < 3:
            continue
        times = [t for t, _, _ in ins]
        for i, (t0, _, _) in enumerate(ins):
            burst = ins[i : bisect_right(times, t0 + 6 * DAY)]
            sources = {s for _, s, _ in burst}
            total = sum(a for _, _, a in burst)
            if len(sources) < 3 or total < 5_000:
                continue
            end = burst[-1][0] + 7 * DAY
            paid = [(v, a) for t, v, a in outs if t0 <= t <= end and v not in sources]
            if len({v for v, _ in paid}) >= 3 and 0.7 * total <= sum(a for _, a in paid) <= total:
                out.append(("gather-scatter", hub))
                break
    return out


def _bipartite(graph: nx.MultiDiGraph) -> list[Alert]:
    by_src: dict[str, set[str]] = defaultdict(set)
    for u, v, d in graph.edges(data=True):
        if d["type"] in FLOWS and d["usd"] >= 1_000 and "CASH" not in (u, v) and u != v:
            by_src[u].add(v)
    indeg: dict[str, int] = defaultdict(int)
    for targets in by_src.values():
        for v in targets:
            indeg[v] += 1
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, targets in by_src.items():
        small = sorted(v for v in targets if 2 <= indeg[v] <= 12)
        if not 2 <= len(targets) <= 12:
            continue
        for a in range(len(small)):
            for b in range(a + 1, len(small)):
                shared[(small[a], small[b])].add(u)
    anchors = {min(pair) for pair, sources in shared.items() if len(sources) >= 2}
    return sorted(("bipartite", a) for a in anchors)


def _walks(pairs: list[tuple[Any, ...]]) -> tuple[list[Alert], list[Alert]]:
    """Cycles and stacks: walks over relays from each first payment of ≥ 5,000 USD."""
    nxt: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for p in pairs:
        nxt[p[8]].append(p)
    cycles, stacks = set(), set()
    for p in pairs:
        u, via, v, t_in, _t_out, a_in = p[0], p[1], p[2], p[3], p[4], p[5]
        if u == "CASH" or u == v or a_in < 5_000:
            continue
        stack = [([u, via, v], p, 2)]
        while stack:
            accounts, last, edges = stack.pop()
            extended = False
            for q in nxt.get(last[9], []):
                if q[4] - t_in > 30 * DAY or q[2] in accounts[1:]:
                    continue
                if q[2] == accounts[0]:
                    if edges + 1 >= 3:
                        cycles.add(("cycle", min(accounts)))
                    continue
                if edges + 1 <= 6:
                    extended = True
                    stack.append(([*accounts, q[2]], q, edges + 1))
            if not extended and edges >= 3 and last[4] - t_in <= 14 * DAY:
                stacks.add(("stack", accounts[0]))
    return sorted(cycles), sorted(stacks)


def _cash(graph: nx.MultiDiGraph) -> list[Alert]:
    out = []
    for node in graph.nodes:
        if node == "CASH":
            continue
        deposits = sorted(
            (d["ts"], d["usd"], d["loc"], d["amount"], d["dc"])
            for u, _, d in graph.in_edges(node, data=True)
            if d["type"] == "cash_deposit"
        )
        if not deposits:
            continue
        outs = sorted(
            (d["ts"], v, d["usd"])
            for _, v, d in graph.out_edges(node, data=True)
            if d["type"] in FLOWS and v != "CASH"
        )
        small = [d for d in deposits if d[1] < 10_000]
        s_times = [d[0] for d in small]
        for i, first in enumerate(small):
            t0 = first[0]
            burst = small[i : bisect_right(s_times, t0 + 30 * DAY)]
            if len(burst) >= 5 and len({d[2] for d in burst}) >= 3:
                cash = sum(d[1] for d in burst)
                out_usd = sum(a for t, _, a in outs if t0 <= t <= burst[-1][0] + 7 * DAY)
                if out_usd >= 0.7 * cash:
                    out.append(("funnel", node))
                    break
        limits = {"us": 10_000.0, "mx": 500.0}  # the thresholds in force for USD cash
        band = [
            d[0] for d in deposits if d[4] in limits and 0.8 * limits[d[4]] <= d[3] < limits[d[4]]
        ]
        if any(bisect_right(band, t + 30 * DAY) - i >= 3 for i, t in enumerate(band)):
            out.append(("structuring", node))
        for t, a, *_ in deposits:
            if a >= 25_000 and any(
                t <= t2 <= t + 24 * HOUR and 0.9 * a <= a2 <= a for t2, _, a2 in outs
            ):
                out.append(("rapid-pass-through", node))
                break
    return out


def detect(tx: pa.Table) -> list[Alert]:
    """Every (detector, anchor) the baseline finds."""
    graph = build_graph(tx)
    pairs = _forwarding(graph)
    cycles, stacks = _walks(pairs)
    found = (
        _fan(graph, True)
        + _fan(graph, False)
        + _scatter_gather(pairs)
        + _gather_scatter(graph)
        + _bipartite(graph)
        + cycles
        + stacks
        + _cash(graph)
    )
    return sorted(set(found))
