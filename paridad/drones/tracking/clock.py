"""Per-sensor clock offsets, estimated online from the tracks themselves.

The two countries' sensors run on different clocks; a few seconds of offset put a 12 m/s drone
tens of metres *along its path* from where the other side's sensors place it, enough to split
one flight into two tracks. Only *relative* offsets can be seen from the data, so one
country's clocks are held fixed (the *base*) and every sensor of the other country gets an
estimate. Offsets are reported relative to ``reference_country`` (by default the country with
more registered sensors); the base starts as that country and moves, once, to the other if its
clocks turn out to run behind (see :meth:`ClockBook._maybe_rebase`).

The measurement: a fix taken at true time ``t`` but stamped ``t + δ`` lands ``-v·(δ - δ̂)``
from the track's prediction at the corrected time ``t + δ - δ̂``. So each associated detection
of a moving track gives a least-squares estimate of the remaining error ``ε = δ - δ̂`` with
information ``vᵀS⁻¹v`` (fast tracks and precise sensors say more), and the estimate is a scalar
Kalman filter over those samples: the offset's variance starts at ``(clock_offset_max_s/2)²``,
shrinks with evidence and grows a little with time (clocks drift). A sample counts only when
the track was recently fed by a sensor of *another* country whose clock is anchored (the
reference, or already converged) — against a track made of its own detections a sensor's
residuals say nothing about its clock. Samples further than three sigmas are mis-associations
and are skipped. A sensor has *converged* after ``min_samples`` samples with a standard
deviation under ``converged_s``; until then the tracker widens its gates along the track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

OUTLIER_SIGMAS = 3.0
FLIP_S = 0.3  # an estimated country this far behind the reference becomes the time base


@dataclass
class ClockEstimate:
    sensor: str
    country: str
    reference: bool
    offset: float = 0.0
    variance: float = 0.0
    samples: int = 0

    @property
    def std(self) -> float:
        return math.sqrt(self.variance)


class ClockBook:
    """The offsets of every sensor the tracker has used."""

    def __init__(
        self,
        reference_country: str,
        *,
        max_s: float = 5.0,
        min_samples: int = 20,
        converged_s: float = 0.3,
        drift_s: float = 0.01,
        enabled: bool = True,
    ) -> None:
        self.reference_country = reference_country
        # The country whose clocks are held fixed while the others are estimated; it starts
        # as the reference and may change once (see _maybe_rebase).
        self.base_country = reference_country
        self.rebased = False
        self.max_s = max_s
        self.min_samples = min_samples
        self.converged_s = converged_s
        self.drift_s = drift_s
        self.enabled = enabled
        self.estimates: dict[str, ClockEstimate] = {}
        self._country_var: dict[str, float] = {}
        self._country_converged: dict[str, bool] = {}

    def estimate(self, sensor: str, country: str) -> ClockEstimate:
        est = self.estimates.get(sensor)
        if est is None:
            reference = not self.enabled or country == self.base_country
            variance = 0.0 if reference else (self.max_s / 2.0) ** 2
            est = ClockEstimate(sensor, country, reference, variance=variance)
            self.estimates[sensor] = est
            self._refresh(country)
        return est

    def converged(self, sensor: str) -> bool:
        est = self.estimates.get(sensor)
        if est is None:
            return False
        return est.reference or (est.samples >= self.min_samples and est.std <= self.converged_s)

    def country_variance(self, country: str) -> float:
        """The largest offset variance among the country's sensors in use (0 for the
        reference): how unsure a track fed by that country is about its own time base."""
        return self._country_var.get(country, 0.0)

    def country_anchored(self, country: str) -> bool:
        return country == self.base_country or self._country_converged.get(country, False)

    def _refresh(self, country: str) -> None:
        mine = [e for e in self.estimates.values() if e.country == country]
        self._country_var[country] = max((e.variance for e in mine), default=0.0)
        self._country_converged[country] = all(self.converged(e.sensor) for e in mine)

    def update(self, sensor: str, info: NDArray[np.float64], score: NDArray[np.float64]) -> int:
        """Fold one scan's samples (information and score per detection) into the sensor's
        estimate; returns how many samples were used."""
        est = self.estimates.get(sensor)
        if est is None or est.reference or len(info) == 0:
            return 0
        good = info > 1e-12
        info = info[good]
        score = score[good]
        error = score / info
        keep = np.abs(error) <= OUTLIER_SIGMAS * np.sqrt(est.variance + 1.0 / info)
        if not keep.any():
            return 0
        variance = 1.0 / (1.0 / max(est.variance, 1e-12) + float(info[keep].sum()))
        offset = est.offset + variance * float(score[keep].sum())
        est.offset = min(max(offset, -self.max_s), self.max_s)
        est.variance = variance + self.drift_s**2
        used = int(keep.sum())
        est.samples += used
        self._refresh(est.country)
        self._maybe_rebase(est.country)
        return used

    def _maybe_rebase(self, country: str) -> None:
        """Hold the clocks that run *behind* fixed, once that is known.

        A sensor whose clock is behind the base delivers its detections early: they are
        compared with tracks whose latest information is their own earlier detections, and
        their residuals understate the offset (the estimate settles short of the truth).
        Estimated the other way round — the base's clock behind, the estimated sensors'
        detections arriving late against tracks already holding the base's newer data — the
        residuals are clean. So when a country's converged offsets say it runs behind the
        base, it becomes the base, once; offsets are still *reported* relative to
        ``reference_country``."""
        if self.rebased or not self.enabled or country == self.base_country:
            return
        mine = [
            e for e in self.estimates.values() if e.country == country and self.converged(e.sensor)
        ]
        if not mine:
            return
        behind = sum(e.offset for e in mine) / len(mine)
        if behind > -FLIP_S:
            return
        self.rebased = True
        self.base_country = country
        for est in self.estimates.values():
            if est.country == country:
                est.offset, est.variance, est.reference = 0.0, 0.0, True
            elif est.reference:
                est.offset, est.variance, est.reference = -behind, 0.5**2, False
                est.samples = 0
            else:
                est.offset -= behind
        for c in {e.country for e in self.estimates.values()}:
            self._refresh(c)

    def offsets(self) -> dict[str, float]:
        """Each sensor's offset relative to the reference country's clocks (their mean, when
        they are estimated themselves)."""
        base = 0.0
        if self.base_country != self.reference_country:
            mine = [
                e.offset for e in self.estimates.values() if e.country == self.reference_country
            ]
            base = sum(mine) / len(mine) if mine else 0.0
        return {sensor: est.offset - base for sensor, est in sorted(self.estimates.items())}
