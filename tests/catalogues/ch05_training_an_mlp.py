"""Chapter 5 (training an MLP): honest answers in other styles, and realistic mistakes."""

from catalogues import Wrong

CHAPTER = "05_training_an_mlp"

INIT = """def init_weights(fan_in, fan_out, method, rng, distribution="normal"):
    if method == "xavier":
        sigma = math.sqrt(2.0 / (fan_in + fan_out))
    elif method == "he":
        sigma = math.sqrt(2.0 / fan_in)
    else:
        raise ValueError(f"unknown method {method!r}")
    if distribution == "normal":
        return sigma * rng.standard_normal((fan_in, fan_out))
    if distribution == "uniform":
        limit = math.sqrt(3.0) * sigma
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    raise ValueError(f"unknown distribution {distribution!r}")
"""
TRAIN = """def train(params, X, y, loss_and_grads, optimizer, epochs, batch_size, rng):
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[batch], y[batch])
            optimizer.step(params, grads)
            history.append(float(loss))
    return history
"""
ADAM = """class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m, self.v = {}, {}

    def step(self, params, grads):
        self.t += 1
        for name, grad in grads.items():
            self.m[name] = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * grad
            self.v[name] = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * grad**2
            m_hat = self.m[name] / (1 - self.beta1**self.t)
            v_hat = self.v[name] / (1 - self.beta2**self.t)
            params[name] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""

HONEST = {
    "lookup_tables_and_normal": {
        "init_impl": '''SCALES = {"xavier": lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)), "he": lambda n_in, n_out: np.sqrt(2.0 / n_in)}


def init_weights(fan_in, fan_out, method, rng, distribution="normal"):
    """Xavier or He weights; ValueError for anything else."""
    if method not in SCALES:
        raise ValueError("method must be 'xavier' or 'he'")
    if distribution not in ("normal", "uniform"):
        raise ValueError("distribution must be 'normal' or 'uniform'")
    sigma = SCALES[method](fan_in, fan_out)
    if distribution == "normal":
        return rng.normal(0.0, sigma, size=(fan_in, fan_out))
    bound = np.sqrt(3.0) * sigma
    return rng.uniform(low=-bound, high=bound, size=(fan_in, fan_out))
''',
    },
    "loops_and_shuffle": {
        "train_impl": """def train(params, X, y, loss_and_grads, optimizer, epochs, batch_size, rng):
    losses = []
    epoch = 0
    while epoch < epochs:
        order = np.arange(len(X))
        rng.shuffle(order)   # the same draw as rng.permutation(len(X))
        start = 0
        while start < len(order):
            rows = order[start:start + batch_size]
            value, gradients = loss_and_grads(params, X[rows], y[rows])
            optimizer.step(params, gradients)
            losses.append(float(value))
            start += batch_size
        epoch += 1
    return losses
""",
        "adam_impl": '''class Adam:
    """Adam, with lists of moments kept per parameter name."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.settings = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        self.moments = {}
        self.steps = 0

    def step(self, params, grads):
        s = self.settings
        self.steps += 1
        for name in grads:
            g = np.asarray(grads[name], dtype=float)
            m, v = self.moments.get(name, (np.zeros_like(g), np.zeros_like(g)))
            m = s["beta1"] * m + (1 - s["beta1"]) * g
            v = s["beta2"] * v + (1 - s["beta2"]) * g * g
            self.moments[name] = (m, v)
            flat = params[name].reshape(-1)
            m_hat = (m / (1 - s["beta1"] ** self.steps)).reshape(-1)
            v_hat = (v / (1 - s["beta2"] ** self.steps)).reshape(-1)
            for i in range(flat.size):
                flat[i] -= s["lr"] * m_hat[i] / (math.sqrt(v_hat[i]) + s["eps"])
''',
    },
    "private_attributes_and_magics": {
        "adam_impl": """class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.__lr, self.__b1, self.__b2, self.__eps = lr, beta1, beta2, eps
        self.__m, self.__v, self.__t = {}, {}, 0

    def step(self, params, grads):
        self.__t += 1
        for name, g in grads.items():
            self.__m[name] = self.__b1 * self.__m.get(name, np.zeros_like(g)) + (1 - self.__b1) * g
            self.__v[name] = self.__b2 * self.__v.get(name, np.zeros_like(g)) + (1 - self.__b2) * np.square(g)
            m_hat = self.__m[name] / (1 - self.__b1 ** self.__t)
            v_hat = self.__v[name] / (1 - self.__b2 ** self.__t)
            params[name] -= self.__lr * m_hat / (np.sqrt(v_hat) + self.__eps)


%timeit -n1 -r1 Adam().step({"w": np.zeros(3)}, {"w": np.ones(3)})
""",
        "init_impl": INIT
        + "\n\n%timeit -n1 -r1 init_weights(10, 10, 'he', np.random.default_rng(0))\n",
    },
    "batches_helper_tqdm_and_prints": {
        "train_impl": '''def _batches(order, size):
    """Consecutive slices of order, the last one shorter if needed."""
    for start in range(0, len(order), size):
        yield order[start:start + size]


def train(params, X, y, loss_and_grads, optimizer, epochs, batch_size, rng):
    from tqdm.auto import tqdm
    record = []
    for epoch in tqdm(range(epochs), disable=True):
        for reference in _batches(rng.permutation(len(X)), batch_size):
            expected, jacobian = loss_and_grads(params, X[reference], y[reference])
            optimizer.step(params, jacobian)
            record.append(float(expected))
    print(f"{train.__name__}: {len(record)} iterations")
    return record
''',
        "init_impl": '''def init_weights(fan_in, fan_out, method, rng, distribution="normal"):
    """Weights (fan_in, fan_out)."""
    denominators = {"xavier": fan_in + fan_out, "he": fan_in}
    try:
        variance = 2.0 / denominators[method]
    except KeyError:
        raise ValueError(method) from None
    shape = (fan_in, fan_out)
    if distribution == "uniform":
        return rng.uniform(-np.sqrt(3.0 * variance), np.sqrt(3.0 * variance), size=shape)
    elif distribution == "normal":
        return np.sqrt(variance) * rng.standard_normal(shape)
    else:
        raise ValueError(distribution)


print(init_weights.__name__, init_weights.__doc__)
''',
    },
    "running_products_for_bias_correction": {
        "adam_impl": '''class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.state = {}
        self.t = 0

    def step(self, params, grads):
        """One step; m and v start at 0 for every new name."""
        self.t += 1
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for name, grad in grads.items():
            if name not in self.state:
                self.state[name] = {"m": 0.0, "v": 0.0}
            slot = self.state[name]
            slot["m"] = self.beta1 * slot["m"] + (1 - self.beta1) * grad
            slot["v"] = self.beta2 * slot["v"] + (1 - self.beta2) * grad * grad
            params[name] -= self.lr * (slot["m"] / correction1) / (np.sqrt(slot["v"] / correction2) + self.eps)
''',
    },
    "index_lists": {
        "train_impl": """def train(params, X, y, loss_and_grads, optimizer, epochs, batch_size, rng):
    history = []
    n = len(X)
    for _ in range(epochs):
        order = list(rng.permutation(n))
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        for batch in batches:
            loss, grads = loss_and_grads(params, X[np.array(batch)], y[np.array(batch)])
            optimizer.step(params, grads)
            history += [float(loss)]
    return history
""",
    },
}

WRONG = [
    # Exercise 1: initialisation
    Wrong(
        "he_with_fan_out",
        {
            "init_impl": INIT.replace(
                "math.sqrt(2.0 / fan_in)", "math.sqrt(2.0 / (fan_in + fan_out))"
            )
        },
        exercise="init_tests",
        message="'he'",
    ),
    Wrong(
        "uniform_limit_is_sigma",
        {"init_impl": INIT.replace("limit = math.sqrt(3.0) * sigma", "limit = sigma")},
        exercise="init_tests",
        message="distribution='uniform'",
    ),
    Wrong(
        "unknown_method_falls_back",
        {
            "init_impl": INIT.replace(
                '    else:\n        raise ValueError(f"unknown method {method!r}")\n',
                "    else:\n        sigma = math.sqrt(1.0 / fan_in)  # LeCun for anything else\n",
            )
        },
        exercise="init_tests",
        message="raises",
    ),
    Wrong(
        "method_name_case_insensitive",
        {
            "init_impl": INIT.replace(
                '    if method == "xavier":',
                '    method = method.lower()\n    if method == "xavier":',
            )
        },
        exercise="init_tests",
        message="'Xavier'",
    ),
    # Exercise 2: mini-batch training
    Wrong(
        "train_without_shuffling",
        {
            "train_impl": TRAIN.replace(
                "order = rng.permutation(len(X))", "order = np.arange(len(X))"
            )
        },
        exercise="train_tests",
        message="losses",
    ),
    Wrong(
        "train_shuffles_once",
        {
            "train_impl": TRAIN.replace(
                "    for _ in range(epochs):\n        order = rng.permutation(len(X))\n",
                "    order = rng.permutation(len(X))\n    for _ in range(epochs):\n",
            )
        },
        exercise="train_tests",
        message="losses",
    ),
    Wrong(
        "train_drops_the_last_batch",
        {
            "train_impl": TRAIN.replace(
                "range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)"
            )
        },
        exercise="train_tests",
        message="losses",
    ),
    Wrong(
        "train_calls_the_model_twice",
        {
            "train_impl": TRAIN.replace(
                "loss, grads = loss_and_grads(params, X[batch], y[batch])",
                "loss = loss_and_grads(params, X[batch], y[batch])[0]\n            grads = loss_and_grads(params, X[batch], y[batch])[1]",
            )
        },
        exercise="train_tests",
        message="the calls, in order",
    ),
    # Exercise 3: Adam
    Wrong(
        "adam_without_bias_correction",
        {
            "adam_impl": ADAM.replace("/ (1 - self.beta1**self.t)", "").replace(
                "/ (1 - self.beta2**self.t)", ""
            )
        },
        exercise="adam_tests",
        message="first step",
    ),
    Wrong(
        "adam_eps_inside_sqrt",
        {"adam_impl": ADAM.replace("(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)")},
        exercise="adam_tests",
        message="first step",
    ),
    Wrong(
        "adam_counts_steps_per_parameter",
        {
            "adam_impl": ADAM.replace(
                "        self.t += 1\n        for name, grad in grads.items():\n",
                "        for name, grad in grads.items():\n            self.t += 1\n",
            )
        },
        exercise="adam_tests",
        message="6 steps on two parameters",
    ),
    Wrong(
        "adam_state_shared_by_all_objects",
        {
            "adam_impl": ADAM.replace("class Adam:\n", "class Adam:\n    m, v = {}, {}\n").replace(
                "        self.m, self.v = {}, {}\n", ""
            )
        },
        exercise="adam_tests",
        message="default settings|second Adam|6 steps on two parameters",
    ),
]
