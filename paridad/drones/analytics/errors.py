"""The one error the drone analytics raise: a parameter a caller (often a user, through the
CLI or the workbench) got wrong. Malformed *data* is never an error here: it is skipped and
counted (:class:`paridad.drones.analytics.protocols.Skipped`), so one bad track cannot stop an
analyst's report."""

from __future__ import annotations

import math

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_NOT_POSITIVE = N_("{name} must be a positive number, not {value}.")
MSG_TOO_SMALL = N_("{name} must be a whole number of at least {minimum}, not {value}.")
MSG_BAD_RESOLUTION = N_("The H3 resolution must be a whole number from 0 to 15, not {value}.")
MSG_UNKNOWN_ZONE = N_("Unknown time zone: {zone}.")
MSG_BAD_CELL = N_("Not an H3 cell: {cell}.")


class AnalyticsError(ParidadError):
    """A drone analysis asked for with parameters it cannot run with."""


def require_positive(name: str, value: float) -> float:
    """``value`` as a float when it is a finite number above zero; else :class:`AnalyticsError`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise AnalyticsError(MSG_NOT_POSITIVE, name=name, value=value)
    return number


def require_at_least(name: str, value: int, minimum: int) -> int:
    """``value`` when it is an integer of at least ``minimum``; else :class:`AnalyticsError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise AnalyticsError(MSG_TOO_SMALL, name=name, minimum=minimum, value=value)
    return value


def require_resolution(value: int) -> int:
    """An H3 resolution (0 coarsest, 15 finest); else :class:`AnalyticsError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 15:
        raise AnalyticsError(MSG_BAD_RESOLUTION, value=value)
    return value
