"""Chapter 1 (the perceptron): honest answers in other styles, and realistic mistakes."""

from catalogues import Wrong

CHAPTER = "01_perceptron"

STEP = '''def step(u):
    """The step function: 1.0 where u > 0, else 0.0, with the shape of u."""
    return (np.asarray(u) > 0).astype(np.float64)
'''
GATES = """def perceptron(X, w, c):
    return step(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + c)


NAND_W = np.array([-0.5, -0.5])
NAND_C = 0.7
"""
TRAIN_HEAD = """def train_perceptron(X, t, lr=0.1, epochs=20):
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[1])
    c = 0.0
    mistakes = []
"""

HONEST = {
    "loops": {
        "step_impl": '''def step(u):
    """1.0 where u > 0, else 0.0 (a loop over the flattened entries)."""
    values = np.asarray(u, dtype=np.float64)
    out = np.empty(values.shape)
    flat_in, flat_out = values.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        if flat_in[i] > 0:
            flat_out[i] = 1.0
        else:
            flat_out[i] = 0.0
    return out
''',
        "gates_impl": """def perceptron(X, w, c):
    X = np.asarray(X, dtype=float)
    sums = np.zeros(len(X))
    for n in range(len(X)):
        total = c
        for i in range(X.shape[1]):
            total += X[n, i] * w[i]
        sums[n] = total
    return step(sums)


NAND_W = np.array([-1.0, -1.0])
NAND_C = 1.5
""",
        "train_impl": """def train_perceptron(X, t, lr=0.1, epochs=20):
    X = np.asarray(X, dtype=float)
    n_rows, n_inputs = X.shape
    w = [0.0] * n_inputs
    c = 0.0
    mistakes = []
    for epoch in range(epochs):
        count = 0
        for r in range(n_rows):
            total = c
            for i in range(n_inputs):
                total += w[i] * X[r, i]
            y = 1.0 if total > 0 else 0.0
            error = t[r] - y
            if error != 0:
                count += 1
                for i in range(n_inputs):
                    w[i] += lr * error * X[r, i]
                c += lr * error
        mistakes.append(count)
    return np.array(w), c, mistakes
""",
        "xor_impl": """def nand_gate(X):
    return perceptron(X, NAND_W, NAND_C)


def or_gate(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.2)


def and_gate(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.7)


def xor(X):
    first = np.zeros((len(X), 2))
    first[:, 0] = nand_gate(X)
    first[:, 1] = or_gate(X)
    return and_gate(first)
""",
    },
    "library_forms_and_matrix_layer": {
        "step_impl": """def step(u):
    return np.heaviside(np.asarray(u, dtype=float), 0.0)
""",
        "gates_impl": """def perceptron(X, w, c):
    return np.where(np.dot(X, w) + c > 0, 1.0, 0.0)


NAND_W = np.array([-2.0, -2.0])
NAND_C = 3.0
""",
        "xor_impl": """W_HIDDEN = np.column_stack([NAND_W, [0.5, 0.5]])   # one column per hidden perceptron
C_HIDDEN = np.array([NAND_C, -0.2])


def xor(X):
    hidden = perceptron(X, W_HIDDEN, C_HIDDEN)   # both hidden perceptrons at once, shape (N, 2)
    return perceptron(hidden, np.array([0.5, 0.5]), -0.7)
""",
    },
    "prints_docstrings_and_test_names": {
        "step_impl": '''def step(u):
    """Heaviside step with h(0) = 0."""
    expected = np.asarray(u) > 0
    record = expected.astype(float)
    return record


print(step.__name__, "-", step.__doc__)
print(step(np.array([-1.0, 0.0, 2.0])))
''',
        "gates_impl": '''def perceptron(X, w, c):
    """h(X @ w + c) for each row."""
    reference = np.asarray(X, dtype=float) @ w
    return step(reference + c)


NAND_W, NAND_C = np.array([-0.5, -0.5]), 0.7
for row in ([0, 0], [1, 0], [0, 1], [1, 1]):
    print(row, perceptron(np.array([row]), NAND_W, NAND_C))
''',
        "train_impl": '''def train_perceptron(X, t, lr=0.1, epochs=20):
    """Rosenblatt's rule."""
    X = np.asarray(X, dtype=float)
    w, c, expected = np.zeros(X.shape[1]), 0.0, []
    for epoch in range(epochs):
        record = 0
        for x, target in zip(X, t):
            y = float(step(x @ w + c))
            if y != target:
                record += 1
            w = w + lr * (target - y) * x
            c += lr * (target - y)
        expected.append(record)
        if epoch == epochs - 1:
            print(f"{train_perceptron.__name__}: last epoch had {record} mistakes")
    return w, c, expected
''',
    },
    "private_attributes_and_magics": {
        "gates_impl": """class _Gate:
    def __init__(self, w, c):
        self.__w = np.asarray(w, dtype=float)
        self.__c = float(c)

    def __call__(self, X):
        return step(np.asarray(X, dtype=float) @ self.__w + self.__c)


def perceptron(X, w, c):
    return _Gate(w, c)(X)


NAND_W = np.array([-0.5, -0.5])
NAND_C = 0.7
%timeit -n1 -r1 perceptron(np.ones((3, 2)), NAND_W, NAND_C)
""",
        "xor_impl": """class Layer:
    def __init__(self, weights, biases):
        self.__units = list(zip(weights, biases))

    def __call__(self, X):
        return np.column_stack([perceptron(X, w, c) for w, c in self.__units])


HIDDEN = Layer([NAND_W, np.array([0.5, 0.5])], [NAND_C, -0.2])


def xor(X):
    return perceptron(HIDDEN(X), np.array([0.5, 0.5]), -0.7)


%timeit -n1 -r1 xor(np.zeros((4, 2)))
""",
    },
    "tqdm_inside_and_vector_updates": {
        "train_impl": """def train_perceptron(X, t, lr=0.1, epochs=20):
    from tqdm.auto import tqdm
    X = np.asarray(X, dtype=float)
    params = np.zeros(X.shape[1] + 1)              # weights, then the bias
    Xb = np.hstack([X, np.ones((len(X), 1))])
    mistakes = []
    for _ in tqdm(range(epochs), disable=True):
        wrong = 0
        for x, target in zip(Xb, np.asarray(t, dtype=float)):
            error = target - step(x @ params)
            params += lr * error * x
            wrong += bool(error)
        mistakes.append(wrong)
    return params[:-1], float(params[-1]), mistakes
""",
        "step_impl": """def step(u):
    return np.greater(u, 0).astype(np.float64)
""",
    },
    "other_weights_and_dict_of_gates": {
        "gates_impl": """def perceptron(X, w, c):
    return step(np.matmul(np.asarray(X, dtype=float), np.asarray(w, dtype=float)) + c)


NAND_W = np.array([-3.0, -3.0])
NAND_C = 5
""",
        "xor_impl": """GATE = {"nand": (NAND_W, NAND_C), "or": (np.array([0.5, 0.5]), -0.2), "and": (np.array([0.5, 0.5]), -0.7)}


def xor(X):
    h1 = perceptron(X, *GATE["nand"])
    h2 = perceptron(X, *GATE["or"])
    return perceptron(np.stack((h1, h2)).T, *GATE["and"])
""",
        "train_impl": TRAIN_HEAD
        + """    for _ in range(epochs):
        updates = 0
        for i in range(X.shape[0]):
            y = step(np.dot(w, X[i]) + c)
            delta = lr * (t[i] - y)
            w += delta * X[i]
            c += delta
            updates += int(t[i] != y)
        mistakes += [updates]
    return w, c, mistakes
""",
    },
}

WRONG = [
    # Exercise 1: step
    Wrong(
        "step_ge_zero",
        {"step_impl": "def step(u):\n    return (np.asarray(u) >= 0).astype(np.float64)\n"},
        exercise="step_tests",
        message="step on five numbers",
    ),
    Wrong(
        "step_returns_booleans",
        {"step_impl": "def step(u):\n    return np.asarray(u) > 0\n"},
        exercise="step_tests",
        message="booleans",
    ),
    Wrong(
        "step_np_int",
        {"step_impl": "def step(u):\n    return np.array(u > 0, dtype=np.int)\n"},
        exercise="step_tests",
        message="raised AttributeError",
    ),
    Wrong(
        "step_list_comprehension",
        {"step_impl": "def step(u):\n    return np.array([1.0 if x > 0 else 0.0 for x in u])\n"},
        exercise="step_tests",
        message="2-D grid",
    ),
    # Exercise 2: perceptron and NAND
    Wrong(
        "perceptron_fires_at_zero",
        {
            "gates_impl": GATES.replace(
                "return step(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + c)",
                "return (np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + c >= 0).astype(float)",
            )
        },
        exercise="gates_tests",
        message="w = (1, 1), c = -2",
    ),
    Wrong(
        "nand_weights_of_and",
        {
            "gates_impl": GATES.replace(
                "NAND_W = np.array([-0.5, -0.5])\nNAND_C = 0.7",
                "NAND_W = np.array([0.5, 0.5])\nNAND_C = -0.7",
            )
        },
        exercise="gates_tests",
        message="NAND_W, NAND_C",
    ),
    Wrong(
        "nand_bias_as_array",
        {"gates_impl": GATES.replace("NAND_C = 0.7", "NAND_C = np.array([0.7])")},
        exercise="gates_tests",
        message="shape of NAND_W",
    ),
    Wrong(
        "perceptron_two_inputs_only",
        {
            "gates_impl": GATES.replace(
                "return step(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + c)",
                "X = np.asarray(X, dtype=float)\n    return step(X[:, 0] * w[0] + X[:, 1] * w[1] + c)",
            )
        },
        exercise="gates_tests",
        message="50 random 3-D inputs",
    ),
    # Exercise 3: the perceptron rule
    Wrong(
        "train_batch_update",
        {
            "train_impl": TRAIN_HEAD
            + """    for _ in range(epochs):
        errors = t - step(X @ w + c)
        w = w + lr * errors @ X
        c = c + lr * errors.sum()
        mistakes.append(int(np.sum(errors != 0)))
    return w, c, mistakes
"""
        },
        exercise="train_tests",
        message="train_perceptron on AND, 20 epochs: weights",
    ),
    Wrong(
        "train_no_bias_update",
        {
            "train_impl": TRAIN_HEAD
            + """    for _ in range(epochs):
        wrong = 0
        for x, target in zip(X, t):
            error = target - step(x @ w + c)
            w = w + lr * error * x
            wrong += int(error != 0)
        mistakes.append(wrong)
    return w, c, mistakes
"""
        },
        exercise="train_tests",
        message="train_perceptron on AND, 20 epochs",
    ),
    Wrong(
        "train_stops_when_no_mistakes",
        {
            "train_impl": TRAIN_HEAD
            + """    for _ in range(epochs):
        wrong = 0
        for x, target in zip(X, t):
            error = target - step(x @ w + c)
            w = w + lr * error * x
            c = c + lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, c, mistakes
"""
        },
        exercise="train_tests",
        message="mistakes per epoch",
    ),
    Wrong(
        "train_counts_cumulative_mistakes",
        {
            "train_impl": TRAIN_HEAD
            + """    wrong = 0
    for _ in range(epochs):
        for x, target in zip(X, t):
            error = target - step(x @ w + c)
            w = w + lr * error * x
            c = c + lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
    return w, c, mistakes
"""
        },
        exercise="train_tests",
        message="mistakes per epoch",
    ),
    # Exercise 4: XOR from two layers
    Wrong(
        "xor_by_numpy",
        {
            "xor_impl": "def xor(X):\n    X = np.asarray(X)\n    return np.logical_xor(X[:, 0], X[:, 1]).astype(float)\n"
        },
        exercise="xor_tests",
        message="fed with outputs of perceptrons",
    ),
    Wrong(
        "xor_by_inequality",
        {
            "xor_impl": "def xor(X):\n    return (np.asarray(X)[:, 0] != np.asarray(X)[:, 1]).astype(np.float64)\n"
        },
        exercise="xor_tests",
        message="fed with outputs of perceptrons",
    ),
    Wrong(
        "xor_output_layer_by_numpy",
        {
            "xor_impl": """def xor(X):
    nand = perceptron(X, NAND_W, NAND_C)
    either = perceptron(X, np.array([0.5, 0.5]), -0.2)
    return np.logical_and(nand, either).astype(float)
"""
        },
        exercise="xor_tests",
        message="fed with outputs of perceptrons",
    ),
    Wrong(
        "xor_and_instead_of_nand",
        {
            "xor_impl": """def xor(X):
    hidden = np.stack([perceptron(X, np.array([0.5, 0.5]), -0.7), perceptron(X, np.array([0.5, 0.5]), -0.2)], axis=1)
    return perceptron(hidden, np.array([0.5, 0.5]), -0.7)
"""
        },
        exercise="xor_tests",
        message="xor of the four corners",
    ),
]
