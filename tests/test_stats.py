"""Checks of paramact.stats against SciPy and hand-computed values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from paramact.stats import (
    bootstrap_ci,
    crossed_bootstrap_ci,
    kaplan_meier,
    kaplan_meier_median,
    mean_ci,
    paired_t_test,
    sign_test,
    wilcoxon_paired,
    wilson_interval,
)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 2000),
    fraction=st.floats(0, 1),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_wilson_matches_scipy(n, fraction, confidence):
    successes = round(fraction * n)
    expected = scipy_stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    assert wilson_interval(successes, n, confidence) == pytest.approx(
        (expected.low, expected.high), abs=1e-12
    )


def test_wilson_hand_value():
    # 2 of 10 (the paper's ReLU convergence rate): centre 0.2 pulled towards 1/2.
    assert wilson_interval(2, 10) == pytest.approx((0.0567, 0.5098), abs=1e-4)


@pytest.mark.parametrize(
    "successes, n, confidence, message",
    [
        (1, 0, 0.95, "n must be"),
        (11, 10, 0.95, "successes"),
        (-1, 10, 0.95, "successes"),
        (1, 10, 1.0, "confidence"),
    ],
)
def test_wilson_rejects_bad_input(successes, n, confidence, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes, n, confidence)


def test_bootstrap_constant_sample_is_degenerate():
    assert bootstrap_ci([7, 7, 7]) == (7.0, 7.0)


def test_bootstrap_matches_scipy_percentile():
    values = np.random.default_rng(1).exponential(1000.0, size=40)
    ours = bootstrap_ci(values, np.median, n_resamples=20_000)
    scipy_result = scipy_stats.bootstrap(
        (values,), np.median, n_resamples=20_000, method="percentile", rng=np.random.default_rng(2)
    )
    # Different random resamples: agree to Monte-Carlo accuracy, not exactly.
    scale = values.std()
    assert ours[0] == pytest.approx(scipy_result.confidence_interval.low, abs=0.1 * scale)
    assert ours[1] == pytest.approx(scipy_result.confidence_interval.high, abs=0.1 * scale)


def test_bootstrap_is_reproducible_and_seeded():
    values = np.arange(25.0) ** 1.5
    assert bootstrap_ci(values, np.mean, n_resamples=500, seed=3) == bootstrap_ci(
        values, np.mean, n_resamples=500, seed=3
    )
    assert bootstrap_ci(values, np.mean, n_resamples=500, seed=3) != bootstrap_ci(
        values, np.mean, n_resamples=500, seed=4
    )


def test_bootstrap_of_mean_is_close_to_t_interval():
    values = np.random.default_rng(5).normal(10.0, 2.0, size=200)
    assert bootstrap_ci(values, np.mean) == pytest.approx(mean_ci(values), abs=0.05)


def test_bootstrap_empty_sample_gives_nan():
    assert all(np.isnan(bootstrap_ci([])))


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_mean_ci_matches_scipy(confidence):
    values = np.array([4678.0, 3670.0, 5200.0, 2130.0, 8592.0])
    expected = scipy_stats.t.interval(
        confidence, df=values.size - 1, loc=values.mean(), scale=scipy_stats.sem(values)
    )
    assert mean_ci(values, confidence) == pytest.approx(expected, rel=1e-12)


def test_mean_ci_needs_two_values():
    assert all(np.isnan(mean_ci([3.0])))


def _scipy_km(durations, observed):
    durations = np.asarray(durations, float)
    observed = np.asarray(observed, bool)
    censored_data = scipy_stats.CensoredData(
        uncensored=durations[observed], right=durations[~observed]
    )
    return scipy_stats.ecdf(censored_data).sf


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=40).filter(
        lambda rows: any(observed for _, observed in rows)
    )
)
def test_kaplan_meier_matches_scipy(rows):
    durations, observed = map(np.array, zip(*rows))
    times, survival = kaplan_meier(durations, observed)
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(survival, _scipy_km(durations, observed).evaluate(times), atol=1e-12)


def test_kaplan_meier_hand_example():
    # 4 runs: converge at 2; converge at 3; censored at 3 (still at risk at 3); converge at 5.
    times, survival = kaplan_meier([2, 3, 3, 5], [True, True, False, True])
    np.testing.assert_allclose(times, [2, 3, 5])
    np.testing.assert_allclose(survival, [3 / 4, 3 / 4 * 2 / 3, 0.0])


def test_kaplan_meier_without_censoring_is_one_minus_ecdf():
    durations = np.array([5, 1, 3, 3, 9])
    times, survival = kaplan_meier(durations, np.ones(5, bool))
    np.testing.assert_allclose(survival, [1 - np.mean(durations <= t) for t in times])


def test_kaplan_meier_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1, 2, 3], [True, False])


def test_km_median_matches_scipy_band():
    rng = np.random.default_rng(0)
    durations = np.minimum(rng.exponential(3000, size=60).round() + 1, 5000)
    observed = durations < 5000
    median, lo, hi = kaplan_meier_median(durations, observed)
    sf = _scipy_km(durations, observed)
    times = np.unique(durations[observed])
    band = sf.confidence_interval(method="log-log")
    with np.errstate(invalid="ignore"):
        low_edge, high_edge = band.low.evaluate(times), band.high.evaluate(times)
    assert median == times[np.argmax(sf.evaluate(times) <= 0.5)]
    assert lo == times[np.argmax(low_edge <= 0.5)]
    assert hi == times[np.argmax(high_edge <= 0.5)]
    assert lo <= median <= hi


def test_km_median_not_reached_is_infinite():
    # 3 of 10 converge: the curve never falls to 1/2.
    durations = [100, 200, 300] + [1000] * 7
    observed = [True] * 3 + [False] * 7
    median, lo, hi = kaplan_meier_median(durations, observed)
    assert median == np.inf and hi == np.inf
    assert lo == np.inf or lo <= 300


def test_km_median_no_censoring_is_lower_sample_median():
    assert kaplan_meier_median([7, 1, 4, 9], [True] * 4)[0] == 4.0


def test_sign_test_matches_binomtest():
    x = np.array([5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    y = np.array([4, 5, 6, 7, 8, 9, 10, 12, 20, 30])  # 7 where y < x, 1 tie, 2 where y > x
    result = sign_test(x, y)
    assert (result.n_x_smaller, result.n_y_smaller, result.n_ties, result.n_used) == (2, 7, 1, 9)
    assert result.pvalue == pytest.approx(scipy_stats.binomtest(2, 9, 0.5).pvalue)


def test_sign_test_censoring_rules():
    cap = 100
    x = [10, cap, cap, 50, 40]
    x_observed = [True, False, False, True, True]
    y = [cap, 20, cap, 60, 30]
    y_observed = [False, True, False, True, False]
    # pair 0: y censored at 100 > 10   -> x smaller
    # pair 1: x censored at 100 > 20   -> y smaller
    # pair 2: both censored            -> undecided
    # pair 3: both observed, 50 < 60   -> x smaller
    # pair 4: y censored at 30 < 40    -> undecided (y's true value may be below or above 40)
    result = sign_test(x, y, x_observed, y_observed)
    assert (result.n_x_smaller, result.n_y_smaller, result.n_ties, result.n_censored_left_out) == (
        2,
        1,
        0,
        2,
    )
    assert result.pvalue == pytest.approx(1.0)


def test_sign_test_without_informative_pairs_gives_nan():
    assert np.isnan(sign_test([3, 3], [3, 3]).pvalue)


def test_wilcoxon_matches_scipy_on_observed_pairs():
    rng = np.random.default_rng(7)
    x = rng.integers(1000, 9000, size=30).astype(float)
    y = x - rng.integers(-500, 2000, size=30)
    x_observed = np.ones(30, bool)
    y_observed = np.ones(30, bool)
    y_observed[:4] = False
    result = wilcoxon_paired(x, y, x_observed, y_observed)
    expected = scipy_stats.wilcoxon(x[4:], y[4:])
    assert result.statistic == expected.statistic
    assert result.pvalue == pytest.approx(expected.pvalue)
    assert result.n_censored_left_out == 4


def test_wilcoxon_all_zero_differences_gives_nan():
    assert np.isnan(wilcoxon_paired([1, 2, 3], [1, 2, 3]).pvalue)


def test_paired_tests_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        sign_test([1, 2], [1, 2, 3])


def test_mcnemar_uses_only_discordant_pairs_and_matches_the_exact_binomial():
    from scipy.stats import binomtest

    from paramact.stats import mcnemar_exact

    rng = np.random.default_rng(7)
    x = rng.random(500) < 0.9
    y = rng.random(500) < 0.85
    result = mcnemar_exact(x, y)
    assert result.only_x + result.only_y + result.both + result.neither == 500
    expected = binomtest(result.only_x, result.only_x + result.only_y, 0.5).pvalue
    assert result.pvalue == pytest.approx(expected)
    # Concordant pairs carry no information: adding them leaves the p-value as it is.
    more = mcnemar_exact(np.r_[x, [True] * 300], np.r_[y, [True] * 300])
    assert more.pvalue == pytest.approx(result.pvalue) and more.both == result.both + 300
    assert mcnemar_exact([True, False], [True, False]).pvalue == 1.0
    with pytest.raises(ValueError, match="same length"):
        mcnemar_exact([True], [True, False])


def test_holm_controls_each_p_value_by_its_rank_and_keeps_the_order():
    from paramact.stats import holm

    assert holm([0.04, 0.01, 0.03, 0.5]) == [0.09, 0.04, 0.09, 0.5]
    assert holm([0.3, 0.3]) == [0.6, 0.6] and holm([0.9, 0.8]) == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([1.5])


def test_paired_t_test_matches_scipy_and_handles_degenerate_differences():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=8), rng.normal(size=8)
    assert paired_t_test(x, y) == pytest.approx(scipy_stats.ttest_rel(x, y).pvalue)
    assert paired_t_test([1.0, 2.0], [1.0, 2.0]) == 1.0  # no difference at all
    assert np.isnan(paired_t_test([2.0, 3.0], [1.0, 2.0]))  # a constant shift has no spread
    assert np.isnan(paired_t_test([1.0], [0.0]))


def test_crossed_bootstrap_with_one_item_kind_reduces_to_the_seed_bootstrap():
    # every item gives the same difference within a seed: only the seeds vary
    x = np.zeros((6, 50), dtype=bool)
    x[:3] = True  # seeds 0-2: x right on every item, y never; seeds 3-5: both wrong
    y = np.zeros_like(x)
    lo, hi = crossed_bootstrap_ci(x, y, n_resamples=3000)
    assert 0.0 <= lo < 0.5 < hi <= 1.0
    assert lo == pytest.approx(bootstrap_ci([1, 1, 1, 0, 0, 0], np.mean, 3000)[0], abs=0.2)


def test_crossed_bootstrap_widens_with_a_smaller_test_set():
    rng = np.random.default_rng(0)
    big_y = rng.random((4, 20000)) < 0.9
    big_x = big_y | (rng.random((4, 20000)) < 0.2)
    small_x, small_y = big_x[:, :500], big_y[:, :500]
    width = [
        np.diff(crossed_bootstrap_ci(x, y, n_resamples=2000))[0]
        for x, y in ((big_x, big_y), (small_x, small_y))
    ]
    assert width[1] > 2 * width[0]
    lo, hi = crossed_bootstrap_ci(big_x, big_y, n_resamples=2000)
    assert lo < (big_x.mean() - big_y.mean()) < hi
    assert crossed_bootstrap_ci(big_x, big_y, n_resamples=500, seed=4) == crossed_bootstrap_ci(
        big_x, big_y, n_resamples=500, seed=4
    )


@pytest.mark.parametrize(
    "x, y",
    [
        (np.ones((2, 3), bool), np.ones((2, 4), bool)),
        (np.ones(3, bool), np.ones(3, bool)),
        (np.ones((0, 3), bool), np.ones((0, 3), bool)),
    ],
)
def test_crossed_bootstrap_rejects_bad_shapes(x, y):
    with pytest.raises(ValueError, match="seeds, items"):
        crossed_bootstrap_ci(x, y)
