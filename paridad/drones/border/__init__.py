"""The US–Mexico border for the drone module: the boundary line in metres, an ambiguity band
where the public sources disagree, crossings with hysteresis, ports of entry and Border Patrol
sectors. Everything runs from data shipped in ``data/``; nothing is downloaded."""

from paridad.drones.border.crossings import CrossingEvent, CrossingWatch
from paridad.drones.border.errors import BorderDataError, BorderError, InvalidPosition
from paridad.drones.border.geometry import Border, Measurement
from paridad.drones.border.ports import Port, load_ports
from paridad.drones.border.sectors import SECTORS, sector_at_longitude

__all__ = [
    "SECTORS",
    "Border",
    "BorderDataError",
    "BorderError",
    "CrossingEvent",
    "CrossingWatch",
    "InvalidPosition",
    "Measurement",
    "Port",
    "load_ports",
    "sector_at_longitude",
]
