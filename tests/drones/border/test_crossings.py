"""The crossing watch: straight crossings, out-and-back, jitter and approaches inside the band,
batches against one-at-a-time, stale points, forgetting, and malformed input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.typing import NDArray

from paridad.drones.border import Border, CrossingEvent, CrossingWatch, InvalidPosition
from tests.drones.border.paths import Frame, frame_near

T0 = 1_760_000_000.0  # a POSIX time in October 2025
SPEED = 12.0  # m/s, a typical small drone

# Straight stretches (fence lines and river reaches) where a path along the normal crosses the
# reference line exactly once.
PLACES = {
    "otay-mesa": (32.5500, -116.9384),
    "nogales": (31.3330, -110.9427),
    "columbus": (31.7844, -107.6276),
    "presidio": (29.5617, -104.3951),
    "del-rio": (29.3268, -100.9275),
    "brownsville": (25.8983, -97.4972),
}


def _straight(frame: Frame, north: bool = True) -> tuple[NDArray[np.float64], ...]:
    """A path along the normal from band+1.5 km on one side to band+1.5 km on the other, one
    point a second; it is over the reference line at T0 + reach/SPEED exactly."""
    reach = frame.band_m + 1_500.0
    seconds = np.arange(0.0, 2 * reach / SPEED + 1.0)
    offsets = -reach + SPEED * seconds
    if not north:
        offsets = -offsets
    lat, lon = frame.path(offsets)
    return T0 + seconds, lat, lon, np.full(len(seconds), T0 + reach / SPEED)


def _feed(
    watch: CrossingWatch,
    track: str,
    times: NDArray[np.float64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
) -> list[CrossingEvent]:
    events: list[CrossingEvent] = []
    for t, a, o in zip(times.tolist(), lat.tolist(), lon.tolist(), strict=True):
        events += watch.update(track, t, a, o)
    return events


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("north", [True, False])
def test_straight_crossing_is_emitted_once_at_the_line(
    border: Border, place: str, north: bool
) -> None:
    frame = frame_near(border, *PLACES[place])
    times, lat, lon, expected = _straight(frame, north)
    events = _feed(CrossingWatch(border), "d1", times, lat, lon)
    assert len(events) == 1
    (event,) = events
    assert event.direction == ("mx-to-us" if north else "us-to-mx")
    assert abs(event.time - expected[0]) < 1.0
    # The event is placed on the line, at the frame's point.
    assert abs(float(border.signed_distance_m(event.latitude, event.longitude))) < 15.0
    assert event.track_id == "d1"
    assert event.ambiguity_m == pytest.approx(frame.band_m, rel=0.2)
    assert event.port_distance_m < 10_000
    assert event.sector == border.sector(*PLACES[place])


def test_crossing_time_is_at_the_line_not_where_the_band_is_left(border: Border) -> None:
    frame = frame_near(border, *PLACES["nogales"])
    times, lat, lon, expected = _straight(frame)
    # Leaving the band happens band/SPEED seconds after the line: far more than a second.
    assert frame.band_m / SPEED > 10
    (event,) = _feed(CrossingWatch(border), "d1", times, lat, lon)
    assert abs(event.time - expected[0]) < 1.0


def test_out_and_back_gives_two_events(border: Border) -> None:
    frame = frame_near(border, *PLACES["columbus"])
    reach = frame.band_m + 1_000.0
    seconds = np.arange(0.0, 4 * reach / SPEED)
    offsets = reach - np.abs(SPEED * seconds - 2 * reach)  # from -reach up to +reach and back
    lat, lon = frame.path(offsets)
    events = _feed(CrossingWatch(border), "d1", T0 + seconds, lat, lon)
    assert [e.direction for e in events] == ["mx-to-us", "us-to-mx"]
    assert abs(events[0].time - (T0 + reach / SPEED)) < 1.0
    assert abs(events[1].time - (T0 + 3 * reach / SPEED)) < 1.0


def test_jitter_across_the_line_inside_the_band_emits_nothing(border: Border) -> None:
    frame = frame_near(border, *PLACES["brownsville"])
    seconds = np.arange(0.0, 600.0)
    offsets = 0.6 * frame.band_m * np.sin(seconds / 7.0)  # crosses the line ~27 times
    lat, lon = frame.path(offsets)
    assert np.count_nonzero(np.diff(np.sign(offsets))) > 20
    watch = CrossingWatch(border)
    assert _feed(watch, "d1", T0 + seconds, lat, lon) == []
    # It started inside the band, so no side was ever decided: leaving the band now, even
    # far to the north, decides the side and emits nothing.
    far_lat, far_lon = frame.path(np.array([frame.band_m + 1_000.0]))
    assert watch.update("d1", T0 + 700.0, float(far_lat[0]), float(far_lon[0])) == []


def test_track_starting_in_band_then_leaving_is_not_a_crossing(border: Border) -> None:
    frame = frame_near(border, *PLACES["nogales"])
    seconds = np.arange(0.0, 400.0)
    offsets = -0.5 * frame.band_m + SPEED * seconds  # starts inside on the MX side, ends in US
    lat, lon = frame.path(offsets)
    assert _feed(CrossingWatch(border), "d1", T0 + seconds, lat, lon) == []


def test_approach_without_crossing_emits_nothing(border: Border) -> None:
    frame = frame_near(border, *PLACES["del-rio"])
    reach = frame.band_m + 2_000.0
    seconds = np.arange(0.0, 2 * reach / SPEED)
    # From reach south up to 1 m short of the line, and back south.
    offsets = -1.0 - np.abs(reach - 1.0 - SPEED * seconds)
    lat, lon = frame.path(offsets)
    assert _feed(CrossingWatch(border), "d1", T0 + seconds, lat, lon) == []


def test_wandering_in_and_out_of_the_band_on_one_side_never_crosses(border: Border) -> None:
    frame = frame_near(border, *PLACES["presidio"])
    seconds = np.arange(0.0, 1_200.0)
    # Oscillates between 1.5 band south and 0.3 band *north* of the line: it crosses the
    # reference line inside the band on every swing but never leaves the band northwards.
    offsets = frame.band_m * (-0.6 - 0.9 * np.cos(seconds / 30.0))
    lat, lon = frame.path(offsets)
    assert (offsets > 0).any() and (offsets < -frame.band_m).any()
    assert _feed(CrossingWatch(border), "d1", T0 + seconds, lat, lon) == []


def test_confirm_distance_delays_the_decision(border: Border) -> None:
    frame = frame_near(border, *PLACES["otay-mesa"])
    # Goes 200 m past the band into the US and stops there.
    seconds = np.arange(0.0, 600.0)
    offsets = np.minimum(-(frame.band_m + 500) + SPEED * seconds, frame.band_m + 200.0)
    lat, lon = frame.path(offsets)
    assert len(_feed(CrossingWatch(border), "a", T0 + seconds, lat, lon)) == 1
    assert _feed(CrossingWatch(border, confirm_m=300.0), "a", T0 + seconds, lat, lon) == []


def test_batches_match_one_at_a_time(border: Border) -> None:
    rng = np.random.default_rng(1)
    ids: list[str] = []
    times: list[float] = []
    lats: list[float] = []
    lons: list[float] = []
    for k, place in enumerate(sorted(PLACES)):
        frame = frame_near(border, *PLACES[place])
        t, lat, lon, _ = _straight(frame, north=bool(k % 2))
        t = t + rng.uniform(0, 30)  # tracks start at different times and interleave
        ids += [f"track-{place}"] * len(t)
        times += t.tolist()
        lats += lat.tolist()
        lons += lon.tolist()
    order = np.argsort(times, kind="stable")
    one = CrossingWatch(border)
    single: list[CrossingEvent] = []
    for i in order:
        single += one.update(ids[i], times[i], lats[i], lons[i])

    shuffled = rng.permutation(len(ids))  # a batch in any order is sorted by time inside
    many = CrossingWatch(border).update_many(
        [ids[i] for i in shuffled],
        np.array(times)[shuffled],
        np.array(lats)[shuffled],
        np.array(lons)[shuffled],
    )
    assert len(single) == len(PLACES)
    assert [e.to_dict() for e in many] == [e.to_dict() for e in single]

    # Split into several batches: the same again.
    chunks = CrossingWatch(border)
    chunked: list[CrossingEvent] = []
    for part in np.array_split(order, 7):
        chunked += chunks.update_many(
            [ids[i] for i in part],
            np.array(times)[part],
            np.array(lats)[part],
            np.array(lons)[part],
        )
    assert [e.to_dict() for e in chunked] == [e.to_dict() for e in single]


def test_out_of_order_points_are_ignored_and_counted(border: Border) -> None:
    frame = frame_near(border, *PLACES["nogales"])
    south_lat, south_lon = frame.path(np.array([-(frame.band_m + 1_000)]))
    north_lat, north_lon = frame.path(np.array([frame.band_m + 1_000]))
    watch = CrossingWatch(border)
    assert watch.update("d1", T0 + 10, float(south_lat[0]), float(south_lon[0])) == []
    # A late point from the north (older than the last one) must not create a crossing...
    assert watch.update("d1", T0 + 5, float(north_lat[0]), float(north_lon[0])) == []
    # ...nor does a repeated time.
    assert watch.update("d1", T0 + 10, float(north_lat[0]), float(north_lon[0])) == []
    assert watch.ignored == 2
    # The track is still decided on the Mexican side: a real crossing afterwards is seen.
    (event,) = watch.update("d1", T0 + 200, float(north_lat[0]), float(north_lon[0]))
    assert event.direction == "mx-to-us"
    assert T0 + 10 < event.time < T0 + 200


def test_a_long_silence_starts_the_track_afresh_and_forgotten_tracks_are_dropped(
    border: Border,
) -> None:
    frame = frame_near(border, *PLACES["nogales"])
    south = frame.path(np.array([-(frame.band_m + 1_000)]))
    north = frame.path(np.array([frame.band_m + 1_000]))
    watch = CrossingWatch(border, forget_s=60.0)
    watch.update("d1", T0, float(south[0][0]), float(south[1][0]))
    # Seen again in the US after 10 minutes: no crossing across the gap.
    assert watch.update("d1", T0 + 600, float(north[0][0]), float(north[1][0])) == []
    watch.update("d2", T0 + 601, float(north[0][0]), float(north[1][0]))
    watch.update("d2", T0 + 700, float(north[0][0]), float(north[1][0]))
    assert watch.tracks == 1  # d1 has been silent for more than a minute
    watch.forget("d2")
    watch.forget("never-seen")
    assert watch.tracks == 0


def test_forget_resets_a_track(border: Border) -> None:
    frame = frame_near(border, *PLACES["nogales"])
    south = frame.path(np.array([-(frame.band_m + 1_000)]))
    north = frame.path(np.array([frame.band_m + 1_000]))
    watch = CrossingWatch(border)
    watch.update("d1", T0, float(south[0][0]), float(south[1][0]))
    watch.forget("d1")
    assert watch.update("d1", T0 + 100, float(north[0][0]), float(north[1][0])) == []


def test_event_to_dict_is_json_safe(border: Border) -> None:
    frame = frame_near(border, *PLACES["otay-mesa"])
    times, lat, lon, _ = _straight(frame)
    (event,) = _feed(CrossingWatch(border), "d1", times, lat, lon)
    data = json.loads(json.dumps(event.to_dict()))
    assert data["time"].startswith("2025-10-") and data["time"].endswith("Z")
    assert data["direction"] == "mx-to-us"
    assert data["port"]["code"] == "otay-mesa"
    assert data["sector"] == "San Diego"
    assert set(data) == {
        "track_id",
        "time",
        "latitude",
        "longitude",
        "direction",
        "port",
        "port_distance_m",
        "ambiguity_m",
        "sector",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", T0, 31.0, -110.0), "track id"),
        (("d1", float("nan"), 31.0, -110.0), "Invalid time"),
        (("d1", "noon", 31.0, -110.0), "Invalid time"),
        (("d1", T0, 95.0, -110.0), "Invalid position"),
        (("d1", T0, 31.0, float("nan")), "Invalid position"),
    ],
)
def test_update_refuses_malformed_input(
    border: Border, args: tuple[object, ...], message: str
) -> None:
    with pytest.raises(InvalidPosition, match=message):
        CrossingWatch(border).update(*args)  # type: ignore[arg-type]


def test_update_many_refuses_malformed_input(border: Border) -> None:
    watch = CrossingWatch(border)
    with pytest.raises(InvalidPosition, match="equal numbers"):
        watch.update_many(["a", "b"], [T0], [31.0, 31.0], [-110.0, -110.0])
    with pytest.raises(InvalidPosition, match="Invalid time"):
        watch.update_many(["a"], [float("inf")], [31.0], [-110.0])
    with pytest.raises(InvalidPosition, match="Invalid position"):
        watch.update_many(["a"], [T0], [31.0], [200.0])
    assert watch.update_many([], [], [], []) == []


@pytest.mark.parametrize(("confirm", "forget"), [(-1.0, 600.0), (0.0, 0.0), (float("nan"), 60.0)])
def test_watch_settings_are_checked(border: Border, confirm: float, forget: float) -> None:
    with pytest.raises(InvalidPosition, match="confirm_m"):
        CrossingWatch(border, confirm_m=confirm, forget_s=forget)
