"""Drone sensors of both countries fused into tracks: detections, sensor health, the
multi-sensor tracker (Kalman filter, chi-square gates, global-nearest-neighbour assignment),
per-sensor clock offsets and the Remote ID merge. See ``docs/drone-tracking.md``."""

from paridad.drones.tracking.clock import ClockBook, ClockEstimate
from paridad.drones.tracking.detections import (
    Detection,
    DetectionError,
    Heartbeat,
    parse_detection,
    read_detections,
)
from paridad.drones.tracking.frame import BORDER_LCC, LocalFrame
from paridad.drones.tracking.sensors import Health, Sensor, SensorError, SensorRegistry
from paridad.drones.tracking.tracker import Track, Tracker, TrackerConfig, TrackUpdate

__all__ = [
    "BORDER_LCC",
    "ClockBook",
    "ClockEstimate",
    "Detection",
    "DetectionError",
    "Health",
    "Heartbeat",
    "LocalFrame",
    "Sensor",
    "SensorError",
    "SensorRegistry",
    "Track",
    "TrackUpdate",
    "Tracker",
    "TrackerConfig",
    "parse_detection",
    "read_detections",
]
