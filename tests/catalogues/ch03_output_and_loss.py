"""Chapter 3 (output layer and loss): honest answers in other styles, and realistic mistakes."""

from catalogues import Wrong

CHAPTER = "03_output_and_loss"

SOFTMAX = """def softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    exps = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return exps / np.sum(exps, axis=axis, keepdims=True)
"""
BUGS = """overflow_case = np.array([1000.0, 0.0])
batch_case = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
BUGS = {"A", "C"}
"""
CE = """def log_sum_exp(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    top = np.max(z, axis=axis, keepdims=True)
    total = np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True)) + top
    return np.squeeze(total, axis=axis)


def cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    rows = np.arange(logits.shape[0])
    return float(np.mean(log_sum_exp(logits, axis=1) - logits[rows, labels]))
"""
GRAD = """def cross_entropy_grad(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    num_examples = logits.shape[0]
    shifted = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    grad = shifted / np.sum(shifted, axis=1, keepdims=True)
    rows = np.arange(num_examples)
    grad[rows, labels] -= 1.0
    return grad / num_examples
"""

HONEST = {
    "scipy_logsumexp": {
        "softmax_impl": '''from scipy.special import logsumexp


def softmax(z, axis=-1):
    """exp(z - LSE(z)): the normaliser in the log domain."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - logsumexp(z, axis=axis, keepdims=True))
''',
        "cross_entropy_grad_impl": """import scipy.special


def cross_entropy_grad(logits, labels):
    logits = np.asarray(logits, dtype=float)
    N, C = logits.shape
    probabilities = np.exp(logits - scipy.special.logsumexp(logits, axis=1, keepdims=True))
    return (probabilities - np.eye(C)[labels]) / N
""",
    },
    "loops": {
        "softmax_impl": """import math


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty(moved.shape)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index]
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        total = sum(exps)
        out[index] = [e / total for e in exps]
    return np.moveaxis(out, -1, axis)
""",
        "cross_entropy_impl": """import math


def log_sum_exp(z, axis=-1):
    z = np.asarray(z, dtype=float)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty(moved.shape[:-1])
    for index in np.ndindex(out.shape):
        row = moved[index]
        top = max(row)
        out[index] = top + math.log(sum(math.exp(v - top) for v in row))
    return out


def cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=float)
    total = 0.0
    for n in range(len(logits)):
        total += log_sum_exp(logits[n]) - logits[n, labels[n]]
    return float(total / len(logits))
""",
        "cross_entropy_grad_impl": """def cross_entropy_grad(logits, labels):
    logits = np.asarray(logits, dtype=float)
    N = len(logits)
    grad = np.zeros(logits.shape)
    for n in range(N):
        grad[n] = softmax(logits[n])
        grad[n, labels[n]] -= 1
    return grad / N
""",
    },
    "helpers_prints_and_test_names": {
        "softmax_impl": '''def _shifted_exp(z, axis):
    """exp(z - max z) along axis: every entry in (0, 1]."""
    return np.exp(z - z.max(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    """Stable softmax."""
    expected = _shifted_exp(np.array(z, dtype=float), axis)
    record = expected / expected.sum(axis=axis, keepdims=True)
    return record


print(softmax.__name__, softmax.__doc__, softmax(np.array([1000.0, 0.0])))
''',
        "cross_entropy_impl": '''def log_sum_exp(z, axis=-1):
    """Stable log-sum-exp along axis."""
    reference = np.asarray(z, dtype=float)
    m = np.max(reference, axis=axis)
    return m + np.log(np.sum(np.exp(reference - np.expand_dims(m, axis)), axis=axis))


def cross_entropy(logits, labels):
    jacobian = np.asarray(logits, dtype=float)   # just a name
    picked = np.take_along_axis(jacobian, np.asarray(labels)[:, None], axis=1)[:, 0]
    losses = log_sum_exp(jacobian) - picked
    print(f"{cross_entropy.__name__}: {len(losses)} examples")
    return float(losses.sum() / len(losses))
''',
    },
    "private_attributes_and_magics": {
        "softmax_impl": """class _Softmax:
    def __init__(self):
        self.__calls = 0

    def __call__(self, z, axis=-1):
        self.__calls += 1
        z = np.asarray(z, dtype=np.float64)
        shifted = z - np.amax(z, axis=axis, keepdims=True)
        return np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)


softmax = _Softmax()
%timeit -n1 -r1 softmax(np.zeros((3, 4)))
""",
        "cross_entropy_grad_impl": """def cross_entropy_grad(logits, labels):
    import tqdm
    logits = np.asarray(logits, dtype=float)
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(logits)), labels] = 1.0
    return (softmax(logits, axis=1) - onehot) / len(logits)


%timeit -n1 -r1 cross_entropy_grad(np.zeros((2, 3)), np.array([0, 1]))
""",
    },
    "logaddexp_and_log_softmax": {
        "cross_entropy_impl": """def log_sum_exp(z, axis=-1):
    return np.logaddexp.reduce(np.asarray(z, dtype=np.float64), axis=axis)


def cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    log_probabilities = logits - log_sum_exp(logits, axis=1)[:, None]
    return -float(np.mean(log_probabilities[np.arange(len(labels)), labels]))
""",
        "cross_entropy_grad_impl": """def cross_entropy_grad(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    log_p = logits - log_sum_exp(logits, axis=1)[:, None]
    grad = np.exp(log_p)
    np.subtract.at(grad, (np.arange(len(labels)), labels), 1.0)
    return grad / len(labels)
""",
    },
    "other_cases_for_the_draft": {
        "bug_hunt": """# Define three names:
overflow_case = np.array([-1000.0, -1000.0])   # both exponentials underflow: 0 / 0
batch_case = np.array([[1.0, 2.0], [3.0, 4.0], [0.5, 0.5]])
BUGS = set("CA")
print(sorted(BUGS))
""",
    },
    "frozenset_and_other_batch": {
        "bug_hunt": """overflow_case = np.array([800.0, 1.0, 2.0])
batch_case = [[0.0, 1.0], [1.0, 0.0]]
BUGS = frozenset({"C", "A"})
""",
        "softmax_impl": """def softmax(z, axis=-1):
    z = np.array(z, dtype=np.float64)    # a copy: z itself is never touched
    z -= z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z
""",
    },
}

WRONG = [
    # Exercise 1: softmax
    Wrong(
        "softmax_without_max_trick",
        {
            "softmax_impl": """def softmax(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / np.sum(e, axis=axis, keepdims=True)
"""
        },
        exercise="softmax_tests",
        message="extreme logits",
    ),
    Wrong(
        "softmax_global_max",
        {"softmax_impl": SOFTMAX.replace("np.max(z, axis=axis, keepdims=True)", "np.max(z)")},
        exercise="softmax_tests",
        message="extreme logits",
    ),
    Wrong(
        "softmax_ignores_axis",
        {"softmax_impl": SOFTMAX.replace("axis=axis", "axis=-1")},
        exercise="softmax_tests",
        message="along axis 0",
    ),
    Wrong(
        "softmax_modifies_its_input",
        {
            "softmax_impl": """def softmax(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)
    exps = np.exp(z)
    return exps / np.sum(exps, axis=axis, keepdims=True)
"""
        },
        exercise="softmax_tests",
        message="after that call|along axis 1",
    ),
    # Exercise 2: the bug hunt
    Wrong(
        "bugs_include_b",
        {"bug_hunt": BUGS.replace('{"A", "C"}', '{"A", "B", "C"}')},
        exercise="bug_hunt_tests",
        message="letters in BUGS",
    ),
    Wrong(
        "bugs_only_a",
        {"bug_hunt": BUGS.replace('{"A", "C"}', '{"A"}')},
        exercise="bug_hunt_tests",
        message="letters in BUGS",
    ),
    Wrong(
        "overflow_case_does_not_overflow",
        {"bug_hunt": BUGS.replace("[1000.0, 0.0]", "[700.0, 0.0]")},
        exercise="bug_hunt_tests",
        message="some output is nan or inf",
    ),
    Wrong(
        "batch_case_overflows",
        {
            "bug_hunt": BUGS.replace(
                "[[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]", "[[1000.0, 0.0], [0.0, 1000.0]]"
            )
        },
        exercise="bug_hunt_tests",
        message="every output is finite",
    ),
    Wrong(
        "bugs_as_a_list",
        {"bug_hunt": BUGS.replace('{"A", "C"}', '["A", "C"]')},
        exercise="bug_hunt_tests",
        message="BUGS is a set",
    ),
    # Exercise 3: log-sum-exp and the cross-entropy
    Wrong(
        "log_sum_exp_without_max_trick",
        {
            "cross_entropy_impl": CE.replace(
                "top = np.max(z, axis=axis, keepdims=True)",
                "top = np.zeros_like(np.max(z, axis=axis, keepdims=True))",
            )
        },
        exercise="cross_entropy_tests",
        message="extreme logits",
    ),
    Wrong(
        "log_sum_exp_keeps_the_axis",
        {
            "cross_entropy_impl": CE.replace(
                "return np.squeeze(total, axis=axis)", "return total"
            ).replace(
                "float(np.mean(log_sum_exp(logits, axis=1) - logits[rows, labels]))",
                "float(np.mean(log_sum_exp(logits, axis=1)[:, 0] - logits[rows, labels]))",
            )
        },
        exercise="cross_entropy_tests",
        message="shape",
    ),
    Wrong(
        "cross_entropy_sum_not_mean",
        {"cross_entropy_impl": CE.replace("float(np.mean(", "float(np.sum(")},
        exercise="cross_entropy_tests",
        message="random (7, 4) batch",
    ),
    Wrong(
        "cross_entropy_wrong_indexing",
        {"cross_entropy_impl": CE.replace("logits[rows, labels]", "logits[:, labels]")},
        exercise="cross_entropy_tests",
        message="random (7, 4) batch",
    ),
    Wrong(
        "cross_entropy_log_of_softmax",
        {
            "cross_entropy_impl": CE.replace(
                "return float(np.mean(log_sum_exp(logits, axis=1) - logits[rows, labels]))",
                "return float(np.mean(-np.log(softmax(logits)[rows, labels])))",
            )
        },
        exercise="cross_entropy_tests",
        message="extreme logits",
    ),
    # Exercise 4: the gradient
    Wrong(
        "grad_not_divided_by_n",
        {"cross_entropy_grad_impl": GRAD.replace("return grad / num_examples", "return grad")},
        exercise="cross_entropy_grad_tests",
        message="random (5, 4) batch",
    ),
    Wrong(
        "grad_onehot_by_column",
        {
            "cross_entropy_grad_impl": GRAD.replace(
                "grad[rows, labels] -= 1.0", "grad[:, labels] -= 1.0"
            )
        },
        exercise="cross_entropy_grad_tests",
        message="random (5, 4) batch",
    ),
    Wrong(
        "grad_naive_softmax",
        {
            "cross_entropy_grad_impl": GRAD.replace(
                "logits - np.max(logits, axis=1, keepdims=True)", "logits"
            )
        },
        exercise="cross_entropy_grad_tests",
        message="extreme logits",
    ),
]
