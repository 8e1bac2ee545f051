"""Small statistics toolkit for the course's experiments (XOR and MNIST).

Every function states its formula and is checked against SciPy or hand-computed values in
``tests/test_stats.py``. Censored data are "steps until the loss first reaches a threshold"
for runs that hit the iteration cap first: for those we only know that the true value exceeds
the recorded cap. They are passed as ``durations`` with a boolean ``observed`` mask
(``observed=False`` means right-censored at ``durations``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy_stats

__all__ = [
    "wilson_interval",
    "bootstrap_ci",
    "mean_ci",
    "kaplan_meier",
    "kaplan_meier_median",
    "PairedTest",
    "sign_test",
    "wilcoxon_paired",
    "McNemarTest",
    "mcnemar_exact",
    "holm",
    "paired_t_test",
    "crossed_bootstrap_ci",
]


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return float(confidence)


def _two_sided_z(confidence: float) -> float:
    return float(_scipy_stats.norm.ppf(0.5 + _check_confidence(confidence) / 2.0))


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
    z = _two_sided_z(confidence)
    p = successes / n
    denominator = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # At p = 0 or 1 one end is exactly 0 or 1; set it so rounding does not print 0.9999999999999999.
    lo = 0.0 if successes == 0 else centre - half
    hi = 1.0 if successes == n else centre + half
    return float(lo), float(hi)


def bootstrap_ci(
    values,
    statistic=np.median,
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
    confidence = _check_confidence(confidence)
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


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval for the mean.

        mean +- t_{n-1, (1 + confidence)/2} * s / sqrt(n),   s = sample sd (ddof = 1)

    Fewer than two values give ``(nan, nan)`` (no spread to estimate).

    Examples:
        >>> lo, hi = mean_ci([1.0, 2.0, 3.0])
        >>> round(lo, 3), round(hi, 3)
        (-0.484, 4.484)
    """
    confidence = _check_confidence(confidence)
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


def _risk_table(durations, observed):
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


def kaplan_meier(durations, observed) -> tuple[np.ndarray, np.ndarray]:
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
    durations, observed, confidence: float = 0.95
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
    z = _two_sided_z(confidence)
    event_times, events, at_risk = _risk_table(durations, observed)
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
        log_survival = np.log(survival)
        exponent = z * np.sqrt(greenwood) / log_survival
        band_low = np.where(survival > 0, survival ** np.exp(-exponent), 0.0)
        band_high = np.where(survival > 0, survival ** np.exp(exponent), 0.0)

    def first_time_at_or_below_half(curve):
        hits = np.flatnonzero(curve <= 0.5)
        return float(event_times[hits[0]]) if hits.size else float("inf")

    return (
        first_time_at_or_below_half(survival),
        first_time_at_or_below_half(band_low),
        first_time_at_or_below_half(band_high),
    )


@dataclass(frozen=True)
class PairedTest:
    """Outcome of a paired two-sided test of x against y on the same seeds.

    ``n_x_smaller``/``n_y_smaller`` count the pairs used with x < y and y < x, ``n_ties`` the
    pairs with equal values, ``n_censored_left_out`` the pairs left out because of censoring;
    ``n_used`` is the number of pairs the test statistic was computed from.
    """

    test: str
    statistic: float
    pvalue: float
    n_used: int
    n_x_smaller: int
    n_y_smaller: int
    n_ties: int
    n_censored_left_out: int


def _paired_order(x, y, x_observed, y_observed):
    """sign(y - x) per pair: +1, -1, 0 (tie) or nan (order unknown because of censoring)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            f"x and y must be 1-D arrays of the same length, got {x.shape} and {y.shape}"
        )
    x_observed = np.ones(x.shape, bool) if x_observed is None else np.asarray(x_observed, bool)
    y_observed = np.ones(y.shape, bool) if y_observed is None else np.asarray(y_observed, bool)
    if x_observed.shape != x.shape or y_observed.shape != y.shape:
        raise ValueError("the observed masks must have the same shape as x and y")
    order = np.full(x.shape, np.nan)
    both = x_observed & y_observed
    order[both] = np.sign(y[both] - x[both])
    # A value censored at c is known to exceed c, so it is larger than any observed value <= c.
    only_x = x_observed & ~y_observed & (y >= x)
    order[only_x] = 1.0
    only_y = ~x_observed & y_observed & (x >= y)
    order[only_y] = -1.0
    return order, x, y, both


def sign_test(x, y, x_observed=None, y_observed=None) -> PairedTest:
    """Exact two-sided sign test that x and y (paired) are equally likely to be the smaller one.

    Under H0, among the pairs with a known strict order, the number where x < y is
    Binomial(n, 1/2); the p-value is ``scipy.stats.binomtest(n_x_smaller, n, 0.5)``.

    Censoring (optional masks, ``False`` = right-censored at the given value) is handled exactly:
    a pair where one value is censored at c and the other observed at v <= c has a known order
    (the censored one is larger); a pair censored on both sides, or censored at c < v, has an
    unknown order and is left out (counted in ``n_censored_left_out``), as are ties. With a common
    iteration cap every half-censored pair is decided, so the test uses all informative pairs.

    Examples:
        >>> result = sign_test([5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 20], y_observed=[1, 1, 1, 1, 1, 0])
        >>> result.n_x_smaller, result.n_y_smaller, round(result.pvalue, 4)
        (1, 5, 0.2188)
    """
    order, *_ = _paired_order(x, y, x_observed, y_observed)
    n_x_smaller = int(np.sum(order == 1))
    n_y_smaller = int(np.sum(order == -1))
    n_used = n_x_smaller + n_y_smaller
    pvalue = _scipy_stats.binomtest(n_x_smaller, n_used, 0.5).pvalue if n_used else float("nan")
    return PairedTest(
        test="sign",
        statistic=float(n_x_smaller),
        pvalue=float(pvalue),
        n_used=n_used,
        n_x_smaller=n_x_smaller,
        n_y_smaller=n_y_smaller,
        n_ties=int(np.sum(order == 0)),
        n_censored_left_out=int(np.sum(np.isnan(order))),
    )


def wilcoxon_paired(x, y, x_observed=None, y_observed=None) -> PairedTest:
    """Two-sided Wilcoxon signed-rank test on the pairs where both values are observed.

    The statistic is ``scipy.stats.wilcoxon(x, y)``'s (sum of the ranks of |x - y| over the pairs
    with the less frequent sign; zero differences dropped). The signed-rank test needs the size
    of every difference, which a censored value does not give, so pairs with any censored value
    are left out: the result is conditional on both runs converging, and can miss exactly the
    pairs where one side never converged. Read it together with :func:`sign_test`, which keeps
    those pairs. Fewer than one non-zero difference gives ``pvalue = nan``.

    Examples:
        >>> result = wilcoxon_paired([10, 12, 14, 16, 18, 20], [9, 10, 11, 12, 13, 14])
        >>> result.statistic, round(result.pvalue, 4)
        (0.0, 0.0312)
    """
    _, x, y, both = _paired_order(x, y, x_observed, y_observed)
    differences = y[both] - x[both]
    n_nonzero = int(np.count_nonzero(differences))
    if n_nonzero == 0:
        statistic, pvalue = float("nan"), float("nan")
    else:
        result = _scipy_stats.wilcoxon(x[both], y[both])
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    return PairedTest(
        test="wilcoxon",
        statistic=statistic,
        pvalue=pvalue,
        n_used=n_nonzero,
        n_x_smaller=int(np.sum(differences > 0)),
        n_y_smaller=int(np.sum(differences < 0)),
        n_ties=int(np.sum(differences == 0)),
        n_censored_left_out=int(np.sum(~both)),
    )


@dataclass(frozen=True)
class McNemarTest:
    """Outcome of an exact McNemar test on paired successes (same seeds, two arms).

    ``only_x``/``only_y`` count the discordant pairs (a success for one arm only), ``both`` and
    ``neither`` the concordant ones.
    """

    pvalue: float
    only_x: int
    only_y: int
    both: int
    neither: int


def mcnemar_exact(x_success, y_success) -> McNemarTest:
    """Exact two-sided McNemar test that two paired arms succeed equally often.

    Only the discordant pairs carry information: under H0 a discordant pair is a success of x
    alone with probability 1/2, so ``only_x ~ Binomial(only_x + only_y, 1/2)`` and the p-value is
    ``scipy.stats.binomtest(only_x, only_x + only_y, 0.5)``'s (1.0 when no pair is discordant).
    For convergence within an iteration cap, the success is "converged", and censoring is no
    longer a problem: every seed counts.

    Examples:
        >>> result = mcnemar_exact([1, 1, 1, 0, 1, 1, 1, 1], [0, 0, 1, 0, 0, 0, 1, 0])
        >>> result.only_x, result.only_y, result.both, result.neither, round(result.pvalue, 4)
        (5, 0, 2, 1, 0.0625)
    """
    x = np.asarray(x_success, dtype=bool)
    y = np.asarray(y_success, dtype=bool)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            f"x and y must be 1-D arrays of the same length, got {x.shape} and {y.shape}"
        )
    only_x, only_y = int(np.sum(x & ~y)), int(np.sum(~x & y))
    discordant = only_x + only_y
    pvalue = _scipy_stats.binomtest(only_x, discordant, 0.5).pvalue if discordant else 1.0
    return McNemarTest(
        pvalue=float(pvalue),
        only_x=only_x,
        only_y=only_y,
        both=int(np.sum(x & y)),
        neither=int(np.sum(~x & ~y)),
    )


def holm(pvalues) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error), in the order given.

    The k-th smallest of m p-values is multiplied by m - k + 1 (k from 1), running maxima keep the
    order, and values are capped at 1.

    Examples:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must be a 1-D list of numbers in [0, 1], got {pvalues!r}")
    order = np.argsort(p, kind="stable")
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, (len(p) - rank) * p[index])
        adjusted[index] = min(1.0, running)
    return [round(float(value), 12) for value in adjusted]


def paired_t_test(x, y) -> float:
    """Two-sided p-value of the paired t-test that the mean of ``x - y`` is 0.

    ``t = mean(d) / (sd(d) / sqrt(n))`` with ``n - 1`` degrees of freedom (``scipy.stats.ttest_rel``).
    Fewer than two pairs, or differences all equal to the same nonzero value, give ``nan``
    (no spread to judge them by); all-zero differences give 1.0.

    Examples:
        >>> round(paired_t_test([0.95, 0.96, 0.94], [0.94, 0.94, 0.935]), 4)
        0.1181
        >>> paired_t_test([1.0, 2.0], [1.0, 2.0])
        1.0
    """
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    if d.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got shape {d.shape}")
    if d.size < 2:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    if np.all(d == d[0]):
        return float("nan")
    return float(_scipy_stats.ttest_rel(x, y).pvalue)


def crossed_bootstrap_ci(
    x_correct,
    y_correct,
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
    confidence = _check_confidence(confidence)
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
