"""Chapter 9 (MNIST reproduction): a parametric sigmoid layer, one epoch of SGD, a paired interval."""

from catalogues import Wrong

CHAPTER = "09_mnist"

LAYER = '''class ParamSigmoid(nn.Module):
    """Parametric sigmoid a * sigmoid(x - b), eq. (10), with one scale and one location per feature."""

    def __init__(self, num_features, a_init=1.0, b_init=0.0):
        super().__init__()
        self.a = nn.Parameter(torch.full((num_features,), float(a_init)))
        self.b = nn.Parameter(torch.full((num_features,), float(b_init)))

    def forward(self, x):
        return self.a * torch.sigmoid(x - self.b)
'''

EPOCH = '''def train_one_epoch(model, x, y, lr, batch_size, generator):
    """One epoch of plain mini-batch SGD on the cross-entropy; returns the loss of every step."""
    order = torch.randperm(len(x), generator=generator)
    losses = []
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        loss = F.cross_entropy(model(x[batch]), y[batch])
        for parameter in model.parameters():
            parameter.grad = None
        loss.backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= lr * parameter.grad
        losses.append(loss.item())
    return losses
'''

PAIRED = '''def paired_difference_ci(plain, parametric, confidence=0.95):
    """Mean paired difference parametric - plain and its Student-t interval: (mean, low, high)."""
    from scipy.stats import t

    plain = np.asarray(plain, dtype=float)
    parametric = np.asarray(parametric, dtype=float)
    if plain.shape != parametric.shape or plain.ndim != 1 or plain.size == 0:
        raise ValueError("need two non-empty lists of the same length, one value per seed")
    differences = parametric - plain
    mean = float(differences.mean())
    n = differences.size
    if n < 2:
        return mean, float("nan"), float("nan")
    half = t.ppf(0.5 + confidence / 2, n - 1) * differences.std(ddof=1) / math.sqrt(n)
    return mean, float(mean - half), float(mean + half)
'''

SGD_EPOCH = '''def train_one_epoch(model, x, y, lr, batch_size, generator):
    """One epoch of plain mini-batch SGD on the cross-entropy; returns the loss of every step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.randperm(len(x), generator=generator)
    losses = []
    for batch in torch.split(order, batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    return losses
'''

HONEST = {
    "optim_sgd_and_exp": {
        "layer_impl": '''class ParamSigmoid(nn.Module):
    """Parametric sigmoid a * sigmoid(x - b), eq. (10), with one scale and one location per feature."""

    def __init__(self, num_features, a_init=1.0, b_init=0.0):
        super().__init__()
        self.a = nn.Parameter(a_init * torch.ones(num_features))
        self.b = nn.Parameter(b_init * torch.ones(num_features))

    def forward(self, x):
        return self.a / (1 + torch.exp(self.b - x))
''',
        "epoch_impl": SGD_EPOCH,
        "paired_impl": '''from scipy import stats


def paired_difference_ci(plain, parametric, confidence=0.95):
    """Mean paired difference parametric - plain and its Student-t interval: (mean, low, high)."""
    if len(plain) != len(parametric) or len(plain) == 0:
        raise ValueError("one value per seed in each")
    d = [float(q) - float(p) for p, q in zip(plain, parametric)]
    n = len(d)
    mean = sum(d) / n
    if n == 1:
        return mean, math.nan, math.nan
    s = math.sqrt(sum((v - mean) ** 2 for v in d) / (n - 1))
    q = stats.t.ppf((1 + confidence) / 2, df=n - 1)
    return mean, float(mean - q * s / n**0.5), float(mean + q * s / n**0.5)
''',
    },
    "manual_grad_zero_and_register": {
        "layer_impl": '''class ParamSigmoid(nn.Module):
    """Parametric sigmoid a * sigmoid(x - b), eq. (10), with one scale and one location per feature."""

    def __init__(self, num_features, a_init=1.0, b_init=0.0):
        super().__init__()
        self.register_parameter("a", nn.Parameter(torch.empty(num_features)))
        self.register_parameter("b", nn.Parameter(torch.empty(num_features)))
        nn.init.constant_(self.a, a_init)
        nn.init.constant_(self.b, b_init)

    def forward(self, x):
        return torch.mul(self.a, torch.special.expit(torch.sub(x, self.b)))
''',
        "epoch_impl": '''def train_one_epoch(model, x, y, lr, batch_size, generator):
    """One epoch of plain mini-batch SGD on the cross-entropy; returns the loss of every step."""
    order = torch.randperm(len(x), generator=generator)
    parameters = list(model.parameters())
    losses = []
    start = 0
    while start < len(x):
        idx = order[start:start + batch_size]
        for p in parameters:
            if p.grad is not None:
                p.grad.zero_()
        loss = F.cross_entropy(model(x[idx]), y[idx], reduction="mean")
        loss.backward()
        for p in parameters:
            p.data.sub_(lr * p.grad)
        losses.append(loss.item())
        start += batch_size
    return losses
''',
    },
    "autograd_grad": {
        "epoch_impl": '''def train_one_epoch(model, x, y, lr, batch_size, generator):
    """One epoch of plain mini-batch SGD on the cross-entropy; returns the loss of every step."""
    order = torch.randperm(len(x), generator=generator)
    params = [p for p in model.parameters()]
    losses = []
    for chunk in order.split(batch_size):
        logits = model(x.index_select(0, chunk))
        loss = -torch.log_softmax(logits, dim=1).gather(1, y[chunk][:, None]).mean()
        grads = torch.autograd.grad(loss, params)  # gradients of this batch only: nothing accumulates
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(g, alpha=lr)
        losses.append(loss.item())
    return losses
''',
        "paired_impl": PAIRED.replace(
            "    from scipy.stats import t\n\n",
            "    import scipy.stats\n\n    t = scipy.stats.t\n\n",
        ),
    },
    "docstrings_prints_magics": {
        "layer_impl": LAYER.replace(
            """    def forward(self, x):
""",
            '''    def extra_repr(self):
        return f"num_features={self.a.numel()}"

    def forward(self, x):
        """The layer applied column by column."""
''',
        )
        + "\n\nprint(ParamSigmoid(3), ParamSigmoid.__doc__, ParamSigmoid.forward.__doc__)\n",
        "epoch_impl": EPOCH.replace(
            "        losses.append(loss.item())\n",
            "        losses.append(loss.item())\n"
            "        if len(losses) % 100 == 0:\n"
            '            print(f"step {len(losses)}: loss {losses[-1]:.4f}")\n',
        )
        + "\n\nprint(train_one_epoch.__name__, train_one_epoch.__doc__)\n",
        "paired_impl": PAIRED
        + "\n\nprint(paired_difference_ci.__doc__)\n%timeit -n1 -r1 paired_difference_ci([0.9, 0.8, 0.85], [0.95, 0.85, 0.86])\n",
    },
    "private_attributes": {
        "layer_impl": '''class ParamSigmoid(nn.Module):
    """Parametric sigmoid a * sigmoid(x - b), eq. (10), with one scale and one location per feature."""

    def __init__(self, num_features, a_init=1.0, b_init=0.0):
        super().__init__()
        self.__features = num_features
        self.__squash = nn.Sigmoid()
        self.a = nn.Parameter(torch.tensor([float(a_init)] * num_features))
        self.b = nn.Parameter(torch.tensor([float(b_init)] * num_features))

    def forward(self, x):
        assert x.shape[-1] == self.__features
        return self.a * self.__squash(x - self.b)
''',
        "paired_impl": '''class _Paired:
    def __init__(self, plain, parametric):
        self.__d = np.asarray(parametric, dtype=float) - np.asarray(plain, dtype=float)

    def interval(self, confidence):
        from scipy.stats import t
        d = self.__d
        n = len(d)
        if n == 1:
            return float(d[0]), float("nan"), float("nan")
        half = t.ppf(1 - (1 - confidence) / 2, n - 1) * np.std(d, ddof=1) / np.sqrt(n)
        return float(np.mean(d)), float(np.mean(d) - half), float(np.mean(d) + half)


def paired_difference_ci(plain, parametric, confidence=0.95):
    """Mean paired difference parametric - plain and its Student-t interval: (mean, low, high)."""
    if np.ndim(plain) != 1 or np.shape(plain) != np.shape(parametric) or np.size(plain) == 0:
        raise ValueError("need two non-empty lists of the same length")
    return _Paired(plain, parametric).interval(confidence)
''',
    },
    "hidden_test_names": {
        "layer_impl": '''def expit(v):
    return 1.0 / (1.0 + torch.exp(-v))


class ParamSigmoid(nn.Module):
    """Parametric sigmoid a * sigmoid(x - b), eq. (10), with one scale and one location per feature."""

    def __init__(self, num_features, a_init=1.0, b_init=0.0):
        super().__init__()
        reference = torch.zeros(num_features)
        self.a = nn.Parameter(reference + a_init)
        self.b = nn.Parameter(reference + b_init)

    def forward(self, x):
        record = x - self.b
        return self.a * expit(record)
''',
        "epoch_impl": '''def train_one_epoch(model, x, y, lr, batch_size, generator):
    """One epoch of plain mini-batch SGD on the cross-entropy; returns the loss of every step."""
    import tqdm

    record = []
    expected = torch.randperm(len(x), generator=generator)
    starts = range(0, len(x), batch_size)
    for reference in tqdm.tqdm(starts, disable=True):
        batch = expected[reference:reference + batch_size]
        model.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x[batch]), y[batch])
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-lr)
        record.append(loss.detach().item())
    return record
''',
        "paired_impl": '''def paired_difference_ci(plain, parametric, confidence=0.95):
    """Mean paired difference parametric - plain and its Student-t interval: (mean, low, high)."""
    from scipy.stats import t as student

    reference, record = np.array(plain, dtype=float), np.array(parametric, dtype=float)
    if reference.size == 0 or reference.shape != record.shape:
        raise ValueError("lengths differ or nothing given")
    expected = record - reference
    mean = expected.sum() / expected.size
    if expected.size == 1:
        return float(mean), float("nan"), float("nan")
    jacobian = student.isf((1 - confidence) / 2, expected.size - 1)  # the upper quantile, as t.ppf((1 + c) / 2)
    half = jacobian * expected.std(ddof=1) / np.sqrt(expected.size)
    return float(mean), float(mean - half), float(mean + half)
''',
    },
}

WRONG = [
    Wrong(
        "plain_tensors_not_parameters",
        {
            "layer_impl": LAYER.replace(
                "nn.Parameter(torch.full((num_features,), float(a_init)))",
                "torch.full((num_features,), float(a_init), requires_grad=True)",
            ).replace(
                "nn.Parameter(torch.full((num_features,), float(b_init)))",
                "torch.full((num_features,), float(b_init), requires_grad=True)",
            )
        },
        exercise="layer_tests",
        message="parameter names",
    ),
    Wrong(
        "init_values_ignored",
        {"layer_impl": LAYER.replace("float(a_init)", "1.0").replace("float(b_init)", "0.0")},
        exercise="layer_tests",
        message="a of ParamSigmoid(3, a_init=0.25",
    ),
    Wrong(
        "location_added",
        {"layer_impl": LAYER.replace("torch.sigmoid(x - self.b)", "torch.sigmoid(x + self.b)")},
        exercise="layer_tests",
        message="output of",
    ),
    Wrong(
        "location_outside",
        {
            "layer_impl": LAYER.replace(
                "self.a * torch.sigmoid(x - self.b)", "self.a * torch.sigmoid(x) - self.b"
            )
        },
        exercise="layer_tests",
        message="output of",
    ),
    Wrong(
        "one_shared_scale",
        {
            "layer_impl": LAYER.replace(
                "torch.full((num_features,), float(a_init))", "torch.tensor(float(a_init))"
            ).replace("torch.full((num_features,), float(b_init))", "torch.tensor(float(b_init))")
        },
        exercise="layer_tests",
        message="a of ParamSigmoid(3",
    ),
    Wrong(
        "float64_parameters",
        {
            "layer_impl": LAYER.replace(
                "float(a_init)))", "float(a_init), dtype=torch.float64))"
            ).replace("float(b_init)))", "float(b_init), dtype=torch.float64))")
        },
        exercise="layer_tests",
        message="a of ParamSigmoid(3|dtype",
    ),
    Wrong(
        "no_zero_grad",
        {"epoch_impl": SGD_EPOCH.replace("        optimizer.zero_grad()\n", "")},
        exercise="epoch_tests",
        message="copies of one example",
    ),
    Wrong(
        "zero_grad_after_backward",
        {
            "epoch_impl": SGD_EPOCH.replace("        optimizer.zero_grad()\n", "").replace(
                "        loss.backward()\n",
                "        loss.backward()\n        optimizer.zero_grad()\n",
            )
        },
        exercise="epoch_tests",
        message="copies of one example",
    ),
    Wrong(
        "global_randperm",
        {
            "epoch_impl": EPOCH.replace(
                "torch.randperm(len(x), generator=generator)", "torch.randperm(len(x))"
            )
        },
        exercise="epoch_tests",
        message="103 examples in batches of 20: losses",
    ),
    Wrong(
        "sum_of_losses",
        {
            "epoch_impl": EPOCH.replace(
                "F.cross_entropy(model(x[batch]), y[batch])",
                'F.cross_entropy(model(x[batch]), y[batch], reduction="sum")',
            )
        },
        exercise="epoch_tests",
        message="losses",
    ),
    Wrong(
        "momentum",
        {"epoch_impl": SGD_EPOCH.replace("lr=lr)", "lr=lr, momentum=0.9)")},
        exercise="epoch_tests",
        message="losses",
    ),
    Wrong(
        "last_batch_dropped",
        {
            "epoch_impl": EPOCH.replace(
                "range(0, len(x), batch_size)", "range(0, len(x) - batch_size + 1, batch_size)"
            )
        },
        exercise="epoch_tests",
        message="losses",
    ),
    Wrong(
        "only_linear_layers_updated",
        {
            "epoch_impl": EPOCH.replace(
                """            for parameter in model.parameters():
                parameter -= lr * parameter.grad""",
                """            for layer in model.modules():
                if isinstance(layer, nn.Linear):
                    for parameter in layer.parameters():
                        parameter -= lr * parameter.grad""",
            )
        },
        exercise="epoch_tests",
        message="parameters after one epoch",
    ),
    Wrong(
        "tensor_losses",
        {"epoch_impl": EPOCH.replace("losses.append(loss.item())", "losses.append(loss.detach())")},
        exercise="epoch_tests",
        message="type of the result",
    ),
    Wrong(
        "normal_quantile",
        {
            "paired_impl": PAIRED.replace(
                "t.ppf(0.5 + confidence / 2, n - 1)", "norm.ppf(0.5 + confidence / 2)"
            ).replace("from scipy.stats import t", "from scipy.stats import norm")
        },
        exercise="paired_tests",
        message="random pairs",
    ),
    Wrong(
        "population_sd",
        {"paired_impl": PAIRED.replace("std(ddof=1)", "std()")},
        exercise="paired_tests",
        message="random pairs",
    ),
    Wrong(
        "one_sided_t",
        {
            "paired_impl": PAIRED.replace(
                "t.ppf(0.5 + confidence / 2, n - 1)", "t.ppf(confidence, n - 1)"
            )
        },
        exercise="paired_tests",
        message="random pairs",
    ),
    Wrong(
        "n_degrees_of_freedom",
        {
            "paired_impl": PAIRED.replace(
                "t.ppf(0.5 + confidence / 2, n - 1)", "t.ppf(0.5 + confidence / 2, n)"
            )
        },
        exercise="paired_tests",
        message="random pairs",
    ),
    Wrong(
        "plain_minus_parametric",
        {
            "paired_impl": PAIRED.replace(
                "differences = parametric - plain", "differences = plain - parametric"
            )
        },
        exercise="paired_tests",
        message="random pairs",
    ),
    Wrong(
        "no_length_check",
        {
            "paired_impl": PAIRED.replace(
                """    if plain.shape != parametric.shape or plain.ndim != 1 or plain.size == 0:
        raise ValueError("need two non-empty lists of the same length, one value per seed")
""",
                "",
            )
        },
        exercise="paired_tests",
        message="raises ValueError",
    ),
    Wrong(
        "one_seed_zero_width",
        {
            "paired_impl": PAIRED.replace(
                'return mean, float("nan"), float("nan")', "return mean, mean, mean"
            )
        },
        exercise="paired_tests",
        message="one seed",
    ),
]
