"""Constant-velocity Kalman filter arithmetic, vectorised over many tracks at once.

State per track: ``[x, y, vx, vy]`` in the tracker's metric plane (metres, m/s), with a 4×4
covariance. Process noise is continuous white acceleration with spectral density ``q``
(m²/s³): a drone's turns and speed changes are what it absorbs.

Why hand-written components instead of ``F @ P @ F.T``: the tracker's hot path is gating
every live track against every detection of a sensor scan, each pair with its own time step.
Writing the 2×2 innovation covariance out term by term lets numpy do that for an (n × m)
grid in a dozen array operations, with no Python loop and no per-pair matrices.

Two measurement kinds:

- a **position fix** ``z = [x, y] + noise`` (radar, camera, Remote ID, decoded RF);
- a **bearing** from a sensor at ``(sx, sy)``: ``z = atan2(x - sx, y - sy) + noise`` — RF
  direction finding — handled as an extended Kalman filter (linearised at the prediction).

Both take an extra *clock* term: a detection whose sensor's clock is uncertain by ``σt``
seconds is uncertain by ``v·σt`` metres along the track, so ``σt² v vᵀ`` is added to the
innovation covariance (the gate widens along the velocity, not across it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

MIN_RANGE_M = 1.0


def wrap(angle: Array) -> Array:
    """An angle difference folded into [-π, π)."""
    return np.asarray((angle + np.pi) % (2.0 * np.pi) - np.pi, dtype=float)


def predict(X: Array, P: Array, dt: Array, q: float) -> tuple[Array, Array]:
    """States ``X`` (k, 4) and covariances ``P`` (k, 4, 4) moved by ``dt`` (k,) seconds.

    The tracker only moves states forward; a negative step (used by the gate, whose
    position terms are the same either way) runs the model backwards with the noise of
    ``|dt|``.
    """
    d = dt[:, None]
    Xp = X.copy()
    Xp[:, 0:2] += d * X[:, 2:4]
    Pp = P.copy()
    Pp[:, 0, :] += d * P[:, 2, :]
    Pp[:, 1, :] += d * P[:, 3, :]
    Pp[:, :, 0] += d * Pp[:, :, 2]
    Pp[:, :, 1] += d * Pp[:, :, 3]
    a = np.abs(dt)
    q_pp = q * a**3 / 3.0
    q_pv = q * dt * a / 2.0
    q_vv = q * a
    for i in (0, 1):
        Pp[:, i, i] += q_pp
        Pp[:, i, i + 2] += q_pv
        Pp[:, i + 2, i] += q_pv
        Pp[:, i + 2, i + 2] += q_vv
    return Xp, Pp


def _pair_terms(
    X: Array, P: Array, T: Array, t: Array, q: float
) -> tuple[Array, Array, Array, Array, Array, Array]:
    """Predicted positions and position covariance terms for every (track, detection) pair."""
    dt = t[None, :] - T[:, None]
    dt2 = dt * dt
    qa = q * np.abs(dt) ** 3 / 3.0
    px = X[:, 0, None] + dt * X[:, 2, None]
    py = X[:, 1, None] + dt * X[:, 3, None]
    s00 = P[:, 0, 0, None] + 2.0 * dt * P[:, 0, 2, None] + dt2 * P[:, 2, 2, None] + qa
    s01 = P[:, 0, 1, None] + dt * (P[:, 0, 3, None] + P[:, 1, 2, None]) + dt2 * P[:, 2, 3, None]
    s11 = P[:, 1, 1, None] + 2.0 * dt * P[:, 1, 3, None] + dt2 * P[:, 3, 3, None] + qa
    return dt, px, py, s00, s01, s11


def position_gate(
    X: Array,
    P: Array,
    T: Array,
    zx: Array,
    zy: Array,
    t: Array,
    r_var: float,
    clock_var: Array,
    q: float,
) -> tuple[Array, Array]:
    """Squared Mahalanobis distance (n, m) of m position fixes to n tracks, and the time
    steps (n, m). ``clock_var`` (n,) is each track's clock variance for this sensor."""
    dt, px, py, s00, s01, s11 = _pair_terms(X, P, T, t, q)
    vx = X[:, 2, None]
    vy = X[:, 3, None]
    c = clock_var[:, None]
    s00 = s00 + r_var + c * vx * vx
    s01 = s01 + c * vx * vy
    s11 = s11 + r_var + c * vy * vy
    ex = zx[None, :] - px
    ey = zy[None, :] - py
    det = np.maximum(s00 * s11 - s01 * s01, 1e-9)
    d2 = (s11 * ex * ex - 2.0 * s01 * ex * ey + s00 * ey * ey) / det
    return d2, dt


def bearing_gate(
    X: Array,
    P: Array,
    T: Array,
    z: Array,
    t: Array,
    sx: float,
    sy: float,
    b_var: float,
    clock_var: Array,
    q: float,
) -> tuple[Array, Array]:
    """Squared Mahalanobis distance (n, m) of m grid bearings (radians) from a sensor at
    ``(sx, sy)`` to n tracks, and the time steps (n, m)."""
    dt, px, py, s00, s01, s11 = _pair_terms(X, P, T, t, q)
    dx = px - sx
    dy = py - sy
    r2 = np.maximum(dx * dx + dy * dy, MIN_RANGE_M**2)
    hx = dy / r2
    hy = -dx / r2
    innovation = wrap(z[None, :] - np.arctan2(dx, dy))
    rate = hx * X[:, 2, None] + hy * X[:, 3, None]
    s = hx * hx * s00 + 2.0 * hx * hy * s01 + hy * hy * s11 + b_var + clock_var[:, None] * rate**2
    return innovation * innovation / s, dt


def update_position(
    Xp: Array,
    Pp: Array,
    zx: Array,
    zy: Array,
    r_var: float | Array,
    clock_var: Array,
    lag: Array | None = None,
    q: float = 0.0,
) -> tuple[Array, Array, Array, Array]:
    """Kalman update of k tracks with one position fix each.

    ``lag`` (k,), zero or negative, is how much older than the state the fix is: a fix from
    a sensor whose corrected time falls before the track's last update. The state is not
    moved back in time (it may hold later information); the fix is compared with the
    position the track had ``lag`` seconds earlier, ``p + lag·v``, so the measurement matrix
    is ``[I, lag·I]`` and the target's own manoeuvring over ``|lag|`` (``q|lag|³/3``) adds to
    the noise. With ``lag`` zero this is the plain update.

    Returns the new states and covariances, and for the clock estimator the information
    ``vᵀS₀⁻¹v`` and the score ``-vᵀS₀⁻¹y`` of each fix (S₀: the innovation covariance without
    the clock term), whose ratio is the fix's estimate of the residual clock error.
    """
    vx = Xp[:, 2]
    vy = Xp[:, 3]
    if lag is None:  # the common case, spelled out: fewer array operations
        ex = zx - Xp[:, 0]
        ey = zy - Xp[:, 1]
        c0 = Pp[:, :, 0]
        c1 = Pp[:, :, 1]
        a0 = c0[:, 0] + r_var
        b0 = c1[:, 0]
        d0 = c1[:, 1] + r_var
    else:
        L = lag[:, None]
        ex = zx - (Xp[:, 0] + lag * vx)
        ey = zy - (Xp[:, 1] + lag * vy)
        # Columns of P Hᵀ, H = [[1, 0, lag, 0], [0, 1, 0, lag]].
        c0 = Pp[:, :, 0] + L * Pp[:, :, 2]
        c1 = Pp[:, :, 1] + L * Pp[:, :, 3]
        extra = r_var + q * np.abs(lag) ** 3 / 3.0
        a0 = c0[:, 0] + lag * c0[:, 2] + extra
        b0 = c1[:, 0] + lag * c1[:, 2]
        d0 = c1[:, 1] + lag * c1[:, 3] + extra
    a = a0 + clock_var * vx * vx
    b = b0 + clock_var * vx * vy
    d = d0 + clock_var * vy * vy
    det = np.maximum(a * d - b * b, 1e-12)
    k0 = (c0 * d[:, None] - c1 * b[:, None]) / det[:, None]
    k1 = (c1 * a[:, None] - c0 * b[:, None]) / det[:, None]
    X = Xp + k0 * ex[:, None] + k1 * ey[:, None]
    P = Pp - k0[:, :, None] * c0[:, None, :] - k1[:, :, None] * c1[:, None, :]
    P = 0.5 * (P + np.transpose(P, (0, 2, 1)))
    det0 = np.maximum(a0 * d0 - b0 * b0, 1e-12)
    wx = (d0 * vx - b0 * vy) / det0
    wy = (a0 * vy - b0 * vx) / det0
    info = wx * vx + wy * vy
    score = -(wx * ex + wy * ey)
    return X, P, info, score


def update_bearing(
    Xp: Array,
    Pp: Array,
    z: Array,
    sx: float | Array,
    sy: float | Array,
    b_var: float | Array,
    clock_var: Array,
    lag: Array | None = None,
    q: float = 0.0,
) -> tuple[Array, Array, Array, Array]:
    """Extended Kalman update of k tracks with one bearing (radians, grid) each, ``lag``
    as in :func:`update_position`; returns states, covariances and the clock information
    and score."""
    lag_ = np.zeros(len(Xp)) if lag is None else lag
    dx = Xp[:, 0] + lag_ * Xp[:, 2] - sx
    dy = Xp[:, 1] + lag_ * Xp[:, 3] - sy
    r2 = np.maximum(dx * dx + dy * dy, MIN_RANGE_M**2)
    hx = dy / r2
    hy = -dx / r2
    y = wrap(z - np.arctan2(dx, dy))
    L = lag_[:, None]
    PH = (Pp[:, :, 0] + L * Pp[:, :, 2]) * hx[:, None] + (Pp[:, :, 1] + L * Pp[:, :, 3]) * hy[
        :, None
    ]
    s0 = (
        hx * (PH[:, 0] + lag_ * PH[:, 2])
        + hy * (PH[:, 1] + lag_ * PH[:, 3])
        + b_var
        + q * np.abs(lag_) ** 3 / 3.0 * (hx * hx + hy * hy)
    )
    rate = hx * Xp[:, 2] + hy * Xp[:, 3]
    s = s0 + clock_var * rate * rate
    K = PH / s[:, None]
    X = Xp + K * y[:, None]
    P = Pp - K[:, :, None] * PH[:, None, :]
    P = 0.5 * (P + np.transpose(P, (0, 2, 1)))
    info = rate * rate / s0
    score = -rate * y / s0
    return X, P, info, score


def _inv2(S: Array) -> Array:
    """Inverses of a stack of 2×2 matrices."""
    a = S[:, 0, 0]
    b = S[:, 0, 1]
    c = S[:, 1, 0]
    d = S[:, 1, 1]
    det = np.maximum(a * d - b * c, 1e-12)
    out = np.empty_like(S)
    out[:, 0, 0] = d / det
    out[:, 0, 1] = -b / det
    out[:, 1, 0] = -c / det
    out[:, 1, 1] = a / det
    return out


def initial_state(x: Array, y: Array, r_var: float, speed_sigma: float) -> tuple[Array, Array]:
    """New tracks at k position fixes: at rest, position as uncertain as the fix, velocity
    uncertain up to the speed a drone can fly."""
    k = len(x)
    X = np.zeros((k, 4))
    X[:, 0] = x
    X[:, 1] = y
    P = np.zeros((k, 4, 4))
    P[:, 0, 0] = P[:, 1, 1] = r_var
    P[:, 2, 2] = P[:, 3, 3] = speed_sigma**2
    return X, P
