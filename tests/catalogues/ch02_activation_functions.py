"""Chapter 2 (activation functions): honest answers in other styles, and realistic mistakes."""

from catalogues import Wrong

CHAPTER = "02_activation_functions"

COLLAPSE_HEAD = """def collapse(layers):
    W_total, c_total = None, None
    for W, c in layers:
        W, c = np.asarray(W, dtype=float), np.asarray(c, dtype=float)
        if W_total is None:
            W_total, c_total = W.copy(), c.copy()
        else:
"""
SMOOTH = """def sigmoid_grad(u):
    u = np.asarray(u, dtype=np.float64)
    return sigmoid(u) * sigmoid(-u)


def tanh_grad(u):
    t = np.tanh(np.asarray(u, dtype=np.float64))
    return 1 - t * t
"""
RELU = """def relu_grad(u):
    u = np.asarray(u, dtype=np.float64)
    return np.where(u >= 0, 1.0, 0.0)


def leaky_relu_grad(u, slope=0.01):
    u = np.asarray(u, dtype=np.float64)
    return np.where(u >= 0, 1.0, slope * np.ones_like(u))


def elu_grad(u, alpha=1.0):
    u = np.asarray(u, dtype=np.float64)
    return np.where(u >= 0, 1.0, alpha * np.exp(np.minimum(u, 0.0)))


def softplus_grad(u):
    return sigmoid(np.asarray(u, dtype=np.float64))


def swish_grad(u, beta=1.0):
    u = np.asarray(u, dtype=np.float64)
    s = sigmoid(beta * u)
    return s + beta * u * s * sigmoid(-beta * u)
"""

HONEST = {
    "loops": {
        "collapse_impl": '''def collapse(layers):
    """Multiply the layers out one at a time, with explicit loops."""
    W_total = np.array(layers[0][0], dtype=float)
    c_total = np.array(layers[0][1], dtype=float)
    for W, c in layers[1:]:
        W = np.asarray(W, dtype=float)
        rows, inner, cols = W_total.shape[0], W.shape[0], W.shape[1]
        new_W = np.zeros((rows, cols))
        new_c = np.array(c, dtype=float)
        for j in range(cols):
            for k in range(inner):
                new_c[j] += c_total[k] * W[k, j]
                for i in range(rows):
                    new_W[i, j] += W_total[i, k] * W[k, j]
        W_total, c_total = new_W, new_c
    return W_total, c_total
''',
        "sigmoid_impl": '''import math


def sigmoid(u):
    """Entry by entry with math.exp of -|u| only."""
    values = np.asarray(u)
    dtype = values.dtype if np.issubdtype(values.dtype, np.floating) else np.float64
    out = np.empty(values.shape, dtype=dtype)
    for index in np.ndindex(values.shape):
        x = float(values[index])
        if x >= 0:
            out[index] = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            out[index] = e / (1.0 + e)
    return out
''',
        "relu_grads_impl": """def _elementwise(function, u):
    values = np.asarray(u, dtype=np.float64)
    out = np.empty(values.shape)
    for index in np.ndindex(values.shape):
        out[index] = function(float(values[index]))
    return out


def relu_grad(u):
    return _elementwise(lambda x: 1.0 if x >= 0 else 0.0, u)


def leaky_relu_grad(u, slope=0.01):
    return _elementwise(lambda x: 1.0 if x >= 0 else slope, u)


def elu_grad(u, alpha=1.0):
    import math
    return _elementwise(lambda x: 1.0 if x >= 0 else alpha * math.exp(x), u)


def softplus_grad(u):
    return sigmoid(np.asarray(u, dtype=np.float64))


def swish_grad(u, beta=1.0):
    u = np.asarray(u, dtype=np.float64)
    s = sigmoid(beta * u)
    return s * (1 + beta * u * (1 - s))
""",
    },
    "helper_named_expit": {
        "sigmoid_impl": '''def expit(x):
    """My own stable logistic function (same name as SciPy's, written here)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid(u):
    return expit(u)
''',
        "smooth_grads_impl": """def expit_prime(u):
    s_plus, s_minus = sigmoid(u), sigmoid(-u)
    return s_plus * s_minus


def sigmoid_grad(u):
    return expit_prime(np.asarray(u, dtype=float))


def tanh_grad(u):
    return 1.0 - np.tanh(np.asarray(u, dtype=float)) ** 2
""",
    },
    "logaddexp_and_reduce": {
        "collapse_impl": """from functools import reduce


def collapse(layers):
    def merge(first, second):
        (W1, c1), (W2, c2) = first, second
        return W1 @ W2, c1 @ W2 + c2
    pairs = [(np.asarray(W, dtype=float), np.asarray(c, dtype=float)) for W, c in layers]
    return reduce(merge, pairs)
""",
        "sigmoid_impl": """def sigmoid(u):
    u = np.asarray(u)
    if not np.issubdtype(u.dtype, np.floating):
        u = u.astype(np.float64)
    return np.exp(-np.logaddexp(0, -u))   # log(1 + e^-u) without overflow
""",
        "smooth_grads_impl": """def sigmoid_grad(u):
    u = np.asarray(u, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, u) - np.logaddexp(0.0, -u))


def tanh_grad(u):
    return 1.0 / np.cosh(np.clip(np.asarray(u, dtype=np.float64), -350, 350)) ** 2
""",
    },
    "masks_prints_and_test_names": {
        "sigmoid_impl": '''def sigmoid(u):
    """sigma(u) from exp(-|u|), with boolean masks."""
    reference = np.asarray(u)
    expected = reference.astype(reference.dtype if np.issubdtype(reference.dtype, np.floating) else np.float64)
    record = np.empty_like(expected)
    positive = expected >= 0
    record[positive] = 1 / (1 + np.exp(-expected[positive]))
    e = np.exp(expected[~positive])
    record[~positive] = e / (1 + e)
    return record


print(sigmoid.__name__, sigmoid.__doc__, sigmoid(np.array([-800.0, 0.0, 800.0])))
''',
        "relu_grads_impl": '''def relu_grad(u):
    """1 on [0, inf), 0 below."""
    return np.heaviside(np.asarray(u, dtype=float), 1.0)


def leaky_relu_grad(u, slope=0.01):
    expected = np.asarray(u, dtype=float)
    out = np.ones_like(expected)
    out[expected < 0] = slope
    return out


def elu_grad(u, alpha=1.0):
    jacobian = np.asarray(u, dtype=float)
    out = np.ones_like(jacobian)
    negative = jacobian < 0
    out[negative] = alpha * np.exp(jacobian[negative])
    return out


def softplus_grad(u):
    return sigmoid(np.asarray(u, dtype=float))


def swish_grad(u, beta=1.0):
    parametric_sigmoid = sigmoid(beta * np.asarray(u, dtype=float))
    return parametric_sigmoid + beta * np.asarray(u, dtype=float) * parametric_sigmoid * (1 - parametric_sigmoid)


for f in (relu_grad, leaky_relu_grad, elu_grad, softplus_grad, swish_grad):
    print(f.__name__, f(np.array([-1.0, 0.0, 1.0])), f.__doc__)
''',
    },
    "private_attributes_and_magics": {
        "sigmoid_impl": """class _Logistic:
    def __init__(self):
        self.__one = 1.0

    def __call__(self, u):
        u = np.asarray(u)
        if not np.issubdtype(u.dtype, np.floating):
            u = u.astype(np.float64)
        e = np.exp(-np.abs(u))
        return np.where(u >= 0, self.__one / (self.__one + e), e / (self.__one + e))


sigmoid = _Logistic()
%timeit -n1 -r1 sigmoid(np.linspace(-1000, 1000, 11))
""",
        "smooth_grads_impl": """def sigmoid_grad(u):
    import tqdm  # not needed, but harmless
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return e / (1 + e) ** 2


def tanh_grad(u):
    u = np.abs(np.asarray(u, dtype=float))
    e = np.exp(-2 * u)
    return 4 * e / (1 + e) ** 2


%timeit -n1 -r1 tanh_grad(np.zeros(3))
""",
    },
    "minimum_and_piecewise": {
        "collapse_impl": """def collapse(layers):
    W_total = np.eye(np.shape(layers[0][0])[0])
    c_total = np.zeros(np.shape(layers[0][0])[0])
    for W, c in layers:
        W_total, c_total = W_total @ W, c_total @ W + c
    return np.asarray(W_total, dtype=float), np.asarray(c_total, dtype=float)
""",
        "sigmoid_impl": """def sigmoid(u):
    u = np.asarray(u)
    if not np.issubdtype(u.dtype, np.floating):
        u = u.astype(np.float64)
    return np.exp(np.minimum(u, 0)) / (1 + np.exp(-np.abs(u)))
""",
        "relu_grads_impl": RELU.replace(
            "np.where(u >= 0, 1.0, 0.0)", "(u >= 0).astype(np.float64)"
        ).replace(
            "return s + beta * u * s * sigmoid(-beta * u)",
            "return s + beta * u * sigmoid_grad(beta * u)",
        ),
    },
}

WRONG = [
    # Exercise 1: collapse
    Wrong(
        "collapse_bias_not_added",
        {
            "collapse_impl": COLLAPSE_HEAD
            + """            W_total = W_total @ W
            c_total = c_total @ W
    return W_total, c_total
"""
        },
        exercise="collapse_tests",
        message="network: c",
    ),
    Wrong(
        "collapse_reversed_product",
        {
            "collapse_impl": COLLAPSE_HEAD
            + """            W_total = W @ W_total
            c_total = c_total @ W + c
    return W_total, c_total
"""
        },
        exercise="collapse_tests",
        message="3-7-2-5-4-1 network: W",
    ),
    Wrong(
        "collapse_last_bias_only",
        {
            "collapse_impl": COLLAPSE_HEAD
            + """            W_total = W_total @ W
            c_total = c
    return W_total, c_total
"""
        },
        exercise="collapse_tests",
        message="network: c",
    ),
    Wrong(
        "collapse_in_place",
        {
            "collapse_impl": """def collapse(layers):
    W_total, c_total = layers[0]
    for W, c in layers[1:]:
        W_total = W_total @ W
        c_total = c_total @ W
        c_total += c
    layers[0][1][:] = 0.0  # "reset" the first bias, which is now folded in
    return W_total, c_total
"""
        },
        exercise="collapse_tests",
        message="network: c|after collapse",
    ),
    # Exercise 2: the stable sigmoid
    Wrong(
        "sigmoid_naive_warnings_silenced",
        {
            "sigmoid_impl": """def sigmoid(u):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-np.asarray(u, dtype=np.float64)))
"""
        },
        exercise="sigmoid_tests",
        message="far in the negative tail",
    ),
    Wrong(
        "sigmoid_tanh_form",
        {
            "sigmoid_impl": "def sigmoid(u):\n    return 0.5 * (1 + np.tanh(0.5 * np.asarray(u, dtype=float)))\n"
        },
        exercise="sigmoid_tests",
        message="negative tail|float32|3-D array",
    ),
    Wrong(
        "sigmoid_where_both_branches",
        {
            "sigmoid_impl": """def sigmoid(u):
    u = np.asarray(u, dtype=np.float64)
    return np.where(u >= 0, 1 / (1 + np.exp(-u)), np.exp(u) / (1 + np.exp(u)))
"""
        },
        exercise="sigmoid_tests",
        message="extreme float64 inputs: your code raised FloatingPointError",
    ),
    Wrong(
        "sigmoid_one_minus",
        {
            "sigmoid_impl": """def sigmoid(u):
    u = np.asarray(u, dtype=np.float64)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), 1 - 1 / (1 + e))
"""
        },
        exercise="sigmoid_tests",
        message="negative tail|3-D array",
    ),
    Wrong(
        "sigmoid_clipped_input",
        {
            "sigmoid_impl": """def sigmoid(u):
    u = np.clip(np.asarray(u, dtype=np.float64), -500, 500)
    return 1 / (1 + np.exp(-u))
"""
        },
        exercise="sigmoid_tests",
        message="extreme float64",
    ),
    # Exercise 3: sigmoid_grad and tanh_grad
    Wrong(
        "sigmoid_grad_s_one_minus_s",
        {
            "smooth_grads_impl": SMOOTH.replace(
                "sigmoid(u) * sigmoid(-u)", "sigmoid(u) * (1 - sigmoid(u))"
            )
        },
        exercise="smooth_grads_tests",
        message="sigmoid_grad at extreme inputs",
    ),
    Wrong(
        "tanh_grad_by_cosh",
        {
            "smooth_grads_impl": SMOOTH.replace(
                "t = np.tanh(np.asarray(u, dtype=np.float64))\n    return 1 - t * t",
                "return 1 / np.cosh(np.asarray(u, dtype=np.float64)) ** 2",
            )
        },
        exercise="smooth_grads_tests",
        message="tanh_grad at extreme inputs: your code raised FloatingPointError",
    ),
    Wrong(
        "tanh_grad_not_squared",
        {"smooth_grads_impl": SMOOTH.replace("1 - t * t", "1 - t")},
        exercise="smooth_grads_tests",
        message="tanh_grad on a 4x6 grid",
    ),
    # Exercise 4: the ReLU family
    Wrong(
        "relu_grad_left_hand_at_zero",
        {
            "relu_grads_impl": RELU.replace(
                "np.where(u >= 0, 1.0, 0.0)", "np.where(u > 0, 1.0, 0.0)"
            )
        },
        exercise="relu_grads_tests",
        message="relu_grad at extreme inputs",
    ),
    Wrong(
        "elu_grad_exp_of_both_branches",
        {
            "relu_grads_impl": RELU.replace(
                "alpha * np.exp(np.minimum(u, 0.0))", "alpha * np.exp(u)"
            )
        },
        exercise="relu_grads_tests",
        message="elu_grad at extreme inputs up to |u| = 1e4: your code raised FloatingPointError",
    ),
    Wrong(
        "swish_grad_without_beta",
        {
            "relu_grads_impl": RELU.replace(
                "return s + beta * u * s * sigmoid(-beta * u)",
                "return s + u * s * sigmoid(-beta * u)",
            )
        },
        exercise="relu_grads_tests",
        message="swish_grad(beta=0.5)",
    ),
    Wrong(
        "leaky_slope_hard_coded",
        {"relu_grads_impl": RELU.replace("slope * np.ones_like(u)", "0.01 * np.ones_like(u)")},
        exercise="relu_grads_tests",
        message="leaky_relu_grad(slope=0.2)",
    ),
    Wrong(
        "softplus_grad_naive",
        {
            "relu_grads_impl": RELU.replace(
                "return sigmoid(np.asarray(u, dtype=np.float64))",
                "return 1 / (1 + np.exp(-np.asarray(u, dtype=np.float64)))",
            )
        },
        exercise="relu_grads_tests",
        message="softplus_grad at extreme inputs",
    ),
]
