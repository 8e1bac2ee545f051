"""Chapter 10 (what a and b do): gradients through a parametric layer, folding it away, the folded step.

Not checkable by values: Exercise 1 asks for dL/db through the activation, "not by copying -dL/dc1".
dL/db = -dL/dc1 holds exactly for every network `forward` computes (b and c1 enter only through c1 - b),
so a copied dL/db has exactly the right values; that rule is a method rule (for the instructor to read),
and no name-based flag catches it.
"""

from catalogues import Wrong

CHAPTER = "10_what_a_and_b_do"

GRADS = '''def parametric_grads(X, T, params, hidden="sigmoid"):
    """Gradients of the mean squared error w.r.t. W1, c1, a, b, W2, c2 (a dict of arrays)."""
    p, saved = forward(X, params, hidden)
    scale = params["a"]
    d_o = 2.0 * (p - T) / p.size * p * (1.0 - p)
    d_z = d_o @ params["W2"].T
    slope = saved["s"] * (1.0 - saved["s"]) if hidden == "sigmoid" else (saved["u"] >= 0).astype(float)
    d_y = d_z * scale * slope
    return {
        "W1": X.T @ d_y,
        "c1": d_y.sum(axis=0),
        "a": (d_z * saved["s"]).sum(axis=0),
        "b": (d_z * (-scale * slope)).sum(axis=0),
        "W2": saved["z"].T @ d_o,
        "c2": d_o.sum(axis=0),
    }
'''

FOLD = '''def fold_outgoing(params):
    """The plain network computing what params computes: a into the rows of W2, b into c1."""
    return {
        "W1": params["W1"].copy(),
        "c1": params["c1"] - params["b"],
        "W2": params["W2"] * params["a"][:, None],
        "c2": params["c2"].copy(),
    }


def fold_relu_incoming(params):
    """For ReLU units with a > 0: the plain network with a moved into W1 and c1 (W2, c2 unchanged)."""
    if np.any(params["a"] <= 0):
        raise ValueError("the incoming fold needs every scale a > 0 (ReLU(a u) = a ReLU(u) only for a > 0)")
    return {
        "W1": params["W1"] * params["a"][None, :],
        "c1": (params["c1"] - params["b"]) * params["a"],
        "W2": params["W2"].copy(),
        "c2": params["c2"].copy(),
    }
'''

STEP = '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    grad_scale = np.sum(W2 * G, axis=1)
    grad_weights = a[:, None] * G
    scale_after = a - lr * grad_scale
    weights_after = W2 - lr * grad_weights
    return scale_after[:, None] * weights_after - a[:, None] * W2
'''

HONEST = {
    "loops": {
        "grads_impl": '''def parametric_grads(X, T, params, hidden="sigmoid"):
    """Gradients of the mean squared error w.r.t. W1, c1, a, b, W2, c2 (a dict of arrays)."""
    p, saved = forward(X, params, hidden)
    N, k = p.shape
    h = params["a"].shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(N):
        d_o = [2.0 * (p[i, m] - T[i, m]) / (N * k) * p[i, m] * (1 - p[i, m]) for m in range(k)]
        for m in range(k):
            grads["c2"][m] += d_o[m]
            for j in range(h):
                grads["W2"][j, m] += saved["z"][i, j] * d_o[m]
        for j in range(h):
            d_z = sum(params["W2"][j, m] * d_o[m] for m in range(k))
            s, u = saved["s"][i, j], saved["u"][i, j]
            slope = s * (1 - s) if hidden == "sigmoid" else (1.0 if u >= 0 else 0.0)
            grads["a"][j] += d_z * s
            grads["b"][j] += d_z * params["a"][j] * slope * -1.0
            d_y = d_z * params["a"][j] * slope
            grads["c1"][j] += d_y
            for col in range(X.shape[1]):
                grads["W1"][col, j] += X[i, col] * d_y
    return grads
''',
        "fold_impl": '''def fold_outgoing(params):
    """The plain network computing what params computes: a into the rows of W2, b into c1."""
    W2 = np.array(params["W2"], dtype=float)
    for j in range(W2.shape[0]):
        W2[j, :] = W2[j, :] * params["a"][j]
    return {"W1": np.array(params["W1"]), "c1": np.array([c - b for c, b in zip(params["c1"], params["b"])]),
            "W2": W2, "c2": np.array(params["c2"])}


def fold_relu_incoming(params):
    """For ReLU units with a > 0: the plain network with a moved into W1 and c1 (W2, c2 unchanged)."""
    for value in params["a"]:
        if not value > 0:
            raise ValueError("a scale is not positive")
    W1 = np.array(params["W1"], dtype=float)
    c1 = np.empty_like(params["c1"])
    for j, scale in enumerate(params["a"]):
        W1[:, j] *= scale
        c1[j] = scale * params["c1"][j] - scale * params["b"][j]
    return {"W1": W1, "c1": c1, "W2": np.array(params["W2"]), "c2": np.array(params["c2"])}
''',
        "step_impl": '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    h, k = W2.shape
    change = np.zeros((h, k))
    for j in range(h):
        g_a = sum(W2[j, m] * G[j, m] for m in range(k))
        new_a = a[j] - lr * g_a
        for m in range(k):
            new_w = W2[j, m] - lr * a[j] * G[j, m]
            change[j, m] = new_a * new_w - a[j] * W2[j, m]
    return change
''',
    },
    "einsum_and_expanded": {
        "grads_impl": '''def parametric_grads(X, T, params, hidden="sigmoid"):
    """Gradients of the mean squared error w.r.t. W1, c1, a, b, W2, c2 (a dict of arrays)."""
    p, cache = forward(X, params, hidden)
    g_o = 2 * (p - T) * p * (1 - p) / np.size(p)
    g_z = np.einsum("im,jm->ij", g_o, params["W2"])
    if hidden == "relu":
        d_act = np.heaviside(cache["u"], 1.0)
    else:
        d_act = cache["s"] - cache["s"] ** 2
    g_u = g_z * params["a"] * d_act          # dL/d(y - b)
    return {"W1": np.einsum("in,ij->nj", X, g_u), "c1": np.einsum("ij->j", g_u),
            "a": np.einsum("ij,ij->j", g_z, cache["s"]), "b": -np.einsum("ij,ij->j", g_z, params["a"] * d_act),
            "W2": np.einsum("ij,im->jm", cache["z"], g_o), "c2": np.einsum("im->m", g_o)}
''',
        "fold_impl": '''def fold_outgoing(params):
    """The plain network computing what params computes: a into the rows of W2, b into c1."""
    return dict(W1=params["W1"].copy(), c1=params["c1"] - params["b"],
                W2=np.einsum("j,jm->jm", params["a"], params["W2"]), c2=params["c2"].copy())


def fold_relu_incoming(params):
    """For ReLU units with a > 0: the plain network with a moved into W1 and c1 (W2, c2 unchanged)."""
    a = params["a"]
    if not np.all(a > 0):
        raise ValueError("every scale must be positive")
    return dict(W1=params["W1"] @ np.diag(a), c1=a * params["c1"] - a * params["b"],
                W2=params["W2"].copy(), c2=params["c2"].copy())
''',
        "step_impl": '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    g_a = np.einsum("jm,jm->j", W2, G)[:, None]   # dL/da, summed over the outputs
    g_w = a[:, None] * G                          # dL/dW2
    # (a - lr g_a)(W2 - lr g_w) - a W2, multiplied out
    return -lr * (g_a * W2 + a[:, None] * g_w) + lr**2 * g_a * g_w
''',
    },
    "docstrings_prints_magics": {
        "grads_impl": GRADS.replace(
            "    p, saved = forward(X, params, hidden)\n",
            "    p, saved = forward(X, params, hidden)\n"
            '    print(f"{parametric_grads.__name__}: {len(X)} examples, loss {mse(p, T):.4f}")\n',
        ),
        "fold_impl": FOLD + "\n\nprint(fold_outgoing.__doc__)\nprint(fold_relu_incoming.__doc__)\n",
        "step_impl": STEP
        + """

_a, _w, _g = np.ones(3), np.ones((3, 2)), np.full((3, 2), 0.1)
%timeit -n1 -r1 folded_weight_step(_a, _w, _g, 0.5)
print(folded_weight_step.__name__, folded_weight_step(_a, _w, _g, 0.5))
""",
    },
    "private_class": {
        "grads_impl": '''class _Backward:
    def __init__(self, X, T, params, hidden):
        self.__X, self.__params = X, params
        self.__p, self.__saved = forward(X, params, hidden)
        self.__T, self.__hidden = T, hidden

    def __slope(self):
        s, u = self.__saved["s"], self.__saved["u"]
        return s * (1 - s) if self.__hidden == "sigmoid" else np.where(u >= 0, 1.0, 0.0)

    def grads(self):
        p, P = self.__p, self.__params
        d_o = 2 * (p - self.__T) / p.size * p * (1 - p)
        d_z = d_o @ P["W2"].T
        dz_db = -P["a"] * self.__slope()       # through the activation
        d_b = d_z * dz_db
        return {"W1": self.__X.T @ (-d_b), "c1": (-d_b).sum(0), "a": (d_z * self.__saved["s"]).sum(0),
                "b": d_b.sum(0), "W2": self.__saved["z"].T @ d_o, "c2": d_o.sum(0)}


def parametric_grads(X, T, params, hidden="sigmoid"):
    """Gradients of the mean squared error w.r.t. W1, c1, a, b, W2, c2 (a dict of arrays)."""
    return _Backward(X, T, params, hidden).grads()
''',
        "fold_impl": '''class _Folder:
    def __init__(self, params):
        self.__p = {key: np.array(value, dtype=float, copy=True) for key, value in params.items()}

    def outgoing(self):
        p = self.__p
        return {"W1": p["W1"], "c1": p["c1"] - p["b"], "W2": p["a"].reshape(-1, 1) * p["W2"], "c2": p["c2"]}

    def incoming(self):
        p = self.__p
        if (p["a"] <= 0).any():
            raise ValueError("non-positive scale")
        return {"W1": p["W1"] * p["a"], "c1": p["a"] * (p["c1"] - p["b"]), "W2": p["W2"], "c2": p["c2"]}


def fold_outgoing(params):
    """The plain network computing what params computes: a into the rows of W2, b into c1."""
    return _Folder(params).outgoing()


def fold_relu_incoming(params):
    """For ReLU units with a > 0: the plain network with a moved into W1 and c1 (W2, c2 unchanged)."""
    return _Folder(params).incoming()
''',
    },
    "hidden_test_names": {
        "grads_impl": '''def expit(u):
    return sigmoid(u)


def parametric_grads(X, T, params, hidden="sigmoid"):
    """Gradients of the mean squared error w.r.t. W1, c1, a, b, W2, c2 (a dict of arrays)."""
    record, reference = forward(X, params, hidden)
    expected = 2.0 * (record - T) / record.size * record * (1.0 - record)
    back = expected @ params["W2"].T
    if hidden == "sigmoid":
        s = expit(reference["u"])
        jacobian = s * (1.0 - s)
    else:
        jacobian = (reference["u"] >= 0) * 1.0
    return {
        "W1": X.T @ (back * params["a"] * jacobian),
        "c1": np.sum(back * params["a"] * jacobian, axis=0),
        "a": np.sum(back * reference["s"], axis=0),
        "b": np.sum(back * (-params["a"] * jacobian), axis=0),
        "W2": reference["z"].T @ expected,
        "c2": np.sum(expected, axis=0),
    }
''',
        "step_impl": '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    reference = a[:, None] * W2
    jacobian = (np.sum(W2 * G, axis=1, keepdims=True), a[:, None] * G)
    expected = (a[:, None] - lr * jacobian[0]) * (W2 - lr * jacobian[1])
    return expected - reference
''',
    },
    "deepcopy_and_sympy_check": {
        "fold_impl": '''import copy

import sympy


def fold_outgoing(params):
    """The plain network computing what params computes: a into the rows of W2, b into c1."""
    plain = copy.deepcopy({key: params[key] for key in ("W1", "c1", "W2", "c2")})
    plain["c1"] = plain["c1"] - params["b"]
    plain["W2"] = plain["W2"] * np.expand_dims(params["a"], 1)
    return plain


def fold_relu_incoming(params):
    """For ReLU units with a > 0: the plain network with a moved into W1 and c1 (W2, c2 unchanged)."""
    lam, u = sympy.symbols("lambda u", positive=True)
    assert sympy.simplify(sympy.Max(0, lam * u) - lam * sympy.Max(0, u)) == sympy.S(0)  # homogeneity
    if (np.asarray(params["a"]) <= 0).any():
        raise ValueError("the scales must be positive")
    plain = copy.deepcopy({key: params[key] for key in ("W1", "c1", "W2", "c2")})
    plain["W1"] = plain["W1"] * params["a"]
    plain["c1"] = (plain["c1"] - params["b"]) * params["a"]
    return plain
''',
        "step_impl": '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    a_col = a.reshape(-1, 1)
    new_a = a_col - lr * (W2 * G).sum(axis=1, keepdims=True)
    new_W2 = W2 - lr * (a_col * G)
    return new_a * new_W2 - a_col * W2
''',
    },
}

WRONG = [
    Wrong(
        "relu_strict_at_kink",
        {"grads_impl": GRADS.replace('(saved["u"] >= 0)', '(saved["u"] > 0)')},
        exercise="grads_tests",
        message="kink",
    ),
    Wrong(
        "relu_slope_from_output",
        {"grads_impl": GRADS.replace('(saved["u"] >= 0)', '(saved["s"] > 0)')},
        exercise="grads_tests",
        message="kink",
    ),
    Wrong(
        "db_sign",
        {
            "grads_impl": GRADS.replace(
                '"b": (d_z * (-scale * slope)).sum(axis=0)',
                '"b": (d_z * scale * slope).sum(axis=0)',
            )
        },
        exercise="grads_tests",
        message="dL/db",
    ),
    Wrong(
        "scale_left_out_of_dy",
        {"grads_impl": GRADS.replace("d_y = d_z * scale * slope", "d_y = d_z * slope")},
        exercise="grads_tests",
        message="dL/dW1",
    ),
    Wrong(
        "mean_over_examples_only",
        {"grads_impl": GRADS.replace("/ p.size", "/ len(X)")},
        exercise="grads_tests",
        message="dL/dW1",
    ),
    Wrong(
        "da_from_z",
        {
            "grads_impl": GRADS.replace(
                '(d_z * saved["s"]).sum(axis=0)', '(d_z * saved["z"]).sum(axis=0)'
            )
        },
        exercise="grads_tests",
        message="dL/da",
    ),
    Wrong(
        "gradient_names_with_d",
        {"grads_impl": GRADS.replace('"W1":', '"dW1":').replace('"c1":', '"dc1":')},
        exercise="grads_tests",
        message="names of the gradients",
    ),
    Wrong(
        "outgoing_c1_plus_b",
        {
            "fold_impl": FOLD.replace(
                '"c1": params["c1"] - params["b"],', '"c1": params["c1"] + params["b"],'
            )
        },
        exercise="fold_tests",
        message="c1",
    ),
    Wrong(
        "outgoing_scale_wrong_axis",
        {
            "fold_impl": FOLD.replace(
                'params["W2"] * params["a"][:, None]', 'params["W2"] * params["a"]'
            )
        },
        exercise="fold_tests",
        message="W2",
    ),
    Wrong(
        "outgoing_keeps_a_and_b",
        {
            "fold_impl": FOLD.replace(
                """    return {
        "W1": params["W1"].copy(),
        "c1": params["c1"] - params["b"],""",
                """    return {
        **params,
        "W1": params["W1"].copy(),
        "c1": params["c1"] - params["b"],""",
            )
        },
        exercise="fold_tests",
        message="names of the returned parameters",
    ),
    Wrong(
        "outgoing_in_place",
        {
            "fold_impl": FOLD.replace(
                """        "W2": params["W2"] * params["a"][:, None],
        "c2": params["c2"].copy(),
    }


def fold_relu""",
                """        "W2": _scaled_rows(params),
        "c2": params["c2"].copy(),
    }


def _scaled_rows(params):
    W2 = params["W2"]
    W2 *= params["a"][:, None]
    return W2


def fold_relu""",
            )
        },
        exercise="fold_tests",
        message="W2|afterwards",
    ),
    Wrong(
        "incoming_zero_scale_allowed",
        {"fold_impl": FOLD.replace('np.any(params["a"] <= 0)', 'np.any(params["a"] < 0)')},
        exercise="fold_tests",
        message="set to 0.0",
    ),
    Wrong(
        "incoming_bias_not_scaled",
        {
            "fold_impl": FOLD.replace(
                '"c1": (params["c1"] - params["b"]) * params["a"],',
                '"c1": params["c1"] - params["b"],',
            )
        },
        exercise="fold_tests",
        message="fold_relu_incoming",
    ),
    Wrong(
        "first_order_only",
        {
            "step_impl": '''def folded_weight_step(a, W2, G, lr):
    """Exact change of U = a[:, None] * W2 after one gradient step on a and W2, given G = dL/dU."""
    return -lr * (a[:, None] ** 2 + W2**2) * G
'''
        },
        exercise="step_tests",
        message="folded_weight_step",
    ),
    Wrong(
        "no_sum_over_outputs",
        {
            "step_impl": STEP.replace("grad_scale = np.sum(W2 * G, axis=1)", "grad_scale = W2 * G")
            .replace("scale_after[:, None]", "scale_after")
            .replace(
                "scale_after = a - lr * grad_scale", "scale_after = a[:, None] - lr * grad_scale"
            )
        },
        exercise="step_tests",
        message="folded_weight_step",
    ),
    Wrong(
        "returns_new_weights",
        {"step_impl": STEP.replace(" - a[:, None] * W2\n", "\n")},
        exercise="step_tests",
        message="folded_weight_step",
    ),
    Wrong(
        "sequential_update",
        {
            "step_impl": STEP.replace(
                "grad_weights = a[:, None] * G", "grad_weights = (a - lr * grad_scale)[:, None] * G"
            )
        },
        exercise="step_tests",
        message="folded_weight_step",
    ),
]
