"""Confidence intervals: a rate (Wilson), a mean (Student's t), any statistic (percentile bootstrap),
and a mean paired difference resampled over seeds and test items at once (crossed bootstrap)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as _scipy_stats


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return float(confidence)


def two_sided_z(confidence: float) -> float:
    return float(_scipy_stats.norm.ppf(0.5 + check_confidence(confidence) / 2.0))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (no continuity correction).

    With ``p = successes / n`` and ``z`` the two-sided normal quantile,

        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))

    and the interval is ``(centre - half, centre + half)``. Unlike the textbook
    ``p +- z sqrt(p(1-p)/n)`` it stays inside [0, 1] and is not degenerate at 0 or n successes,
    which matters for 10 runs that all converge.

    Examples:
        >>> lo, hi = wilson_interval(10, 10)
        >>> round(lo, 4), hi
        (0.7225, 1.0)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    z = two_sided_z(confidence)
    p = successes / n
    denominator = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # At p = 0 or 1 one end is exactly 0 or 1; set it so rounding does not print 0.9999999999999999.
    lo = 0.0 if successes == 0 else centre - half
    hi = 1.0 if successes == n else centre + half
    return float(lo), float(hi)


def bootstrap_ci(
    values: ArrayLike,
    statistic: Callable[..., np.ndarray] = np.median,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``statistic(values)``.

    Draw ``n_resamples`` samples of size n with replacement, compute the statistic on each
    (``statistic(resamples, axis=1)``, so it must accept ``axis`` like the NumPy reductions) and
    return the ``(1 - confidence)/2`` and ``(1 + confidence)/2`` quantiles of those statistics.
    The percentile method is used rather than BCa because BCa's jackknife acceleration is
    unstable for the median of small samples of integers with ties (steps-to-converge).
    An empty sample gives ``(nan, nan)``.

    Examples:
        >>> bootstrap_ci([3, 3, 3, 3])
        (3.0, 3.0)
        >>> lo, hi = bootstrap_ci([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        >>> lo <= 5.5 <= hi
        True
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    confidence = check_confidence(confidence)
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {values.shape}")
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    resamples = values[rng.integers(0, values.size, size=(n_resamples, values.size))]
    replicates = statistic(resamples, axis=1)
    alpha = 1.0 - confidence
    lo, hi = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval for the mean.

        mean +- t_{n-1, (1 + confidence)/2} * s / sqrt(n),   s = sample sd (ddof = 1)

    Fewer than two values give ``(nan, nan)`` (no spread to estimate).

    Examples:
        >>> lo, hi = mean_ci([1.0, 2.0, 3.0])
        >>> round(lo, 3), round(hi, 3)
        (-0.484, 4.484)
    """
    confidence = check_confidence(confidence)
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return float("nan"), float("nan")
    mean = values.mean()
    half = (
        _scipy_stats.t.ppf(0.5 + confidence / 2, values.size - 1)
        * values.std(ddof=1)
        / np.sqrt(values.size)
    )
    return float(mean - half), float(mean + half)


def crossed_bootstrap_ci(
    x_correct: ArrayLike,
    y_correct: ArrayLike,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Bootstrap interval of a paired accuracy difference over seeds *and* test items.

    ``x_correct`` and ``y_correct`` are boolean arrays ``(seeds, items)``: whether arm x (y),
    trained from each seed, got each test item right. The estimate is
    ``mean over seeds of (accuracy_x - accuracy_y)``. Seeds and items are crossed (every seed is
    tested on the same items), so each resample draws the seeds with replacement and, independently,
    the items with replacement (one draw shared by all seeds and both arms), and recomputes the
    estimate; the interval is the percentile one. Both the training seed and the finite test set
    then enter its width (the crossed bootstrap is slightly conservative).

    Examples:
        >>> rng = np.random.default_rng(1)
        >>> y = rng.random((5, 2000)) < 0.90
        >>> x = y | (rng.random((5, 2000)) < 0.3)  # x fixes about 3 % of the items
        >>> lo, hi = crossed_bootstrap_ci(x, y, n_resamples=2000)
        >>> bool(0.02 < lo < (x.mean() - y.mean()) < hi < 0.04)
        True
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    confidence = check_confidence(confidence)
    x = np.asarray(x_correct, dtype=bool)
    y = np.asarray(y_correct, dtype=bool)
    if x.shape != y.shape or x.ndim != 2 or 0 in x.shape:
        raise ValueError(
            f"x_correct and y_correct must be non-empty (seeds, items) arrays of one shape, "
            f"got {x.shape} and {y.shape}"
        )
    n_seeds, n_items = x.shape
    difference = x.astype(np.float32) - y.astype(np.float32)
    rng = np.random.default_rng(seed)
    replicates = np.empty(n_resamples)
    chunk = max(1, 2_000_000 // n_items)  # resamples per block: bounded memory
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        drawn = rng.integers(0, n_items, size=(size, n_items)) + n_items * np.arange(size)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=size * n_items).reshape(size, n_items)
        per_seed = difference @ counts.T.astype(np.float32) / n_items  # (seeds, size)
        chosen = rng.integers(0, n_seeds, size=(size, n_seeds))
        replicates[start : start + size] = np.take_along_axis(per_seed.T, chosen, 1).mean(1)
    alpha = 1.0 - confidence
    lo, hi = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)
