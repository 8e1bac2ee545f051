"""Right-censored durations: the Kaplan-Meier curve and its median with an interval.

A duration is "steps until the loss first reaches a threshold"; a run that hit the iteration cap first
is censored there (``observed=False``): its true value is only known to exceed the recorded cap.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from paramact.stats.intervals import two_sided_z


def _risk_table(
    durations: ArrayLike, observed: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct event times with their number of events ``d`` and number at risk ``n``."""
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if durations.shape != observed.shape or durations.ndim != 1:
        raise ValueError(
            f"durations and observed must be 1-D arrays of the same length, got {durations.shape} and {observed.shape}"
        )
    event_times = np.unique(durations[observed])
    # A subject censored at t is still at risk at t (censoring happens after the events at t).
    at_risk = (durations[None, :] >= event_times[:, None]).sum(axis=1)
    events = (observed[None, :] & (durations[None, :] == event_times[:, None])).sum(axis=1)
    return event_times, events, at_risk


def kaplan_meier(durations: ArrayLike, observed: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier estimate of the survival function S(t) = P(T > t) under right-censoring.

        S(t) = prod over event times t_i <= t of (1 - d_i / n_i)

    with ``d_i`` the number of runs converging at ``t_i`` and ``n_i`` the number still running
    (not converged, not censored before ``t_i``). Returns the distinct event times (ascending)
    and S just after each; S is 1 before the first event and constant between events. Here
    "survival" means "has not converged yet".

    Examples:
        >>> times, survival = kaplan_meier([2, 3, 3, 5], [True, True, False, True])
        >>> times.tolist(), survival.round(3).tolist()
        ([2.0, 3.0, 5.0], [0.75, 0.5, 0.0])
    """
    event_times, events, at_risk = _risk_table(durations, observed)
    return event_times, np.cumprod(1.0 - events / at_risk)


def kaplan_meier_median(
    durations: ArrayLike, observed: ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Median of a right-censored sample from the Kaplan-Meier curve, with a confidence interval.

    The median is the first event time with S(t) <= 1/2 (``inf`` if S never falls that low, e.g.
    when most runs hit the cap). The interval (Brookmeyer-Crowley) inverts a pointwise band for
    S, i.e. it is the set of times whose band contains 1/2: its lower end is the first time the
    band's lower edge is <= 1/2, its upper end the first time the band's upper edge is <= 1/2. The band is the log-log (Kalbfleisch-Prentice) one,

        S(t) ** exp(+- z * sigma(t) / log S(t)),   sigma(t)^2 = sum_{t_i <= t} d_i / (n_i (n_i - d_i))

    (Greenwood), which stays inside [0, 1]; where S(t) = 0 the band is taken as [0, 0].

    Examples:
        >>> median, lo, hi = kaplan_meier_median([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [True] * 10)
        >>> median, lo, hi
        (5.0, 1.0, 8.0)
    """
    z = two_sided_z(confidence)
    event_times, events, at_risk = _risk_table(durations, observed)
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
        log_survival = np.log(survival)
        exponent = z * np.sqrt(greenwood) / log_survival
        band_low = np.where(survival > 0, survival ** np.exp(-exponent), 0.0)
        band_high = np.where(survival > 0, survival ** np.exp(exponent), 0.0)

    def first_time_at_or_below_half(curve: np.ndarray) -> float:
        hits = np.flatnonzero(curve <= 0.5)
        return float(event_times[hits[0]]) if hits.size else float("inf")

    return (
        first_time_at_or_below_half(survival),
        first_time_at_or_below_half(band_low),
        first_time_at_or_below_half(band_high),
    )
