"""A simulated night of drones along the US-Mexico border, with its planted truth.

Flights (spotters, payload runs, hobby flyers) from planted hotspots south of the line, both
countries' sensors in mirrored sites (radar, RF direction finding, cameras, Remote ID
receivers), their noisy, sometimes missed detections, false alarms, a planted sensor outage,
clock offsets between the two sides, and the Remote ID frames cooperative drones broadcast.
See ``docs/drone-simulator.md``.
"""

from __future__ import annotations

from paridad.drones.simulator.geometry import SECTORS, SimulatorError
from paridad.drones.simulator.night import Night, NightConfig, dense_stream, simulate_night
from paridad.drones.simulator.truth import (
    Crossing,
    DetectionTruth,
    Outage,
    Truth,
    TruthDetection,
    TruthFlight,
    TruthHotspot,
    read_truth,
)
from paridad.drones.simulator.writer import write_night

__all__ = [
    "SECTORS",
    "Crossing",
    "DetectionTruth",
    "Night",
    "NightConfig",
    "Outage",
    "SimulatorError",
    "Truth",
    "TruthDetection",
    "TruthFlight",
    "TruthHotspot",
    "dense_stream",
    "read_truth",
    "simulate_night",
    "write_night",
]
