"""The planted answers point at real records and the planted rates are what the research says."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from paridad.synth.firearms import business_index
from tests.synth.conftest import Scenario

SECTIONS = {
    "people_pairs",
    "people_hard_negatives",
    "traces",
    "straw_rings",
    "multiple_sales",
    "drone_hotspots",
    "drone_crossings",
    "typologies",
    "fuel_networks",
    "designated",
    "extraditions",
    "joint_cases",
    "meetings",
}
VARIANTS = {
    "accents",
    "paternal-only",
    "hyphenated",
    "surnames-swapped",
    "paternal-as-middle",
    "particle-dropped",
    "particle-merged",
    "particle-kept",
    "nickname",
    "alias",
    "typo",
    "middle-initial",
    "given-dropped",
    "goes-by-second-name",
    "dob-swapped",
    "dob-year",
    "dob-missing",
    "shared-passport",
    "shared-curp",
}


def _exists(sc: Scenario, side: str, eid: str | None, schema: str | None = None) -> None:
    assert eid is not None
    assert eid in sc.side(side), f"truth points at {eid}, not on {side}"
    if schema:
        assert sc.side(side)[eid]["schema"] == schema, (eid, schema)


def test_sections_present_and_nonempty(scenario: Scenario) -> None:
    for section in SECTIONS:
        assert scenario.truth[section], section


def test_truth_references_exist(scenario: Scenario) -> None:
    t = scenario.truth
    for pair in t["people_pairs"]:
        _exists(scenario, "mx", pair["mx"], "Person")
        _exists(scenario, "us", pair["us"], "Person")
        assert set(pair["variant"]) <= VARIANTS, pair["variant"]
    for pair in t["people_hard_negatives"]:
        _exists(scenario, "mx", pair["mx"], "Person")
        _exists(scenario, "us", pair["us"], "Person")
    for trace in t["traces"]:
        _exists(scenario, "mx", trace["recovery"], "FirearmRecovery")
        _exists(scenario, "mx", trace["firearm_mx"], "Firearm")
        if trace["acquisition"]:
            _exists(scenario, "us", trace["acquisition"], "FirearmAcquisition")
            _exists(scenario, "us", trace["firearm_us"], "Firearm")
            acq = scenario.side("us")[trace["acquisition"]]
            assert acq["properties"]["firearm"] == [trace["firearm_us"]]
            us_gun = scenario.side("us")[trace["firearm_us"]]
            assert us_gun["properties"]["serialNumber"] == [trace["serial_true"]]
        mx_gun = scenario.side("mx")[trace["firearm_mx"]]
        assert mx_gun["properties"].get("serialNumber", [""]) == [trace["serial_read"]]
        for decoy in trace["decoys"]:
            _exists(scenario, "us", decoy, "FirearmAcquisition")
    for ring in t["straw_rings"]:
        for pid in ring["purchasers"]:
            _exists(scenario, "us", pid, "Person")
        for acq in ring["acquisitions"]:
            _exists(scenario, "us", acq, "FirearmAcquisition")
    for flight in t["drone_flights"]:
        for side in ("mx", "us"):
            if flight[f"{side}_track"]:
                _exists(scenario, side, flight[f"{side}_track"], "DroneTrack")
    for typ in t["typologies"]:
        for side, ids in typ["accounts_by_side"].items():
            for eid in ids:
                _exists(scenario, side, eid, "BankAccount")
        for pid in typ["payments"]:
            assert pid in scenario.side("mx") or pid in scenario.side("us")
    for net in t["fuel_networks"]:
        for iid in net["incidents"]:
            _exists(scenario, "mx", iid, "FuelTheftIncident")
        for cid in net["companies"]:
            _exists(scenario, "mx", cid, "Company")
    for d in t["designated"]:
        _exists(scenario, "us", d["us_sanction"], "Sanction")
        _exists(scenario, "us", d["us"])
        _exists(scenario, "mx", d["mx"])
        if d["mx_sanction"]:
            _exists(scenario, "mx", d["mx_sanction"], "Sanction")
    for ext in t["extraditions"]:
        _exists(scenario, "mx", ext["mx"], "ExtraditionRequest")
        _exists(scenario, "us", ext["us"], "ExtraditionRequest")
        assert scenario.side("mx")[ext["mx"]]["properties"]["subject"] == [ext["subject_mx"]]
        assert scenario.side("us")[ext["us"]]["properties"]["subject"] == [ext["subject_us"]]
    for case in t["joint_cases"]:
        _exists(scenario, "mx", case["mx"], "JointCase")
        _exists(scenario, "us", case["us"], "JointCase")
    for pair in t["payment_pairs"]:
        mx, us = scenario.side("mx")[pair["mx"]], scenario.side("us")[pair["us"]]
        assert mx["properties"]["transactionNumber"] == us["properties"]["transactionNumber"]
        assert mx["properties"]["amount"] == us["properties"]["amount"]


def test_trace_outcome_rates(scenario: Scenario) -> None:
    traces = scenario.truth["traces"]
    origin = Counter(t["origin"] for t in traces)
    n = len(traces)
    assert abs(origin["us"] / n - 0.70) < 0.02  # GAO-16-223
    assert abs(origin["foreign"] / n - 0.17) < 0.02
    assert all((t["acquisition"] is not None) == (t["origin"] == "us") for t in traces)
    us = [t for t in traces if t["origin"] == "us"]
    ring_share = sum(t["ring"] is not None for t in us) / len(us)
    assert 0.12 < ring_share < 0.22  # 18% trafficking-ring component
    background = [t for t in us if t["ring"] is None]
    states = Counter(t["source_state"] for t in background)
    assert abs(states["TX"] / len(background) - 0.40) < 0.08
    assert abs((states["AZ"] + states["CA"] + states["NM"]) / len(background) - 0.32) < 0.08
    cond = Counter(t["serial_condition"] for t in traces)
    assert abs(cond["intact"] / n - 0.88) < 0.05
    assert cond["obliterated"] and cond["restored"] and cond["altered"]
    assert all(not t["traceable"] for t in traces if t["serial_condition"] == "obliterated")
    types = Counter(t["type"] for t in traces)
    assert abs(types["pistol"] / n - 0.47) < 0.08
    assert abs(types["rifle"] / n - 0.33) < 0.08
    ring_ttc = sorted(t["time_to_crime_days"] for t in us if t["ring"] is not None)
    old_ttc = sorted(t["time_to_crime_days"] for t in background)
    assert ring_ttc[len(ring_ttc) // 2] < 365 < 5 * 365 < old_ttc[len(old_ttc) // 2]


def test_misreads_are_planted_and_named(scenario: Scenario) -> None:
    traces = scenario.truth["traces"]
    misread = [t for t in traces if t["misread"] and t["serial_condition"] != "obliterated"]
    assert 0.12 < len(misread) / len(traces) < 0.4
    kinds = Counter(k for t in misread for k in t["misread"])
    assert {"dropped", "transposed", "partial"} <= set(kinds)
    assert any("/" in k for k in kinds)
    for t in traces:
        assert (t["serial_read"] != t["serial_true"]) == bool(t["misread"]), t


def _acquisitions(sc: Scenario) -> list[dict[str, Any]]:
    us = sc.side("us")
    out = []
    for acq in sc.of("us", "FirearmAcquisition"):
        p = acq["properties"]
        gun = us[p["firearm"][0]]["properties"]
        out.append(
            {
                "id": acq["id"],
                "purchaser": p["purchaser"][0],
                "dealer": p["dealer"][0],
                "state": p["state"][0],
                "day": date.fromisoformat(p["date"][0]),
                "type": gun["type"][0],
                "model": f"{gun['make'][0]} {gun['model'][0]}",
                "caliber": gun["caliber"][0],
                "report": p.get("multipleSaleReport", [None])[0],
                "form": p.get("multipleSaleForm", [None])[0],
            }
        )
    return out


def _qualifying_rifles() -> set[str]:
    from paridad.synth import catalog

    return {f"{m.make} {m.model}" for m in catalog.firearm_models() if m.rifle_3310_12}


def test_multiple_sale_rules_fire_exactly(scenario: Scenario) -> None:
    """Flagged iff the same dealer sold the same person another qualifying gun within five
    consecutive business days (Monday-Saturday shops)."""
    rifles = _qualifying_rifles()
    sales = _acquisitions(scenario)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in sales:
        form = None
        if s["type"] in ("pistol", "revolver"):
            form = "3310.4"
        elif (
            s["model"] in rifles
            and s["state"] in ("AZ", "CA", "NM", "TX")
            and s["day"] >= date(2011, 8, 14)
        ):
            form = "3310.12"
        s["expected"] = form
        if form:
            groups[(s["purchaser"], s["dealer"], form)].append(s)
    flagged = 0
    for s in sales:
        peers = groups.get((s["purchaser"], s["dealer"], s["expected"] or ""), [])
        hit = any(
            o is not s and abs(business_index(o["day"]) - business_index(s["day"])) <= 4
            for o in peers
        )
        assert (s["form"] is not None) == hit, s
        if hit:
            assert s["form"] == s["expected"]
            flagged += 1
    assert flagged > 20
    truth = scenario.truth["multiple_sales"]
    by_report = defaultdict(set)
    for s in sales:
        if s["report"]:
            by_report[s["report"]].add(s["id"])
    assert {r["report"]: set(r["acquisitions"]) for r in truth} == dict(by_report)
    assert all(s["day"].weekday() != 6 for s in sales)  # dealers are closed on Sundays


def test_background_buyers_rarely_trigger_reports(scenario: Scenario) -> None:
    ring_buyers = {p for r in scenario.truth["straw_rings"] for p in r["purchasers"]}
    reports = scenario.truth["multiple_sales"]
    innocent = {r["purchaser"] for r in reports if r["ring"] is None}
    assert not innocent & ring_buyers
    buyers = {s["purchaser"] for s in _acquisitions(scenario)} - ring_buyers
    assert 0.005 < len(innocent) / len(buyers) < 0.04  # ~1-2% (plus old one-off sales)
    ring_reports = [r for r in reports if r["ring"] is not None]
    assert len(ring_reports) > len(innocent)


def test_straw_rings_shape(scenario: Scenario) -> None:
    for ring in scenario.truth["straw_rings"]:
        assert 2 <= len(ring["purchasers"]) <= 8
        assert 1 <= len(ring["dealers"]) <= 5
        assert ring["state"] in ("TX", "AZ", "NM", "CA")
        start, end = date.fromisoformat(ring["start"]), date.fromisoformat(ring["end"])
        assert 30 <= (end - start).days <= 180


def test_people_pairs_cover_the_variants(scenario: Scenario) -> None:
    pairs = scenario.truth["people_pairs"]
    tags = Counter(t for p in pairs for t in p["variant"])
    for expected in ("accents", "paternal-only", "nickname", "typo", "dob-swapped", "alias"):
        assert tags[expected] > 0, expected
    share = len(pairs) / len(list(scenario.of("mx", "Person")))
    assert 0.05 < share < 0.5


def test_typologies_planted(scenario: Scenario) -> None:
    kinds = Counter(t["kind"] for t in scenario.truth["typologies"])
    for kind in (
        "fan-in",
        "fan-out",
        "cycle",
        "scatter-gather",
        "gather-scatter",
        "funnel",
        "structuring",
        "rapid-pass-through",
    ):
        assert kinds[kind] >= 2, kind
    us = scenario.side("us")
    for typ in scenario.truth["typologies"]:
        if typ["kind"] == "funnel":
            deposits = [
                us[p]
                for p in typ["payments"]
                if p in us and us[p]["properties"]["purpose"] == ["Cash deposit"]
            ]
            assert len(deposits) >= 10
            assert all(float(d["properties"]["amount"][0]) < 10_000 for d in deposits)
            branches = {d["properties"]["description"][0] for d in deposits}
            assert len(branches) > 3


def test_variant_tags_describe_the_records(scenario: Scenario) -> None:
    """What the truth says drifted between the two records is what actually differs."""
    checked = 0
    for pair in scenario.truth["people_pairs"]:
        mx = scenario.side("mx")[pair["mx"]]["properties"]
        us = scenario.side("us")[pair["us"]]["properties"]
        tags = set(pair["variant"])
        mx_dob, us_dob = mx.get("birthDate"), us.get("birthDate")
        if "dob-missing" in tags:
            assert mx_dob is None or us_dob is None
        elif "dob-swapped" in tags:
            a, b = date.fromisoformat(mx_dob[0]), date.fromisoformat(us_dob[0])
            assert (a.year, a.month, a.day) == (b.year, b.day, b.month)
        elif "dob-year" in tags:
            assert mx_dob != us_dob
        elif mx_dob and us_dob:
            assert mx_dob == us_dob, pair
            checked += 1
        if "shared-passport" in tags:
            assert set(mx["passportNumber"]) & set(us["passportNumber"])
        if "shared-curp" in tags:
            assert set(mx.get("idNumber", [])) & set(us.get("idNumber", []))
        if "accents" in tags:
            name = us["name"][0] if mx["nationality"] == ["mx"] else mx["name"][0]
            assert name.isascii() or "ü" in name.lower()
    assert checked > 50
