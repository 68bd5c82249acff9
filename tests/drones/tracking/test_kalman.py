"""The vectorised filter arithmetic against the textbook matrix formulas, track by track."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paridad.drones.tracking import kalman

Q = 3.0


def _random_tracks(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.column_stack(
        [rng.uniform(-3000, 3000, n), rng.uniform(-3000, 3000, n), rng.normal(0, 10, (n, 2))]
    )
    A = rng.normal(0, 1, (n, 4, 4))
    P = A @ np.transpose(A, (0, 2, 1)) * 50 + np.eye(4) * 10
    return X, P


def _F(dt: float) -> np.ndarray:
    F = np.eye(4)
    F[0, 2] = F[1, 3] = dt
    return F


def _Q(dt: float) -> np.ndarray:
    a = abs(dt)
    Qm = np.zeros((4, 4))
    for i in (0, 1):
        Qm[i, i] = Q * a**3 / 3
        Qm[i, i + 2] = Qm[i + 2, i] = Q * dt * a / 2
        Qm[i + 2, i + 2] = Q * a
    return Qm


def test_predict_is_F_P_Ft_plus_Q() -> None:
    rng = np.random.default_rng(1)
    X, P = _random_tracks(rng, 5)
    dt = np.array([1.0, 0.5, -2.0, 0.0, 3.3])
    Xp, Pp = kalman.predict(X, P, dt, Q)
    for k in range(5):
        F = _F(dt[k])
        np.testing.assert_allclose(Xp[k], F @ X[k])
        np.testing.assert_allclose(Pp[k], F @ P[k] @ F.T + _Q(dt[k]), rtol=1e-10, atol=1e-9)


def test_position_gate_matches_the_mahalanobis_distance() -> None:
    rng = np.random.default_rng(2)
    X, P = _random_tracks(rng, 4)
    T = rng.uniform(0, 2, 4)
    zx, zy = rng.uniform(-3000, 3000, 3), rng.uniform(-3000, 3000, 3)
    t = rng.uniform(1, 3, 3)
    cv = np.array([0.0, 0.5, 2.0, 0.01])
    d2, dt = kalman.position_gate(X, P, T, zx, zy, t, 225.0, cv, Q)
    for i in range(4):
        for j in range(3):
            step = t[j] - T[i]
            assert dt[i, j] == pytest.approx(step)
            F = _F(step)
            x = F @ X[i]
            Pp = F @ P[i] @ F.T + _Q(step)
            v = X[i, 2:4]
            S = Pp[:2, :2] + 225.0 * np.eye(2) + cv[i] * np.outer(v, v)
            y = np.array([zx[j], zy[j]]) - x[:2]
            assert d2[i, j] == pytest.approx(y @ np.linalg.solve(S, y), rel=1e-9)


def test_bearing_gate_matches_the_linearised_distance() -> None:
    rng = np.random.default_rng(3)
    X, P = _random_tracks(rng, 3)
    T = np.zeros(3)
    z = rng.uniform(-math.pi, math.pi, 2)
    t = np.array([1.0, 2.0])
    cv = np.array([0.0, 1.0, 0.3])
    sx, sy, b_var = 500.0, -400.0, math.radians(3) ** 2
    d2, _ = kalman.bearing_gate(X, P, T, z, t, sx, sy, b_var, cv, Q)
    for i in range(3):
        for j in range(2):
            F = _F(t[j])
            x = F @ X[i]
            Pp = F @ P[i] @ F.T + _Q(t[j])
            dx, dy = x[0] - sx, x[1] - sy
            r2 = dx * dx + dy * dy
            H = np.array([dy / r2, -dx / r2, 0.0, 0.0])
            y = (z[j] - math.atan2(dx, dy) + math.pi) % (2 * math.pi) - math.pi
            S = H @ Pp @ H + b_var + cv[i] * (H[:2] @ x[2:4]) ** 2
            assert d2[i, j] == pytest.approx(y * y / S, rel=1e-9)


def test_update_position_is_the_kalman_update() -> None:
    rng = np.random.default_rng(4)
    Xp, Pp = _random_tracks(rng, 6)
    zx = Xp[:, 0] + rng.normal(0, 20, 6)
    zy = Xp[:, 1] + rng.normal(0, 20, 6)
    cv = rng.uniform(0, 2, 6)
    X, P, info, score = kalman.update_position(Xp, Pp, zx, zy, 144.0, cv)
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    for k in range(6):
        v = Xp[k, 2:4]
        S0 = H @ Pp[k] @ H.T + 144.0 * np.eye(2)
        S = S0 + cv[k] * np.outer(v, v)
        K = Pp[k] @ H.T @ np.linalg.inv(S)
        y = np.array([zx[k], zy[k]]) - H @ Xp[k]
        np.testing.assert_allclose(X[k], Xp[k] + K @ y, rtol=1e-9)
        np.testing.assert_allclose(P[k], (np.eye(4) - K @ H) @ Pp[k], rtol=1e-7, atol=1e-7)
        assert info[k] == pytest.approx(v @ np.linalg.solve(S0, v))
        assert score[k] == pytest.approx(-(v @ np.linalg.solve(S0, y)))


def test_update_bearing_is_the_extended_kalman_update() -> None:
    rng = np.random.default_rng(5)
    Xp, Pp = _random_tracks(rng, 4)
    sx, sy, b_var = -1000.0, 200.0, math.radians(4) ** 2
    z = np.arctan2(Xp[:, 0] - sx, Xp[:, 1] - sy) + rng.normal(0, 0.05, 4)
    cv = np.array([0.0, 0.2, 1.0, 4.0])
    X, P, _, _ = kalman.update_bearing(Xp, Pp, z, sx, sy, b_var, cv)
    for k in range(4):
        dx, dy = Xp[k, 0] - sx, Xp[k, 1] - sy
        r2 = dx * dx + dy * dy
        H = np.array([dy / r2, -dx / r2, 0.0, 0.0])
        S = H @ Pp[k] @ H + b_var + cv[k] * (H[:2] @ Xp[k, 2:4]) ** 2
        K = Pp[k] @ H / S
        y = (z[k] - math.atan2(dx, dy) + math.pi) % (2 * math.pi) - math.pi
        np.testing.assert_allclose(X[k], Xp[k] + K * y, rtol=1e-9)
        np.testing.assert_allclose(P[k], Pp[k] - np.outer(K, H @ Pp[k]), rtol=1e-7, atol=1e-7)


def test_clock_samples_recover_a_time_shift() -> None:
    """A fix stamped late by 2 s on a track at 10 m/s scores an error of about 2 s."""
    Xp = np.array([[0.0, 0.0, 10.0, 0.0]])
    Pp = np.eye(4)[None] * 1.0
    # The drone was really at x = -20 when the sensor stamped the time we predicted for.
    _, _, info, score = kalman.update_position(
        Xp, Pp, np.array([-20.0]), np.array([0.0]), 1.0, np.zeros(1)
    )
    assert score[0] / info[0] == pytest.approx(2.0)


def test_wrap_folds_angles() -> None:
    out = kalman.wrap(np.array([3 * math.pi, -3 * math.pi / 2, 0.1]))
    np.testing.assert_allclose(out, [-math.pi, math.pi / 2, 0.1])
