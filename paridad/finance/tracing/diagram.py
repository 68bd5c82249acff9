"""The money-flow diagram of a trace, as a standalone SVG.

Accounts stand in columns by hop (the seed on the left forward, on the right backward), and
each pair of accounts is joined by one band as wide as the dollars attributed to the trace
(all transfers between the two summed); transfers that carried none of the traced money are
drawn as thin dashed lines, so the analyst sees what was looked at and ruled out. The SVG
needs no script or font download: it opens in any browser and prints.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path

from paridad.finance.tracing.tracer import Trace
from paridad.i18n import N_, Lang, format_number, translate

MSG_TITLE_FORWARD = N_("Where the money of {seeds} went ({method}, {hops} hops)")
MSG_TITLE_BACKWARD = N_("Where the money in {seeds} came from ({method}, {hops} hops)")
MSG_CASH = N_("cash")

_BOX_W, _BOX_H, _COL_GAP, _ROW_GAP, _MARGIN = 170, 34, 120, 16, 24
_MAX_BAND = 28.0


def render_svg(trace: Trace, lang: Lang) -> str:
    hop_of = {a: int(n["hop"]) for a, n in trace.accounts.items()}
    # Cash has no account: each account's cash counter is its own box, one hop further out.
    for t in trace.transfers:
        account = t.dst if t.src is None else t.src if t.dst is None else None
        if account is not None:
            hop_of.setdefault(_cash(account), hop_of.get(account, t.hop) + 1)
    columns: dict[int, list[str]] = defaultdict(list)
    for account, hop in sorted(hop_of.items(), key=lambda kv: (kv[1], kv[0])):
        columns[hop].append(account)
    hops = sorted(columns)
    place: dict[str, tuple[float, float]] = {}
    for i, hop in enumerate(hops):
        col = i if trace.direction == "forward" else len(hops) - 1 - i
        for j, account in enumerate(columns[hop]):
            place[account] = (
                _MARGIN + col * (_BOX_W + _COL_GAP),
                _MARGIN + 40 + j * (_BOX_H + _ROW_GAP),
            )
    width = _MARGIN * 2 + len(hops) * _BOX_W + max(0, len(hops) - 1) * _COL_GAP
    height = max((y for _, y in place.values()), default=0) + _BOX_H + _MARGIN
    flows: dict[tuple[str, str], float] = defaultdict(float)
    for t in trace.transfers:
        src = t.src if t.src is not None else _cash(t.dst or "")
        dst = t.dst if t.dst is not None else _cash(t.src or "")
        flows[(src, dst)] += t.attributed_usd
    top = max(flows.values(), default=0.0) or 1.0
    title = translate(
        MSG_TITLE_FORWARD if trace.direction == "forward" else MSG_TITLE_BACKWARD,
        lang,
        seeds=", ".join(trace.seeds),
        method=trace.method,
        hops=trace.hops,
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height + 20:.0f}" '
        f'font-family="sans-serif" font-size="12">',
        f'<text x="{_MARGIN}" y="{_MARGIN + 8}" font-size="15" font-weight="bold">'
        f"{escape(title)}</text>",
    ]
    for (src, dst), dollars in sorted(flows.items()):
        if src not in place or dst not in place:
            continue
        (x1, y1), (x2, y2) = place[src], place[dst]
        sx, tx = x1 + _BOX_W, x2  # money flows left to right either way
        sy, ty = y1 + _BOX_H / 2, y2 + _BOX_H / 2
        mid = (sx + tx) / 2
        path = f"M{sx:.1f},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        if dollars > 0.005:
            band = max(1.5, _MAX_BAND * dollars / top)
            out.append(
                f'<path d="{path}" fill="none" stroke="#c0392b" stroke-opacity="0.55" '
                f'stroke-width="{band:.1f}"><title>{escape(_label(src, lang))} → '
                f"{escape(_label(dst, lang))}: US$ {format_number(dollars, lang, 2)}"
                f"</title></path>"
            )
        else:
            out.append(
                f'<path d="{path}" fill="none" stroke="#999" stroke-width="1" '
                f'stroke-dasharray="4 3"/>'
            )
    for account, (x, y) in place.items():
        node = trace.accounts.get(account, {})
        dollars = float(node.get("in_usd", 0.0) or node.get("out_usd", 0.0) or 0.0)
        seed = account in trace.seeds
        label = _label(account, lang)
        out.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{_BOX_H}" rx="4" '
            f'fill="{"#fdebd0" if seed else "#eef2f7"}" stroke="#34495e"/>'
        )
        out.append(f'<text x="{x + 6:.0f}" y="{y + 14:.0f}">{escape(label[:26])}</text>')
        if dollars:
            out.append(
                f'<text x="{x + 6:.0f}" y="{y + 28:.0f}" fill="#555">US$ '
                f"{format_number(dollars, lang, 2)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _cash(account: str) -> str:
    return f"\x00cash:{account}"


def _label(node: str, lang: Lang) -> str:
    return translate(MSG_CASH, lang) if node.startswith("\x00cash:") else node


def write_svg(trace: Trace, path: Path, lang: Lang) -> None:
    path.write_text(render_svg(trace, lang), encoding="utf-8")
