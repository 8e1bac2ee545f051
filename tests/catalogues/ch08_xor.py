"""Chapter 8 (XOR reproduction): the Wilson interval and the censored sign test."""

from catalogues import Wrong

CHAPTER = "08_xor"

WILSON = '''def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need n >= 1 and 0 <= successes <= n, got {successes} of {n}")
    z = norm.ppf(0.5 + confidence / 2)
    p_hat = successes / n
    shrink = 1 + z * z / n
    centre = (p_hat + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n))
    return float(centre - half), float(centre + half)
'''

SIGN = '''def sign_test(x, y, x_converged, y_converged):
    """Paired sign test of steps x against y with censored runs: (n_x_smaller, n_y_smaller, p_value)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x_done = np.asarray(x_converged, dtype=bool)
    y_done = np.asarray(y_converged, dtype=bool)
    both = x_done & y_done
    x_wins = (both & (x < y)) | (x_done & ~y_done & (x <= y))
    y_wins = (both & (y < x)) | (y_done & ~x_done & (y <= x))
    n_x, n_y = int(x_wins.sum()), int(y_wins.sum())
    decided = n_x + n_y
    if decided == 0:
        return n_x, n_y, float("nan")
    TAIL
'''


def sign_with(tail: str, wins: str | None = None) -> str:
    source = SIGN.replace("    TAIL\n", tail)
    if wins is not None:
        source = source.replace(
            """    x_wins = (both & (x < y)) | (x_done & ~y_done & (x <= y))
    y_wins = (both & (y < x)) | (y_done & ~x_done & (y <= x))
""",
            wins,
        )
    return source


EXACT_TAIL = """    tail = sum(math.comb(decided, i) for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, min(1.0, 2 * tail / 2**decided)
"""

HONEST = {
    "loops": {
        "wilson_impl": '''def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    if not (isinstance(n, int) or hasattr(n, "__index__")) or n <= 0:
        raise ValueError("n must be a positive count")
    if successes < 0 or successes > n:
        raise ValueError("successes must lie between 0 and n")
    z = norm.ppf(0.5 + confidence / 2)
    bounds = []
    for sign in (-1, 1):
        # the same interval in its other textbook form: (2k + z^2 +- z sqrt(z^2 + 4k(n-k)/n)) / (2(n + z^2))
        bounds.append((2 * successes + z**2 + sign * z * math.sqrt(z**2 + 4 * successes * (n - successes) / n))
                      / (2 * (n + z**2)))
    return float(bounds[0]), float(bounds[1])
''',
        "sign_test_impl": '''def sign_test(x, y, x_converged, y_converged):
    """Paired sign test of steps x against y with censored runs: (n_x_smaller, n_y_smaller, p_value)."""
    n_x = n_y = 0
    for xi, yi, x_ok, y_ok in zip(list(x), list(y), list(x_converged), list(y_converged)):
        if x_ok and y_ok:
            if xi < yi:
                n_x += 1
            elif yi < xi:
                n_y += 1
        elif x_ok and not y_ok:
            if xi <= yi:
                n_x += 1
        elif y_ok and not x_ok:
            if yi <= xi:
                n_y += 1
    n = n_x + n_y
    if n == 0:
        return n_x, n_y, float("nan")
    m = min(n_x, n_y)
    tail = 0
    term = 1  # comb(n, 0), then updated exactly: comb(n, i + 1) = comb(n, i) * (n - i) // (i + 1)
    for i in range(m + 1):
        tail += term
        term = term * (n - i) // (i + 1)
    p = 2 * tail / 2**n
    return n_x, n_y, p if p < 1 else 1.0
''',
    },
    "fractions_and_helpers": {
        "wilson_impl": '''import statistics


def _z_of(confidence):
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    if n < 1 or successes < 0 or successes > n:
        raise ValueError("bad counts")
    z2 = _z_of(confidence) ** 2
    p = successes / n
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = math.sqrt(z2) / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n**2))
    return (centre - half, centre + half)
''',
        "sign_test_impl": sign_with("""    from fractions import Fraction

    p = 2 * Fraction(sum(math.comb(decided, i) for i in range(min(n_x, n_y) + 1)), 2**decided)
    return n_x, n_y, float(min(p, Fraction(1)))
"""),
    },
    "scipy_exact_comb_and_prints": {
        "wilson_impl": WILSON.replace(
            "    return float(centre - half), float(centre + half)\n",
            '    print(f"{wilson_interval.__name__}: {successes}/{n} -> z = {z:.3f}")\n'
            "    return float(centre - half), float(centre + half)\n",
        )
        + "\n\nprint(wilson_interval.__doc__)\n%timeit -n1 -r1 wilson_interval(3, 10)\n",
        "sign_test_impl": sign_with("""    from scipy.special import comb

    tail = sum(comb(decided, i, exact=True) for i in range(min(n_x, n_y) + 1))
    print(f"{decided} decided pairs, {n_x} : {n_y}")
    return n_x, n_y, min(1.0, 2 * tail / 2**decided)
"""),
    },
    "private_class": {
        "wilson_impl": '''class _Wilson:
    def __init__(self, confidence):
        self.__z = float(norm.ppf(0.5 + confidence / 2))

    def interval(self, k, n):
        z = self.__z
        p = k / n
        denominator = 1 + z**2 / n
        middle = (p + z**2 / (2 * n)) / denominator
        spread = (z / denominator) * (p * (1 - p) / n + z**2 / (4 * n**2)) ** 0.5
        return middle - spread, middle + spread


def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    if n < 1 or not (0 <= successes <= n):
        raise ValueError("successes must be in [0, n] with n >= 1")
    low, high = _Wilson(confidence).interval(successes, n)
    return float(low), float(high)
''',
        "sign_test_impl": '''class _Pairs:
    def __init__(self, x, y, x_done, y_done):
        self.__x, self.__y = np.asarray(x, float), np.asarray(y, float)
        self.__xd, self.__yd = np.asarray(x_done, bool), np.asarray(y_done, bool)

    def wins(self):
        x, y, xd, yd = self.__x, self.__y, self.__xd, self.__yd
        known_x = np.where(xd & yd, x < y, np.where(xd & ~yd, x <= y, False))
        known_y = np.where(xd & yd, y < x, np.where(yd & ~xd, y <= x, False))
        return int(np.count_nonzero(known_x)), int(np.count_nonzero(known_y))


def sign_test(x, y, x_converged, y_converged):
    """Paired sign test of steps x against y with censored runs: (n_x_smaller, n_y_smaller, p_value)."""
    n_x, n_y = _Pairs(x, y, x_converged, y_converged).wins()
    n = n_x + n_y
    if not n:
        return n_x, n_y, math.nan
    # two-sided: double the smaller tail, computed from the larger count by symmetry
    k = max(n_x, n_y)
    upper = sum(math.comb(n, i) for i in range(k, n + 1))
    return n_x, n_y, min(1.0, (2 * upper) / (1 << n))
''',
    },
    "hidden_test_names": {
        "wilson_impl": '''def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    record = (successes, n)
    if record[1] < 1 or record[0] < 0 or record[0] > record[1]:
        raise ValueError(f"impossible counts {record}")
    reference = norm.ppf(0.5 + confidence / 2)
    expected = successes / n
    z2 = reference * reference
    centre = (expected + z2 / (2 * n)) / (1 + z2 / n)
    half = reference / (1 + z2 / n) * np.sqrt(expected * (1 - expected) / n + z2 / (4 * n * n))
    return float(centre - half), float(centre + half)
''',
        "sign_test_impl": sign_with("""    record = [math.comb(decided, i) for i in range(min(n_x, n_y) + 1)]
    reference = 2**decided
    expected = min(1.0, 2 * sum(record) / reference)
    return n_x, n_y, expected
"""),
    },
    "tqdm_and_log_free_symmetry": {
        "wilson_impl": WILSON,
        "sign_test_impl": sign_with("""    import tqdm

    m = min(n_x, n_y)
    if 2 * m >= decided:
        return n_x, n_y, 1.0  # an even split: the two tails cover everything
    tail = 0
    for i in tqdm.tqdm(range(m + 1), disable=True):
        tail += math.comb(decided, i)
    return n_x, n_y, (2 * tail) / (2**decided)
"""),
    },
    "sympy_binomial": {
        "sign_test_impl": sign_with("""    import sympy

    m = min(n_x, n_y)
    tail = sum(sympy.binomial(decided, i) for i in range(m + 1))
    p = sympy.Min(sympy.S(1), 2 * sympy.Rational(tail, 2**decided))
    return n_x, n_y, float(p)
"""),
    },
}

WRONG = [
    Wrong(
        "wald_interval",
        {
            "wilson_impl": '''def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval (low, high) for the proportion successes / n."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError("bad counts")
    z = norm.ppf(0.5 + confidence / 2)
    p = successes / n
    half = z * math.sqrt(p * (1 - p) / n)
    return float(p - half), float(p + half)
'''
        },
        exercise="wilson_tests",
        message="wilson_interval(0, 10",
    ),
    Wrong(
        "one_sided_quantile",
        {"wilson_impl": WILSON.replace("norm.ppf(0.5 + confidence / 2)", "norm.ppf(confidence)")},
        exercise="wilson_tests",
        message="wilson_interval(0, 10",
    ),
    Wrong(
        "z_fixed_at_1_96",
        {"wilson_impl": WILSON.replace("norm.ppf(0.5 + confidence / 2)", "1.96")},
        exercise="wilson_tests",
        message="wilson_interval(0, 10",
    ),
    Wrong(
        "no_value_error",
        {
            "wilson_impl": WILSON.replace(
                """    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need n >= 1 and 0 <= successes <= n, got {successes} of {n}")
""",
                "",
            )
        },
        exercise="wilson_tests",
        message="raises ValueError",
    ),
    Wrong(
        "no_centre_shift",
        {
            "wilson_impl": WILSON.replace(
                "centre = (p_hat + z * z / (2 * n)) / shrink", "centre = p_hat"
            )
        },
        exercise="wilson_tests",
        message="wilson_interval(0, 10",
    ),
    Wrong(
        "float_comb_times_half_power",
        {
            "sign_test_impl": sign_with("""    tail = sum(math.comb(decided, i) * 0.5**decided for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, min(1.0, 2 * tail)
""")
        },
        exercise="sign_test_tests",
        message="2000 random pairs",
    ),
    Wrong(
        "float_power_underflow",
        {
            "sign_test_impl": sign_with("""    tail = sum(math.comb(decided, i) for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, min(1.0, 2 * tail * 2.0**-decided)
""")
        },
        exercise="sign_test_tests",
        message="2000 random pairs",
    ),
    Wrong(
        "scipy_float_comb",
        {
            "sign_test_impl": sign_with("""    from scipy.special import comb

    tail = sum(comb(decided, i) for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, float(min(1.0, 2 * tail / 2.0**decided))
""")
        },
        exercise="sign_test_tests",
        message="2000 random pairs",
    ),
    Wrong(
        "one_sided_p",
        {
            "sign_test_impl": sign_with("""    tail = sum(math.comb(decided, i) for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, min(1.0, tail / 2**decided)
""")
        },
        exercise="sign_test_tests",
        message="80 random pairs",
    ),
    Wrong(
        "no_cap_at_one",
        {
            "sign_test_impl": sign_with("""    tail = sum(math.comb(decided, i) for i in range(min(n_x, n_y) + 1))
    return n_x, n_y, 2 * tail / 2**decided
""")
        },
        exercise="sign_test_tests",
        message="4 pairs|two wins each",
    ),
    Wrong(
        "censoring_ignored",
        {
            "sign_test_impl": sign_with(
                EXACT_TAIL,
                """    x_wins = x < y
    y_wins = y < x
""",
            )
        },
        exercise="sign_test_tests",
        message="censored",
    ),
    Wrong(
        "ties_count_as_wins",
        {
            "sign_test_impl": sign_with(
                EXACT_TAIL,
                """    x_wins = (both & (x <= y)) | (x_done & ~y_done & (x <= y))
    y_wins = (both & (y <= x)) | (y_done & ~x_done & (y <= x))
""",
            )
        },
        exercise="sign_test_tests",
        message="ties",
    ),
    Wrong(
        "censored_converged_strict",
        {
            "sign_test_impl": sign_with(
                EXACT_TAIL,
                """    x_wins = (both & (x < y)) | (x_done & ~y_done & (x < y))
    y_wins = (both & (y < x)) | (y_done & ~x_done & (y < x))
""",
            )
        },
        exercise="sign_test_tests",
        message="censored",
    ),
]
