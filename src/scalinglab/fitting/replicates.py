r"""Replicates summed by size: the same objective, evaluated once per distinct size.

A law predicts one value per size, so every replicate at size s has the residual
:math:`r_i = d - u_i`, with :math:`d = \hat f_s - m_s` (prediction minus a reference, the mean
target at s) and :math:`u_i = t_i - m_s`. The sum of the loss over the replicates is then a
function of the single number d, and with the targets sorted and prefix sums of
:math:`a_i = c_i w_i`, :math:`a_i u_i`, :math:`a_i u_i^2` (c: bootstrap counts, w: weights) it
is exact and costs O(log m) per size:

* squared: :math:`\sum a(d-u)^2 = A d^2 - 2 B d + C`;
* Huber: the replicates with :math:`|d - u_i| \le \delta` (a contiguous run of the sorted
  targets, found by binary search) contribute :math:`\tfrac12(A d^2 - 2Bd + C)`, those below
  :math:`\delta(A d - B) - \tfrac12\delta^2 A`, those above :math:`\delta(B - A d) - \tfrac12\delta^2 A`.

The derivative in d (what the optimiser needs per size, ``psi``) and the Gauss–Newton
curvature follow the same way; the curvature of the replicates outside δ (the IRLS share of
``objective.weight``) uses the mean of their |r|, which only changes the speed of the solver,
never the optimum (steps are accepted on the exact objective). A million replicates at ten
sizes cost as much per evaluation as ten points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SizeRows:
    """The points of a curve grouped by distinct size, sorted by target within each size."""

    order: np.ndarray     # (n,) positions of the points, by (size, target)
    start: np.ndarray     # (S + 1,) offset of each size in that order
    row: np.ndarray       # (n,) size row of each point (in the curve's order)
    ref: np.ndarray       # (S,) reference target per size: the weighted mean
    u: np.ndarray         # (n,) target - ref, in sorted order
    w: np.ndarray         # (n,) weights, in sorted order

    @classmethod
    def build(cls, row: np.ndarray, target: np.ndarray, w: np.ndarray, n_rows: int) -> "SizeRows":
        order = np.lexsort((target, row))
        start = np.searchsorted(row[order], np.arange(n_rows + 1))
        total = np.bincount(row, weights=w, minlength=n_rows)
        count = np.bincount(row, minlength=n_rows)
        mean_w = np.bincount(row, weights=w * target, minlength=n_rows) / np.where(total > 0, total, 1.0)
        mean = np.bincount(row, weights=target, minlength=n_rows) / count
        ref = np.where(total > 0, mean_w, mean)
        return cls(order, start, row, ref, target[order] - ref[row[order]], w[order])

    @property
    def n_rows(self) -> int:
        return len(self.ref)

    def sums(self, counts: np.ndarray | None = None) -> "Sums":
        """Prefix sums of a, a·u, a·u² (a = counts × weights) over the sorted points; one row per
        resample (or a single row without counts)."""
        a = self.w[None, :] if counts is None else np.asarray(counts, float)[:, self.order] * self.w
        zero = np.zeros((len(a), 1))
        P0, P1, P2 = (np.concatenate([zero, np.cumsum(v, axis=1)], axis=1) for v in (a, a * self.u, a * self.u ** 2))
        return Sums(P0, P1, P2, np.arange(len(a)))

    def terms(self, d: np.ndarray, sums: "Sums", loss: str, delta: float, share: float, full: bool = True):
        """Per size, for predictions-minus-reference d (B, S): the summed loss (B, S), its
        derivative psi (B, S), the Gauss–Newton curvature (B, S), and the sum of |a·psi(r)| over
        the replicates (B, S), used by the convergence test. ``full=False``: the loss and psi
        only (curvature and sizes left at 0)."""
        B, S = d.shape
        rho, psi, curv, size = (np.zeros((B, S)) for _ in range(4))
        P0, P1, P2 = sums.P0, sums.P1, sums.P2
        rows = sums.sel[:, None] if len(P0) > 1 else np.zeros((B, 1), int)
        for s in range(S):
            a, b = self.start[s], self.start[s + 1]
            u = self.u[a:b]
            ds = d[:, s]

            def between(lo, hi):          # sums of a, a·u, a·u² over sorted positions [lo, hi)
                lo, hi = lo[:, None] + a, hi[:, None] + a
                return ((P0[rows, hi] - P0[rows, lo])[:, 0], (P1[rows, hi] - P1[rows, lo])[:, 0],
                        (P2[rows, hi] - P2[rows, lo])[:, 0])

            mid = np.searchsorted(u, ds) if full else None
            first, last = np.zeros(B, int), np.full(B, b - a)
            if loss == "squared":
                A, B1, C = between(first, last)
                rho[:, s] = A * ds * ds - 2 * B1 * ds + C
                psi[:, s] = 2 * (A * ds - B1)
                curv[:, s] = 2 * A
                if not full:
                    continue
                lo_A, lo_B, _ = between(first, mid)
                hi_A, hi_B, _ = between(mid, last)
                size[:, s] = 2 * ((lo_A * ds - lo_B) + (hi_B - hi_A * ds))
                continue
            lo = np.searchsorted(u, ds - delta, side="left")      # u < d - delta: r > delta
            hi = np.searchsorted(u, ds + delta, side="right")     # u > d + delta: r < -delta
            A_in, B_in, C_in = between(lo, hi)
            A_lo, B_lo, _ = between(first, lo)
            A_hi, B_hi, _ = between(hi, last)
            rho[:, s] = (0.5 * (A_in * ds * ds - 2 * B_in * ds + C_in) + delta * (A_lo * ds - B_lo)
                         + delta * (B_hi - A_hi * ds) - 0.5 * delta * delta * (A_lo + A_hi))
            psi[:, s] = (A_in * ds - B_in) + delta * (A_lo - A_hi)
            if not full:
                continue
            curv[:, s] = (1 + share) * A_in + share * delta * self._outside(P0, P1, rows, a, b, ds, lo, hi, delta)
            in_lo_A, in_lo_B, _ = between(lo, np.clip(mid, lo, hi))
            in_hi_A, in_hi_B, _ = between(np.clip(mid, lo, hi), hi)
            size[:, s] = (in_lo_A * ds - in_lo_B) + (in_hi_B - in_hi_A * ds) + delta * (A_lo + A_hi)
        return rho, psi, curv, size

    #: Groups of sorted replicates per size whose means stand in for their points in the IRLS
    #: curvature of the replicates outside delta (a sum of a / |r|; speed only, see the module doc).
    GROUPS = 32

    def _outside(self, P0, P1, rows, a, b, d, lo, hi, delta) -> np.ndarray:
        """≈ sum over the replicates outside delta of a / max(|r|, delta): each of ``GROUPS``
        runs of sorted replicates contributes its mass outside over the distance of its mean."""
        m = b - a
        edges = a + np.unique(np.round(np.linspace(0, m, min(self.GROUPS, m) + 1)).astype(int))
        g0, g1 = edges[None, :-1], edges[None, 1:]
        total = np.zeros(len(d))
        for start, end, sign in ((g0, np.minimum(g1, (a + lo)[:, None]), 1.0),
                                 (np.maximum(g0, (a + hi)[:, None]), g1, -1.0)):
            end = np.maximum(end, start)
            mass = P0[rows, end] - P0[rows, start]
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = (P1[rows, end] - P1[rows, start]) / mass
                part = np.where(mass > 0, mass / np.maximum(sign * (d[:, None] - mean), delta), 0.0)
            total += part.sum(axis=1)
        return total

    def residuals(self, d: np.ndarray) -> np.ndarray:
        """Per-point residuals (B, n) in the curve's order: d of the point's size minus its u."""
        u_points = np.empty_like(self.u)
        u_points[self.order] = self.u
        return d[:, self.row] - u_points


@dataclass(frozen=True)
class Sums:
    """Prefix sums (B, n + 1) of a, a·u, a·u² (see :meth:`SizeRows.sums`); ``sel`` says which
    of their rows belong to the batch (taking rows selects, it does not copy the sums)."""

    P0: np.ndarray
    P1: np.ndarray
    P2: np.ndarray
    sel: np.ndarray

    def take(self, idx) -> "Sums":
        if len(self.P0) == 1:
            return self
        return Sums(self.P0, self.P1, self.P2, self.sel[idx])

    def totals(self, start: np.ndarray) -> np.ndarray:
        """Total a of each size (batch, S), sizes starting at ``start`` (S + 1,)."""
        rows = self.sel[:, None] if len(self.P0) > 1 else np.zeros((1, 1), int)
        return self.P0[rows, start[None, 1:]] - self.P0[rows, start[None, :-1]]
