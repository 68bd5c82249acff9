"""The alert rules on hand-made tracks south of the straight Arizona stretch of the line,
where the boundary runs east-west and a metre north is a metre closer."""

from __future__ import annotations

import pytest

from paridad.drones.alerts import AlertRules, RulesConfig
from paridad.drones.border import Border, CrossingWatch
from paridad.drones.tracking import Track, TrackUpdate

LON = -110.5
M_PER_DEG = 110_870.0


@pytest.fixture(scope="module")
def border() -> Border:
    return Border.load()


@pytest.fixture(scope="module")
def line_lat(border: Border) -> float:
    """The latitude of the line at LON, found on the border itself."""
    lo, hi = 31.2, 31.5
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(border.signed_distance_m(mid, LON)) > 0:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def update(t: float, lat: float, *, vn: float = 0.0, alt: float | None = 80.0) -> TrackUpdate:
    return TrackUpdate(
        track_id="T1",
        time=t,
        lat=lat,
        lon=LON,
        altitude=alt,
        velocity_east=0.0,
        velocity_north=vn,
        confirmed=True,
        serial=None,
        sensors=("MX-R1",),
        countries=("MX",),
        detection_id=f"d{t:.0f}",
    )


def northward(
    line_lat: float, start_m: float, end_m: float, speed: float, t0: float = 0.0
) -> list[TrackUpdate]:
    """Updates once a second from ``start_m`` to ``end_m`` (signed metres from the line)."""
    out, t, pos = [], t0, start_m
    step = speed if end_m > start_m else -speed
    while (pos <= end_m) if step > 0 else (pos >= end_m):
        out.append(update(t, line_lat + pos / M_PER_DEG, vn=step))
        t, pos = t + 1, pos + step
    return out


def test_an_approach_is_one_alert_until_the_track_goes_back_out(
    line_lat: float, border: Border
) -> None:
    rules = AlertRules(border)
    going = northward(line_lat, -2000, -200, 10)
    alerts = rules.judge(going)
    assert [a.kind for a in alerts] == ["approach"]
    first = alerts[0]
    assert -500 <= first.distance_m < -480  # raised on the first update within 500 m
    assert first.sector == "Tucson" and first.port.startswith("Nogales")
    # Loitering around the threshold raises nothing more.
    jitter = [update(200 + i, line_lat + (-500 + (-1) ** i * 20) / M_PER_DEG) for i in range(20)]
    assert rules.judge(jitter) == []
    # Out beyond 500 + 200 m, then back in: a second approach.
    away = northward(line_lat, -450, -900, 10, t0=300)
    back = northward(line_lat, -900, -300, 10, t0=400)
    assert [a.kind for a in rules.judge(away + back)] == ["approach"]


def test_moving_away_from_the_line_is_not_an_approach(line_lat: float, border: Border) -> None:
    rules = AlertRules(border)
    assert rules.judge(northward(line_lat, -300, -2000, 10)) == []


def test_a_spotter_hovering_near_the_line_raises_one_hover(line_lat: float, border: Border) -> None:
    rules = AlertRules(border, RulesConfig(approach_m=100))
    still = [update(float(t), line_lat - 300 / M_PER_DEG) for t in range(60)]
    alerts = rules.judge(still)
    assert [a.kind for a in alerts] == ["hover"]
    assert alerts[0].time >= 27  # only after ~30 s of staying put
    assert len(alerts[0].path) >= 27


def test_hovering_far_from_the_line_is_nothing(line_lat: float, border: Border) -> None:
    rules = AlertRules(border)
    still = [update(float(t), line_lat - 5000 / M_PER_DEG) for t in range(60)]
    assert rules.judge(still) == []


def test_a_crossing_event_becomes_a_northbound_alert(line_lat: float, border: Border) -> None:
    rules = AlertRules(border, RulesConfig(approach_m=1))
    watch = CrossingWatch(border)
    path = northward(line_lat, -1500, 1500, 12)
    events = watch.update_many(
        [u.track_id for u in path],
        [u.time for u in path],
        [u.lat for u in path],
        [u.lon for u in path],
    )
    alerts = [a for a in rules.judge(path, events) if a.kind == "crossing"]
    assert len(alerts) == 1
    crossing = alerts[0]
    assert crossing.direction == "northbound"
    assert crossing.distance_m == 0.0
    assert abs(crossing.latitude - line_lat) < 30 / M_PER_DEG
    assert abs(crossing.time - 1500 / 12) < 2.0


def test_landing_near_the_line_when_the_track_ends_low(line_lat: float, border: Border) -> None:
    rules = AlertRules(border)
    path = northward(line_lat, -2000, -400, 10)
    rules.judge(path)
    low = Track(id="T1", confirmed=True, points=[(160.0, path[-1].lat, LON, 12.0)])
    high = Track(id="T1", confirmed=True, points=[(160.0, path[-1].lat, LON, 90.0)])
    assert [a.kind for a in rules.closed([high])] == []
    rules.judge(path)
    assert [a.kind for a in rules.closed([low])] == ["landing"]
    assert rules.closed([low]) == []  # state forgotten once closed


def test_alert_ids_are_stable_and_dicts_are_json_ready(line_lat: float, border: Border) -> None:
    first = AlertRules(border).judge(northward(line_lat, -2000, -200, 10))[0]
    again = AlertRules(border).judge(northward(line_lat, -2000, -200, 10))[0]
    assert first.id == again.id and first.id.startswith("drone-alert-")
    data = first.to_dict()
    assert data["kind"] == "approach" and data["time"].endswith("+00:00")
    assert data["detection"] == first.detection_id


def test_a_flickering_speed_does_not_repeat_the_hover(line_lat: float, border: Border) -> None:
    rules = AlertRules(border, RulesConfig(approach_m=100))
    spot = line_lat - 300 / M_PER_DEG
    flicker = [update(float(t), spot, vn=3.5 if t % 2 else 0.0) for t in range(200)]
    assert [a.kind for a in rules.judge(flicker)] == ["hover"]
    # Off to a new spot 400 m away and hovering there: a second hover.
    moved = [update(200.0 + t, spot - 400 / M_PER_DEG) for t in range(60)]
    assert [a.kind for a in rules.judge(moved)] == ["hover"]
