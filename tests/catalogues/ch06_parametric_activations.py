"""Chapter 6: derivations as formulas (strings or SymPy), a numerical check of eq. (14), NumPy gradients."""

from catalogues import Wrong

CHAPTER = "06_parametric_activations"

# ------------------------------------------------------------------ the master's answers, for wrong variants
RELU_PARTIALS = 'relu_dz_dy = "a"\nrelu_dz_da = "y - b"\nrelu_dz_db = "-a"\n'
PAPER_CHECK = """def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def paper_error(a, b):
    y = np.linspace(-5, 5, 101)
    z = a / (1 + np.exp(-(y - b)))
    numeric = central_difference(lambda location: a / (1 + np.exp(-(y - location))), b)
    return float(np.max(np.abs(z * (z - 1) / a - numeric)))
"""
STABLE = """def parametric_sigmoid_grads(y, a, b):
    y, a, b = np.broadcast_arrays(*(np.asarray(value, dtype=np.float64) for value in (y, a, b)))
    u = y - b
    e = np.exp(-np.abs(u))
    s = np.where(u >= 0, 1 / (1 + e), e / (1 + e))
    slope = a * e / (1 + e) ** 2
    return slope, s, DZ_DB
"""
BACKWARD = """def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    dz_dy, dz_da, dz_db = parametric_sigmoid_grads(y, a, b)
    return dout * dz_dy, SUM(dout * dz_da), SUM(dout * dz_db)
"""
RELU = """def parametric_relu_grads(y, a, b):
    y, a, b = np.broadcast_arrays(*(np.asarray(value, dtype=np.float64) for value in (y, a, b)))
    active = y ACTIVE b
    return np.where(active, a, 0.0), np.where(active, DA, 0.0), np.where(active, DB, 0.0)
"""


def relu(active=">=", da="y - b", db="-a"):
    return RELU.replace("ACTIVE", active).replace("DA", da).replace("DB", db)


HONEST = {
    "sympy_forms": {
        "dz_dy_answer": 'import sympy\n\ny, a, b, z = sympy.symbols("y a b z")\ndz_dy = a * sympy.exp(-(y - b)) / (1 + sympy.exp(-(y - b)))**2\n',
        "dz_da_answer": 'import sympy\n\ny, b = sympy.symbols("y b")\ndz_da = sympy.S(1) / (1 + sympy.exp(b - y))\n',
        "dz_db_answer": 'import sympy\n\ndz_db = sympy.sympify("-z*(1 - z/a)")\n',
        "chain_answer": 'import sympy\n\ng, z, a = sympy.symbols("g z a")\ndL_da = g * z / a\ndL_db = sympy.sympify("g*z*(z - a)/a")\n',
        "relu_partials_answer": 'import sympy\n\ny, a, b = sympy.symbols("y a b")\nrelu_dz_dy = a\nrelu_dz_da = sympy.S("y - b")\nrelu_dz_db = sympy.S(-1) * a\n',
    },
    "sigmoid_and_exp_strings": {
        "dz_dy_answer": 'dz_dy = "a*sigmoid(y - b)*(1 - sigmoid(y - b))"\nprint("dz/dy =", dz_dy)\n',
        "dz_da_answer": 'dz_da = "1/(1 + exp(-(y - b)))"\n',
        "dz_db_answer": 'dz_db = "-a*exp(-(y - b))/(1 + exp(-(y - b)))^2"\n',
        "chain_answer": 'dL_da = "g*sigmoid(y - b)"\ndL_db = "-g*a*sigmoid(y - b)*sigmoid(b - y)"\n',
        "relu_partials_answer": 'relu_dz_dy = "z/(y - b)"\nrelu_dz_da = "z/a"\nrelu_dz_db = "-z/(y - b)"\n',
    },
    "loops": {
        "paper_check_answer": '''def central_difference(f, x, h=1e-5):
    """Centred difference of f at x."""
    forward = f(x + h)
    backward = f(x - h)
    return (forward - backward) / (2 * h)


def paper_error(a, b):
    worst = 0.0
    for y in np.linspace(-5, 5, 101):
        def z_of(location, y=y):
            return a / (1 + np.exp(-(y - location)))
        z = z_of(b)
        worst = max(worst, abs(z * (z - 1) / a - central_difference(z_of, b)))
    return worst
''',
        "relu_grads_answer": """def parametric_relu_grads(y, a, b):
    y, a, b = np.broadcast_arrays(np.asarray(y, dtype=float), np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    dz_dy, dz_da, dz_db = np.zeros(y.shape), np.zeros(y.shape), np.zeros(y.shape)
    for index in np.ndindex(y.shape):
        if y[index] >= b[index]:
            dz_dy[index] = a[index]
            dz_da[index] = y[index] - b[index]
            dz_db[index] = -a[index]
    return [dz_dy, dz_da, dz_db]
""",
        "sigmoid_grads_answer": """import math


def parametric_sigmoid_grads(y, a, b):
    y, a, b = np.broadcast_arrays(np.asarray(y, dtype=float), np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = [np.empty(y.shape) for _ in range(3)]
    for index in np.ndindex(y.shape):
        u = y[index] - b[index]
        if u >= 0:
            e = math.exp(-u)
            s, rest = 1 / (1 + e), e / (1 + e)
        else:
            e = math.exp(u)
            s, rest = e / (1 + e), 1 / (1 + e)
        out[0][index] = a[index] * s * rest
        out[1][index] = s
        out[2][index] = -a[index] * s * rest
    return tuple(out)
""",
        "backward_answer": """def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    dz_dy, dz_da, dz_db = parametric_sigmoid_grads(y, a, b)
    n, h = dout.shape
    da, db = np.zeros(h), np.zeros(h)
    for i in range(n):
        for j in range(h):
            da[j] += dout[i, j] * dz_da[i, j]
            db[j] += dout[i, j] * dz_db[i, j]
    return dout * dz_dy, da, db
""",
    },
    "expit_helper_and_colliding_names": {
        "relu_grads_answer": '''def parametric_relu_grads(y, a, b):
    """Right-hand derivative at the kink."""
    y, a, b = (np.asarray(value, dtype=float) for value in (y, a, b))
    expected = (y >= b).astype(float)
    return expected * a, expected * (y - b), -expected * a
''',
        "sigmoid_grads_answer": '''def expit(u):
    """A stable logistic sigmoid."""
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


def parametric_sigmoid(y, a, b):
    return a * expit(y - b)


def parametric_sigmoid_grads(y, a, b):
    y, a, b = np.broadcast_arrays(*map(np.asarray, (y, a, b)))
    reference = expit(y - b)
    expected = expit(b - y)
    jacobian = a * reference * expected
    record = (jacobian, reference * np.ones_like(jacobian), -jacobian)
    return record
''',
        "backward_answer": """def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    jacobian = parametric_sigmoid_grads(y, a, b)
    expected = np.einsum("nh,nh->h", dout, jacobian[1])
    return dout * jacobian[0], expected, np.einsum("nh,nh->h", dout, jacobian[2])
""",
    },
    "magics_tqdm_private_attributes": {
        "paper_check_answer": '''def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h)."""
    name = getattr(f, "__name__", "f")
    assert name
    return (f(x + h) - f(x - h)) / (2 * h)


def paper_error(a, b):
    """Largest |z(z - 1)/a - dz/db| over y in linspace(-5, 5, 101)."""
    import tqdm  # noqa: F401  (I like progress bars)
    y = np.linspace(-5, 5, 101)

    def z_of(location):
        return a / (1 + np.exp(-(y - location)))

    z = z_of(b)
    return np.abs(z * (z - 1) / a - central_difference(z_of, b, h=1e-5)).max()


print(paper_error.__name__, paper_error.__doc__)
%timeit -n1 -r1 paper_error(2.0, 0.0)
''',
        "sigmoid_grads_answer": '''class _Partials:
    """Holds the inputs and computes the partials."""

    def __init__(self, y, a, b):
        self.__u = np.asarray(y, dtype=float) - np.asarray(b, dtype=float)
        self.__a = np.asarray(a, dtype=float)

    def all(self):
        e = np.exp(-np.abs(self.__u))
        s = np.where(self.__u >= 0, 1 / (1 + e), e / (1 + e))
        slope = self.__a * s * np.where(self.__u >= 0, e / (1 + e), 1 / (1 + e))
        return slope, s + 0 * slope, -slope


def parametric_sigmoid_grads(y, a, b):
    return _Partials(y, a, b).all()


%timeit -n1 -r1 parametric_sigmoid_grads(np.zeros(3), 1.0, 0.0)
''',
    },
    "scipy_heaviside_z_forms": {
        "dz_dy_answer": 'dz_dy = "z - z^2/a"\n',
        "dz_da_answer": 'dz_da = "(z/a)"\n',
        "dz_db_answer": 'dz_db = "(z**2 - a*z)/a"\n',
        "chain_answer": 'dL_da = "g*(z/a)"\ndL_db = "g*(z**2/a - z)"\n',
        "relu_partials_answer": 'relu_dz_dy = "1*a"\nrelu_dz_da = "(y - b)"\nrelu_dz_db = "-1*a"\n',
        "relu_grads_answer": """def parametric_relu_grads(y, a, b):
    step = np.heaviside(np.subtract(y, b, dtype=float), 1.0)  # 1 at the kink: the right-hand derivative
    return step * a, step * (np.asarray(y, dtype=float) - b), step * np.negative(a)
""",
        "sigmoid_grads_answer": """from scipy.special import expit


def parametric_sigmoid_grads(y, a, b):
    u = np.asarray(y, dtype=float) - np.asarray(b, dtype=float)
    s = expit(u)
    dz_dy = np.asarray(a, dtype=float) * s * expit(-u)
    return dz_dy, np.broadcast_to(s, dz_dy.shape), -dz_dy
""",
        "backward_answer": """def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    grads = parametric_sigmoid_grads(y, a, b)
    return dout * grads[0], (dout * grads[1]).sum(axis=0, keepdims=True)[0], (dout * grads[2]).sum(axis=0, keepdims=True).reshape(-1)
""",
    },
}

WRONG = [
    # Exercise 1: dz/dy
    Wrong(
        "dz_dy_sigmoid_rule",
        {"dz_dy_answer": 'dz_dy = "z*(1 - z)"\n'},
        "dz_dy_tests",
        "sigmoid rule",
    ),
    Wrong(
        "dz_dy_extra_a",
        {"dz_dy_answer": 'dz_dy = "a*z*(1 - z/a)"\n'},
        "dz_dy_tests",
        "extra factor a",
    ),
    Wrong(
        "dz_dy_sign",
        {"dz_dy_answer": 'dz_dy = "-a*sigmoid(y - b)*(1 - sigmoid(y - b))"\n'},
        "dz_dy_tests",
        "wrong sign",
    ),
    # Exercise 2: dz/da
    Wrong("dz_da_one", {"dz_da_answer": 'dz_da = "1"\n'}, "dz_da_tests", "derivative of a itself"),
    Wrong(
        "dz_da_is_dz_dy",
        {"dz_da_answer": 'dz_da = "a*sigmoid(y - b)*(1 - sigmoid(y - b))"\n'},
        "dz_da_tests",
        "is dz/dy",
    ),
    Wrong("dz_da_z", {"dz_da_answer": 'dz_da = "z"\n'}, "dz_da_tests", "extra factor a"),
    # Exercise 3: dz/db
    Wrong("dz_db_paper", {"dz_db_answer": 'dz_db = "z*(z - 1)/a"\n'}, "dz_db_tests", "misprinted"),
    Wrong("dz_db_is_dz_dy", {"dz_db_answer": 'dz_db = "z*(1 - z/a)"\n'}, "dz_db_tests", "is dz/dy"),
    # Exercise 4: chain rule
    Wrong(
        "chain_g_times_z",
        {"chain_answer": 'dL_da = "g*z"\ndL_db = "g*z*(z - a)/a"\n'},
        "chain_tests",
        "dz/da is z/a",
    ),
    Wrong(
        "chain_paper",
        {"chain_answer": 'dL_da = "g*z/a"\ndL_db = "g*z*(z - 1)/a"\n'},
        "chain_tests",
        "misprint",
    ),
    Wrong(
        "chain_no_upstream",
        {"chain_answer": 'dL_da = "z/a"\ndL_db = "g*z*(z - a)/a"\n'},
        "chain_tests",
        "upstream gradient",
    ),
    # Exercise 5: eq. (14) numerically
    Wrong(
        "paper_forward_difference",
        {
            "paper_check_answer": PAPER_CHECK.replace(
                "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"
            )
        },
        "paper_check_tests",
        "centred differences",
    ),
    Wrong(
        "paper_no_factor_two",
        {
            "paper_check_answer": PAPER_CHECK.replace(
                "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / h"
            )
        },
        "paper_check_tests",
        "centred differences",
    ),
    Wrong(
        "paper_corrected_formula",
        {"paper_check_answer": PAPER_CHECK.replace("z * (z - 1) / a", "z * (z - a) / a")},
        "paper_check_tests",
        "paper_error",
    ),
    Wrong(
        "paper_signed_max",
        {
            "paper_check_answer": PAPER_CHECK.replace(
                "np.max(np.abs(z * (z - 1) / a - numeric))", "np.max(z * (z - 1) / a - numeric)"
            )
        },
        "paper_check_tests",
        "paper_error",
    ),
    # Exercise 6: ReLU partials
    Wrong(
        "relu_slope_one",
        {"relu_partials_answer": RELU_PARTIALS.replace('relu_dz_dy = "a"', 'relu_dz_dy = "1"')},
        "relu_partials_tests",
        "plain ReLU",
    ),
    Wrong(
        "relu_forgets_location",
        {"relu_partials_answer": RELU_PARTIALS.replace('"y - b"', '"y"')},
        "relu_partials_tests",
        "forgets the location",
    ),
    Wrong(
        "relu_db_sign",
        {"relu_partials_answer": RELU_PARTIALS.replace('"-a"', '"a"')},
        "relu_partials_tests",
        "wrong sign",
    ),
    # Exercise 7: ReLU partials in NumPy
    Wrong("relu_left_kink", {"relu_grads_answer": relu(active=">")}, "relu_grads_tests", "kink"),
    Wrong(
        "relu_grads_db_sign", {"relu_grads_answer": relu(db="a")}, "relu_grads_tests", "wrong sign"
    ),
    Wrong(
        "relu_grads_forgets_location",
        {"relu_grads_answer": relu(da="y")},
        "relu_grads_tests",
        "parametric ReLU dz/da",
    ),
    # Exercise 8: sigmoid partials in NumPy
    Wrong(
        "sigmoid_grads_overflow",
        {
            "sigmoid_grads_answer": """def parametric_sigmoid_grads(y, a, b):
    e = np.exp(-(y - b))
    slope = a * e / (1 + e) ** 2
    return slope, 1 / (1 + e), -slope
"""
        },
        "sigmoid_grads_tests",
        "not finite",
    ),
    Wrong(
        "sigmoid_grads_z_form",
        {
            "sigmoid_grads_answer": """def parametric_sigmoid_grads(y, a, b):
    u = y - b
    e = np.exp(-np.abs(u))
    z = a * np.where(u >= 0, 1 / (1 + e), e / (1 + e))
    return z * (1 - z / a), z / a, -z * (1 - z / a)
"""
        },
        "sigmoid_grads_tests",
        "not finite",
    ),
    Wrong(
        "sigmoid_grads_paper",
        {
            "sigmoid_grads_answer": STABLE.replace(
                "DZ_DB", "a * s * (a * s - 1) / np.where(a == 0, 1.0, a)"
            )
        },
        "sigmoid_grads_tests",
        "misprinted",
    ),
    Wrong(
        "sigmoid_grads_db_sign",
        {"sigmoid_grads_answer": STABLE.replace("DZ_DB", "slope")},
        "sigmoid_grads_tests",
        "wrong sign",
    ),
    # Exercise 9: backward
    Wrong(
        "backward_not_summed",
        {"backward_answer": BACKWARD.replace("SUM", "")},
        "backward_tests",
        "sum it over the batch",
    ),
    Wrong(
        "backward_mean",
        {
            "backward_answer": BACKWARD.replace(
                "SUM(dout * dz_da)", "np.mean(dout * dz_da, axis=0)"
            ).replace("SUM(dout * dz_db)", "np.mean(dout * dz_db, axis=0)")
        },
        "backward_tests",
        "averaged",
    ),
    Wrong(
        "backward_no_upstream",
        {
            "backward_answer": BACKWARD.replace("SUM(dout * dz_da)", "np.sum(dz_da, axis=0)")
            .replace("SUM(dout * dz_db)", "np.sum(dz_db, axis=0)")
            .replace("dout * dz_dy", "dz_dy")
        },
        "backward_tests",
        "missing the factor dout",
    ),
    Wrong(
        "backward_paper",
        {
            "backward_answer": """def parametric_sigmoid_backward(dout, cache):
    y, a, b = cache
    dz_dy, dz_da, dz_db = parametric_sigmoid_grads(y, a, b)
    z = a * dz_da
    return dout * dz_dy, np.sum(dout * dz_da, axis=0), np.sum(dout * z * (z - 1) / a, axis=0)
"""
        },
        "backward_tests",
        "misprinted",
    ),
]
