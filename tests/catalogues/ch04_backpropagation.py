"""Chapter 4 (backpropagation): honest answers in other styles, and realistic mistakes."""

from catalogues import Wrong

CHAPTER = "04_backpropagation"

FORWARD = """def sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(u, dtype=np.float64)))


def forward(X, W1, W2):
    H = sigmoid(X @ W1)
    Y = sigmoid(H @ W2)
    return H, Y


def half_sse(Y, T):
    return float(0.5 * np.sum((np.asarray(Y) - np.asarray(T)) ** 2))
"""
BACKPROP = """def backprop(X, T, W1, W2):
    H, Y = forward(X, W1, W2)
    delta_out = (Y - T) * Y * (1.0 - Y)
    delta_hidden = (delta_out @ W2.T) * H * (1.0 - H)
    return {"delta_out": delta_out, "delta_hidden": delta_hidden, "W1": X.T @ delta_hidden, "W2": H.T @ delta_out}


def gradient_step(W1, W2, grads, lr):
    return W1 - lr * grads["W1"], W2 - lr * grads["W2"]
"""
NUMGRAD = """def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = float(f(x))
        x[index] = original - h
        f_minus = float(f(x))
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
"""
TWOLAYER = """def two_layer_loss_and_grads(X, T, params):
    W1, c1, W2, c2 = params["W1"], params["c1"], params["W2"], params["c2"]
    H = sigmoid(X @ W1 + c1)
    Y = sigmoid(H @ W2 + c2)
    loss = float(np.mean((Y - T) ** 2))
    delta_out = 2.0 * (Y - T) / Y.size * Y * (1.0 - Y)
    delta_hidden = (delta_out @ W2.T) * H * (1.0 - H)
    grads = {"W1": X.T @ delta_hidden, "c1": delta_hidden.sum(axis=0), "W2": H.T @ delta_out, "c2": delta_out.sum(axis=0)}
    return loss, grads
"""

HONEST = {
    "loops": {
        "forward_impl": """import math


def sigmoid(u):
    u = np.asarray(u, dtype=float)
    out = np.empty(u.shape)
    for index in np.ndindex(u.shape):
        x = u[index]
        out[index] = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
    return out


def forward(X, W1, W2):
    N, n = X.shape
    h, k = W2.shape
    Z1 = np.zeros((N, h))
    for i in range(N):
        for j in range(h):
            Z1[i, j] = sum(X[i, a] * W1[a, j] for a in range(n))
    H = sigmoid(Z1)
    Z2 = np.zeros((N, k))
    for i in range(N):
        for j in range(k):
            Z2[i, j] = sum(H[i, a] * W2[a, j] for a in range(h))
    return H, sigmoid(Z2)


def half_sse(Y, T):
    total = 0.0
    for y, t in zip(np.ravel(Y), np.ravel(T)):
        total += 0.5 * (y - t) ** 2
    return float(total)
""",
        "backprop_impl": """def backprop(X, T, W1, W2):
    H, Y = forward(X, W1, W2)
    grads = {"W1": np.zeros(W1.shape), "W2": np.zeros(W2.shape)}
    delta_out, delta_hidden = np.zeros(Y.shape), np.zeros(H.shape)
    for n in range(len(X)):
        delta_out[n] = (Y[n] - T[n]) * Y[n] * (1 - Y[n])
        delta_hidden[n] = (W2 @ delta_out[n]) * H[n] * (1 - H[n])
        grads["W2"] += np.outer(H[n], delta_out[n])
        grads["W1"] += np.outer(X[n], delta_hidden[n])
    grads["delta_out"], grads["delta_hidden"] = delta_out, delta_hidden
    return grads


def gradient_step(W1, W2, grads, lr):
    new_W1, new_W2 = W1.copy(), W2.copy()
    for index in np.ndindex(W1.shape):
        new_W1[index] -= lr * grads["W1"][index]
    for index in np.ndindex(W2.shape):
        new_W2[index] -= lr * grads["W2"][index]
    return new_W1, new_W2
""",
        "numgrad_impl": """def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.size):
        saved = x.flat[i]
        x.flat[i] = saved + h
        up = f(x)
        x.flat[i] = saved - h
        down = f(x)
        x.flat[i] = saved
        grad.flat[i] = (up - down) / (2 * h)
    return grad
""",
    },
    "naive_sigmoid_and_helpers": {
        "forward_impl": """def sigmoid(u):
    with np.errstate(over="ignore"):   # exp(800) = inf gives 1 / inf = 0, the right answer
        return 1.0 / (1.0 + np.exp(-np.asarray(u, dtype=float)))


def _layer(inputs, weights):
    return sigmoid(inputs @ weights)


def forward(X, W1, W2):
    H = _layer(X, W1)
    return H, _layer(H, W2)


def half_sse(Y, T):
    difference = np.subtract(Y, T)
    return 0.5 * float(np.vdot(difference, difference))
""",
        "twolayer_impl": """def _sigmoid_prime_from_output(s):
    return s * (1 - s)


def two_layer_loss_and_grads(X, T, params):
    H = sigmoid(X @ params["W1"] + params["c1"])
    Y = sigmoid(H @ params["W2"] + params["c2"])
    N, k = T.shape
    dY = 2 * (Y - T) / (N * k)
    d_out = dY * _sigmoid_prime_from_output(Y)
    d_hidden = d_out @ params["W2"].T * _sigmoid_prime_from_output(H)
    grads = {"W2": np.einsum("nh,nk->hk", H, d_out), "c2": np.einsum("nk->k", d_out),
             "W1": np.einsum("ni,nh->ih", X, d_hidden), "c1": np.einsum("nh->h", d_hidden)}
    return float(np.sum((Y - T) ** 2) / (N * k)), grads
""",
    },
    "helper_named_expit_and_test_names": {
        "forward_impl": '''def expit(u):
    """A stable logistic function of my own."""
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


sigmoid = expit


def forward(X, W1, W2):
    reference = expit(np.dot(X, W1))
    expected = expit(np.dot(reference, W2))
    return reference, expected


def half_sse(Y, T):
    record = np.sum(np.square(np.asarray(Y) - T)) / 2
    return float(record)
''',
        "backprop_impl": '''def backprop(X, T, W1, W2):
    """Backward pass; also returns the forward values."""
    H, Y = forward(X, W1, W2)
    jacobian = Y * (1 - Y)
    expected = (Y - T) * jacobian
    record = expected.dot(W2.T) * H * (1 - H)
    print(backprop.__name__, "on", X.shape)
    return {"delta_out": expected, "delta_hidden": record, "W1": X.T.dot(record), "W2": H.T.dot(expected), "H": H, "Y": Y}


def gradient_step(W1, W2, grads, lr):
    return tuple(W - lr * grads[name] for W, name in ((W1, "W1"), (W2, "W2")))
''',
    },
    "private_attributes_and_magics": {
        "backprop_impl": """class _Backward:
    def __init__(self, X, T):
        self.__X, self.__T = X, T

    def __call__(self, W1, W2):
        H, Y = forward(self.__X, W1, W2)
        d2 = (Y - self.__T) * Y * (1 - Y)
        d1 = (d2 @ W2.T) * H * (1 - H)
        return {"delta_out": d2, "delta_hidden": d1, "W1": self.__X.T @ d1, "W2": H.T @ d2}


def backprop(X, T, W1, W2):
    return _Backward(X, T)(W1, W2)


def gradient_step(W1, W2, grads, lr):
    W1, W2 = W1.copy(), W2.copy()
    W1 -= lr * grads["W1"]
    W2 -= lr * grads["W2"]
    return W1, W2


%timeit -n1 -r1 backprop(X_WORKED, T_WORKED, W1_WORKED, W2_WORKED)
""",
        "numgrad_impl": """def numerical_gradient(f, x, h=1e-5):
    from tqdm.auto import tqdm
    grad = np.zeros_like(x, dtype=float)
    for index in tqdm(list(np.ndindex(x.shape)), disable=True):
        keep = x[index].copy()
        x[index] = keep + h
        plus = f(x)
        x[index] = keep - h
        minus = f(x)
        x[index] = keep
        grad[index] = (plus - minus) / (2 * h)
    return grad


%timeit -n1 -r1 numerical_gradient(lambda v: float(np.sum(v ** 2)), np.ones(3))
""",
    },
    "copies_and_dicts": {
        "twolayer_impl": """def two_layer_loss_and_grads(X, T, params):
    p = {name: np.array(value, dtype=float) for name, value in params.items()}   # copies
    hidden_in = X @ p["W1"] + p["c1"]
    H = sigmoid(hidden_in)
    Y = sigmoid(H @ p["W2"] + p["c2"])
    error = Y - T
    loss = np.mean(error ** 2)
    delta_out = (2.0 / error.size) * error * Y * (1.0 - Y)
    delta_hidden = (delta_out @ p["W2"].T) * H * (1.0 - H)
    return float(loss), {"W1": X.T @ delta_hidden, "c1": np.sum(delta_hidden, axis=0),
                         "W2": H.T @ delta_out, "c2": np.sum(delta_out, axis=0)}
""",
        "numgrad_impl": '''def numerical_gradient(f, x, h=1e-5):
    """Central differences, nudging x in place."""
    result = np.empty(np.shape(x))
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        index = it.multi_index
        value = float(x[index])
        x[index] = value + h
        ahead = float(f(x))
        x[index] = value - h
        behind = float(f(x))
        x[index] = value
        result[index] = (ahead - behind) / (2.0 * h)
    return result
''',
    },
    "tanh_form_and_separate_steps": {
        "forward_impl": FORWARD.replace(
            "return float(0.5 * np.sum((np.asarray(Y) - np.asarray(T)) ** 2))",
            "return float(np.sum((np.asarray(Y) - np.asarray(T)) ** 2)) / 2",
        ),
        "twolayer_impl": """def two_layer_loss_and_grads(X, T, params):
    W1, c1, W2, c2 = (params[name] for name in ("W1", "c1", "W2", "c2"))
    H = sigmoid(X @ W1 + c1)
    Y = sigmoid(H @ W2 + c2)
    N, k = Y.shape
    loss = ((Y - T) ** 2).sum() / (N * k)
    dL_dY = 2 * (Y - T) / (N * k)
    dL_dZ2 = dL_dY * Y * (1 - Y)
    dL_dH = dL_dZ2 @ W2.T
    dL_dZ1 = dL_dH * H * (1 - H)
    grads = dict(W1=X.T @ dL_dZ1, c1=dL_dZ1.sum(0), W2=H.T @ dL_dZ2, c2=dL_dZ2.sum(0))
    return float(loss), grads
""",
    },
}

WRONG = [
    # Exercise 1: the forward pass
    Wrong(
        "forward_transposed_weights",
        {"forward_impl": FORWARD.replace("H = sigmoid(X @ W1)", "H = sigmoid(X @ W1.T)")},
        exercise="forward_tests",
        message="forward on the worked example: H",
    ),
    Wrong(
        "forward_returns_y_first",
        {"forward_impl": FORWARD.replace("return H, Y", "return Y, H")},
        exercise="forward_tests",
        message="forward on the worked example: H",
    ),
    Wrong(
        "half_sse_mean",
        {"forward_impl": FORWARD.replace("0.5 * np.sum(", "0.5 * np.mean(")},
        exercise="forward_tests",
        message="half_sse",
    ),
    Wrong(
        "half_sse_without_half",
        {"forward_impl": FORWARD.replace("float(0.5 * np.sum(", "float(np.sum(")},
        exercise="forward_tests",
        message="half_sse",
    ),
    # Exercise 2: deltas and one update
    Wrong(
        "delta_out_without_sigmoid_derivative",
        {
            "backprop_impl": BACKPROP.replace(
                "delta_out = (Y - T) * Y * (1.0 - Y)", "delta_out = Y - T"
            )
        },
        exercise="backprop_tests",
        message="backprop on the worked example: delta_out",
    ),
    Wrong(
        "gradient_w1_transposed",
        {
            "backprop_impl": BACKPROP.replace(
                '"W1": X.T @ delta_hidden', '"W1": (delta_hidden.T @ X)'
            )
        },
        exercise="backprop_tests",
        message="backprop on the worked example: W1",
    ),
    Wrong(
        "gradient_step_in_place",
        {
            "backprop_impl": BACKPROP.replace(
                'return W1 - lr * grads["W1"], W2 - lr * grads["W2"]',
                'W1 -= lr * grads["W1"]\n    W2 -= lr * grads["W2"]\n    return W1, W2',
            )
        },
        exercise="backprop_tests",
        message="after those gradient_step calls|after each of 5 gradient steps",
    ),
    Wrong(
        "delta_hidden_without_derivative",
        {
            "backprop_impl": BACKPROP.replace(
                "(delta_out @ W2.T) * H * (1.0 - H)", "delta_out @ W2.T"
            )
        },
        exercise="backprop_tests",
        message="backprop on the worked example: delta_hidden",
    ),
    # Exercise 3: the numerical gradient
    Wrong(
        "numgrad_forward_difference",
        {
            "numgrad_impl": """def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    base = float(f(x))
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        grad[index] = (float(f(x)) - base) / h
        x[index] = original
    return grad
"""
        },
        exercise="numgrad_tests",
        message="sum(sin(x) * A)",
    ),
    Wrong(
        "numgrad_not_restored",
        {"numgrad_impl": NUMGRAD.replace("        x[index] = original\n", "")},
        exercise="numgrad_tests",
        message="x after that call",
    ),
    Wrong(
        "numgrad_on_a_copy",
        {
            "numgrad_impl": """def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad
"""
        },
        exercise="numgrad_tests",
        message="reads through a dict",
    ),
    Wrong(
        "numgrad_divides_by_h",
        {"numgrad_impl": NUMGRAD.replace("/ (2 * h)", "/ h")},
        exercise="numgrad_tests",
        message="sum(sin(x) * A)",
    ),
    # Exercise 4: the two-layer backward pass
    Wrong(
        "twolayer_forgets_mean_factor",
        {"twolayer_impl": TWOLAYER.replace("2.0 * (Y - T) / Y.size", "(Y - T)")},
        exercise="twolayer_tests",
        message="gradient of W1",
    ),
    Wrong(
        "twolayer_bias_mean_over_batch",
        {
            "twolayer_impl": TWOLAYER.replace(
                '"c1": delta_hidden.sum(axis=0)', '"c1": delta_hidden.mean(axis=0)'
            ).replace('"c2": delta_out.sum(axis=0)', '"c2": delta_out.mean(axis=0)')
        },
        exercise="twolayer_tests",
        message="gradient of c1",
    ),
    Wrong(
        "twolayer_divides_by_n_only",
        {"twolayer_impl": TWOLAYER.replace("2.0 * (Y - T) / Y.size", "2.0 * (Y - T) / len(X)")},
        exercise="twolayer_tests",
        message="gradient of W1",
    ),
    Wrong(
        "twolayer_updates_params",
        {
            "twolayer_impl": TWOLAYER.replace(
                "    return loss, grads",
                "    for name in params:\n        params[name] -= 0.1 * grads[name]  # train while we are at it\n    return loss, grads",
            )
        },
        exercise="twolayer_tests",
        message="N=1, n=1, h=1, k=1",
    ),
]
