"""Paired comparisons on the same seeds: sign, Wilcoxon signed-rank, exact McNemar and paired t-tests,
and Holm's correction for several of them. Censored values (``observed=False``) are ordered where
their cap allows and otherwise left out, with counts that say so."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as _scipy_stats


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


def _paired_order(
    x: ArrayLike, y: ArrayLike, x_observed: ArrayLike | None, y_observed: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def sign_test(
    x: ArrayLike,
    y: ArrayLike,
    x_observed: ArrayLike | None = None,
    y_observed: ArrayLike | None = None,
) -> PairedTest:
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


def wilcoxon_paired(
    x: ArrayLike,
    y: ArrayLike,
    x_observed: ArrayLike | None = None,
    y_observed: ArrayLike | None = None,
) -> PairedTest:
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


def mcnemar_exact(x_success: ArrayLike, y_success: ArrayLike) -> McNemarTest:
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


def holm(pvalues: ArrayLike) -> list[float]:
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


def paired_t_test(x: ArrayLike, y: ArrayLike) -> float:
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
