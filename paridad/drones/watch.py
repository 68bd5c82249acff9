"""The node's drone watch: detections in, tracks and alerts out.

One object holds the chain a watch officer relies on — the tracker (fusion of every sensor
the node hears), the border's crossing watch and the alert rules — and is fed batches of
detections in time order, from a file, the in-process bus or JetStream alike. It does no I/O:
where alerts go (the node's store, the partner) is the caller's business
(:mod:`paridad.drones.alerts.handoff`), so the same chain runs in the benchmark, the replay
and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from paridad.drones.alerts import Alert, AlertRules, RulesConfig
from paridad.drones.border import Border, CrossingEvent, CrossingWatch
from paridad.drones.tracking import Detection, SensorRegistry, Track, Tracker, TrackerConfig


@dataclass
class WatchOutput:
    """What one batch produced."""

    alerts: list[Alert] = field(default_factory=list)
    crossings: list[CrossingEvent] = field(default_factory=list)
    closed: list[Track] = field(default_factory=list)
    updates: int = 0


class DroneWatch:
    def __init__(
        self,
        sensors: SensorRegistry,
        *,
        border: Border | None = None,
        tracker: TrackerConfig | None = None,
        rules: RulesConfig | None = None,
    ) -> None:
        self.border = border or Border.load()
        self.sensors = sensors
        self.tracker = Tracker(sensors, tracker)
        self.crossing_watch = CrossingWatch(self.border)
        self.rules = AlertRules(self.border, rules)
        self.crossings: list[CrossingEvent] = []
        self.tracks: list[Track] = []
        self.detections = 0
        self._clock = 0.0

    def process(self, detections: Sequence[Detection]) -> WatchOutput:
        """Feed one batch (time-ordered); returns the alerts and crossings it raised."""
        out = WatchOutput()
        if not detections:
            return out
        self.detections += len(detections)
        for detection in detections:
            self.sensors.heard(detection.sensor, detection.time)
        updates = self.tracker.process(detections)
        out.updates = len(updates)
        confirmed = [u for u in updates if u.confirmed]
        if confirmed:
            out.crossings = self.crossing_watch.update_many(
                [u.track_id for u in confirmed],
                [u.time for u in confirmed],
                [u.lat for u in confirmed],
                [u.lon for u in confirmed],
            )
        out.alerts = self.rules.judge(confirmed, out.crossings)
        self.crossings.extend(out.crossings)
        self._clock = max(self._clock, max(d.time for d in detections))
        out.closed = self._close(self.tracker.close_stale(self._clock))
        out.alerts.extend(self.rules.closed(out.closed))
        return out

    def _close(self, closed: Sequence[Track]) -> list[Track]:
        for track in closed:
            self.crossing_watch.forget(track.id)
        self.tracks.extend(t for t in closed if t.confirmed)
        return list(closed)

    def finish(self) -> WatchOutput:
        """Close every track still open (end of a file or a replay)."""
        out = WatchOutput()
        done = {t.id for t in self.tracks}
        closed = [t for t in self.tracker.finish() if t.id not in done]
        out.closed = self._close(closed)
        out.alerts = self.rules.closed(out.closed)
        return out
