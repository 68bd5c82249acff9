"""The rows a trace works on and the answer it gives, independent of where they were read.

A recovery is what a Mexican investigator can read off a seized gun; an acquisition is the
first retail sale a US dealer recorded on ATF Form 4473. Both come from CSV files in the
documented layouts (:mod:`paridad.trace.layouts`) or from a node's entities; the tracer only
sees these records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Recovery:
    """A recovered firearm as read: the serial may be misread, partial or empty."""

    recovery_id: str
    serial: str
    make: str = ""
    model: str = ""
    caliber: str = ""
    type: str = ""
    recovered_on: date | None = None
    state: str = ""
    municipality: str = ""


@dataclass(frozen=True)
class Acquisition:
    """A first retail purchase at a licensed dealer."""

    acquisition_id: str
    serial: str
    make: str = ""
    model: str = ""
    caliber: str = ""
    type: str = ""
    sold_on: date | None = None
    dealer_id: str = ""
    dealer_state: str = ""
    purchaser_id: str = ""


@dataclass(frozen=True)
class TraceMatch:
    """One recovery traced to one acquisition.

    ``serial_match`` is a code of the ``serial_match`` vocabulary (exact, look-alike,
    one-edit, partial); ``agreed`` names the descriptive fields that agreed
    (make, model, caliber, type), so an analyst sees why the tracer chose this sale.
    """

    recovery_id: str
    acquisition_id: str
    score: float
    ttc_days: int | None
    serial_match: str
    agreed: tuple[str, ...] = ()
