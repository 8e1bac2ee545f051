"""Chapter 7: backward formulas in torch, an autograd Function, a module with per-neuron parameters, SGD groups."""

from catalogues import Wrong

CHAPTER = "07_pytorch_reference"

GRADS = """def parametric_sigmoid_grads(grad_z, y, a, b):
    u = y - b
    s = torch.sigmoid(u)
    slope = SLOPE
    grad_y = grad_z * a * slope
    grad_a = GRAD_A
    grad_b = GRAD_B
    return grad_y, grad_a, grad_b
"""


def grads(
    slope="s * torch.sigmoid(-u)", grad_a="(grad_z * s).sum(dim=0)", grad_b="-grad_y.sum(dim=0)"
):
    return GRADS.replace("SLOPE", slope).replace("GRAD_A", grad_a).replace("GRAD_B", grad_b)


FUNCTION = """class ParametricSigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, a, b):
        ctx.save_for_backward(y, a, b)
        return FORWARD

    @staticmethod
    def backward(ctx, grad_z):
        y, a, b = ctx.saved_tensors
BACKWARD
"""


def function(
    forward="a * torch.sigmoid(y - b)",
    backward="        return parametric_sigmoid_grads(grad_z, y, a, b)",
):
    return FUNCTION.replace("FORWARD", forward).replace("BACKWARD", backward)


MODULE = """class ParametricSigmoidLayer(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.a = A
        self.b = nn.Parameter(torch.zeros(num_features))

    def forward(self, y):
        return FORWARD
"""


def module(
    a="nn.Parameter(torch.ones(num_features))",
    forward="ParametricSigmoidFunction.apply(y, self.a, self.b)",
):
    return MODULE.replace("A", a, 1).replace("FORWARD", forward)


OPTIMIZER = """def make_optimizer(model, lr, lr_scale, lr_location):
    scales, locations = [], []
    for _, module in model.named_modules():
        if isinstance(module, ParametricSigmoidLayer):
            scales.append(module.a)
            locations.append(module.b)
    special = {id(p) for p in scales + locations}
    weights = [p for p in model.parameters() if id(p) not in special]
    return torch.optim.SGD([
        {"params": weights, "lr": lr},
        {"params": scales, "lr": LR_SCALE},
        {"params": locations, "lr": LR_LOCATION},
    ]EXTRA)
"""


def optimizer(lr_scale="lr_scale", lr_location="lr_location", extra=""):
    return (
        OPTIMIZER.replace("LR_SCALE", lr_scale)
        .replace("LR_LOCATION", lr_location)
        .replace("EXTRA", extra)
    )


HONEST = {
    "nn_functional_logsigmoid": {
        "grads_impl": '''def parametric_sigmoid_grads(grad_z, y, a, b):
    """dL/dy, dL/da, dL/db from log-sigmoids: s = exp(log s), s (1 - s) = exp(log s + log(1 - s))."""
    u = y - b
    log_s = nn.functional.logsigmoid(u)
    s = torch.exp(log_s)
    jacobian = torch.exp(log_s + nn.functional.logsigmoid(-u))  # the diagonal of dz/dy, over a
    grad_y = grad_z * a * jacobian
    return grad_y, (grad_z * s).sum(dim=0), -grad_y.sum(dim=0)
''',
    },
    "F_logsigmoid_saved_s_colliding_names": {
        "grads_impl": """import torch.nn.functional as F


def parametric_sigmoid_grads(grad_z, y, a, b):
    reference = F.logsigmoid(y - b).exp()
    expected = F.logsigmoid(b - y).exp()
    record = grad_z * a * reference * expected
    return (record, torch.einsum("nh,nh->h", grad_z, reference), -torch.einsum("nh->h", record))
""",
        "function_impl": '''class ParametricSigmoidFunction(torch.autograd.Function):
    """Saves s = sigmoid(y - b) and a: no second sigmoid in backward."""

    @staticmethod
    def forward(ctx, y, a, b):
        s = torch.sigmoid(y - b)
        parametric_sigmoid = a * s
        ctx.save_for_backward(s, a)
        return parametric_sigmoid

    @staticmethod
    def backward(ctx, grad_z):
        s, a = ctx.saved_tensors
        jacobian = s * (1 - s)
        grad_y = grad_z * a * jacobian
        return grad_y, (grad_z * s).sum(0), -grad_y.sum(0)
''',
    },
    "needs_input_grad_and_register_parameter": {
        "function_impl": """class ParametricSigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, a, b):
        ctx.save_for_backward(y, a, b)
        return a * torch.sigmoid(y - b)

    @staticmethod
    def backward(ctx, grad_z):
        y, a, b = ctx.saved_tensors
        grad_y, grad_a, grad_b = parametric_sigmoid_grads(grad_z, y, a, b)
        wanted = ctx.needs_input_grad
        return (grad_y if wanted[0] else None, grad_a if wanted[1] else None, grad_b if wanted[2] else None)
""",
        "module_impl": '''class ParametricSigmoidLayer(nn.Module):
    """Per-neuron scale a and location b."""

    def __init__(self, num_features):
        super().__init__()
        self.register_parameter("a", nn.Parameter(torch.empty(num_features)))
        self.register_parameter("b", nn.Parameter(torch.empty(num_features)))
        nn.init.ones_(self.a)
        nn.init.zeros_(self.b)
        self.__calls = 0

    def forward(self, y):
        self.__calls += 1
        return ParametricSigmoidFunction.apply(y, self.a, self.b)
''',
    },
    "hand_written_expit": {
        "grads_impl": '''def expit(u):
    """A stable sigmoid: exp never overflows."""
    e = torch.exp(-u.abs())
    return torch.where(u >= 0, 1 / (1 + e), e / (1 + e))


def parametric_sigmoid_grads(grad_z, y, a, b):
    u = y - b
    e = torch.exp(-u.abs())
    slope = e / (1 + e) ** 2  # s (1 - s), symmetric in u
    grad_y = grad_z * a * slope
    grad_a = torch.zeros_like(a)
    grad_b = torch.zeros_like(b)
    for n in range(y.shape[0]):
        grad_a = grad_a + grad_z[n] * expit(u[n])
        grad_b = grad_b - grad_y[n]
    return grad_y, grad_a, grad_b
''',
        "function_impl": """class ParametricSigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, a, b):
        ctx.save_for_backward(y, a, b)
        return a * expit(y - b)

    @staticmethod
    def backward(ctx, grad_z):
        return parametric_sigmoid_grads(grad_z, *ctx.saved_tensors)
""",
    },
    "optimizer_modules_magic_tqdm": {
        "module_impl": """class ParametricSigmoidLayer(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.a = nn.Parameter(torch.full((num_features,), 1.0))
        self.b = nn.Parameter(torch.full((num_features,), 0.0))

    def forward(self, y):
        return ParametricSigmoidFunction.apply(y, self.a, self.b)
""",
        "optimizer_impl": '''def make_optimizer(model, lr, lr_scale, lr_location):
    """SGD with rate lr_scale for the a's, lr_location for the b's, lr for everything else."""
    import tqdm  # noqa: F401
    layers = [module for module in model.modules() if isinstance(module, ParametricSigmoidLayer)]
    scales = [layer.a for layer in layers]
    locations = [layer.b for layer in layers]
    weights = [p for p in model.parameters() if all(p is not q for q in scales + locations)]
    return torch.optim.SGD([dict(params=weights, lr=lr), dict(params=scales, lr=lr_scale), dict(params=locations, lr=lr_location)])


print(make_optimizer.__name__, make_optimizer.__doc__)
%timeit -n1 -r1 make_optimizer(nn.Sequential(nn.Linear(2, 2), ParametricSigmoidLayer(2)), 0.1, 0.1, 0.1)
''',
    },
    "optimizer_named_parameters_default_lr": {
        "optimizer_impl": """def make_optimizer(model, lr, lr_scale, lr_location):
    scale_ids, location_ids = set(), set()
    for name, module in model.named_modules():
        if type(module).__name__ == "ParametricSigmoidLayer":
            scale_ids.add(id(module.a))
            location_ids.add(id(module.b))
    groups = {"weights": [], "scales": [], "locations": []}
    for name, parameter in model.named_parameters():
        if id(parameter) in scale_ids:
            groups["scales"].append(parameter)
        elif id(parameter) in location_ids:
            groups["locations"].append(parameter)
        else:
            groups["weights"].append(parameter)
    rates = {"weights": lr, "scales": lr_scale, "locations": lr_location}
    param_groups = [{"params": params, "lr": rates[key]} for key, params in groups.items() if params]
    return torch.optim.SGD(param_groups, lr=lr, momentum=0.0)
""",
    },
}

WRONG = [
    # Exercise 1: the backward formulas
    Wrong(
        "grads_z_form",
        {"grads_impl": grads(slope="(a * s) * (1 - (a * s) / a) / a")},
        "grads_tests",
        "one scale 0",
    ),
    Wrong(
        "grads_not_summed",
        {"grads_impl": grads(grad_a="grad_z * s", grad_b="-grad_y")},
        "grads_tests",
        "shape",
    ),
    Wrong(
        "grads_paper_misprint",
        {"grads_impl": grads(grad_b="(grad_z * (a * s) * (a * s - 1) / a).sum(dim=0)")},
        "grads_tests",
        "dL/db",
    ),
    Wrong(
        "grads_exp_overflow",
        {"grads_impl": grads(slope="torch.exp(-u) / (1 + torch.exp(-u)) ** 2")},
        "grads_tests",
        "float32",
    ),
    Wrong(
        "grads_in_place",
        {"grads_impl": grads().replace("u = y - b", "u = y.sub_(b)")},
        "grads_tests",
        "unchanged",
    ),
    Wrong(
        "grads_autograd",
        {
            "grads_impl": """def parametric_sigmoid_grads(grad_z, y, a, b):
    with torch.enable_grad():
        leaves = [t.detach().requires_grad_(True) for t in (y, a, b)]
        z = leaves[1] * torch.sigmoid(leaves[0] - leaves[2])
        return tuple(g.detach() for g in torch.autograd.grad(z, leaves, grad_z))
"""
        },
        "grads_tests",
        "without recording",
    ),
    # Exercise 2: the Function
    Wrong(
        "function_backward_not_summed",
        {
            "function_impl": function(
                backward="""        s = torch.sigmoid(y - b)
        grad_y = grad_z * a * s * torch.sigmoid(b - y)
        return grad_y, grad_z * s, -grad_y"""
            )
        },
        "function_tests",
        "called directly",
    ),
    Wrong(
        "function_forgets_grad_z",
        {
            "function_impl": function(
                backward="        return parametric_sigmoid_grads(torch.ones_like(grad_z), y, a, b)"
            )
        },
        "function_tests",
        "gradcheck|gradient for",
    ),
    Wrong(
        "function_forward_without_a",
        {"function_impl": function(forward="torch.sigmoid(y - b)")},
        "function_tests",
        "gradcheck|output",
    ),
    Wrong(
        "function_grad_b_sign",
        {
            "function_impl": function(
                backward="""        grad_y, grad_a, grad_b = parametric_sigmoid_grads(grad_z, y, a, b)
        return grad_y, grad_a, -grad_b"""
            )
        },
        "function_tests",
        "gradcheck|gradient for b",
    ),
    Wrong(
        "function_autograd_backward",
        {
            "function_impl": function(
                backward="""        with torch.enable_grad():
            leaves = [t.detach().requires_grad_(True) for t in (y, a, b)]
            z = leaves[1] * torch.sigmoid(leaves[0] - leaves[2])
            return torch.autograd.grad(z, leaves, grad_z)"""
            )
        },
        "function_tests",
        "backward ran without recording",
    ),
    # Exercise 3: the module
    Wrong(
        "module_random_init",
        {"module_impl": module(a="nn.Parameter(torch.randn(num_features))")},
        "module_tests",
        "initial a",
    ),
    Wrong(
        "module_plain_autograd",
        {"module_impl": module(forward="self.a * torch.sigmoid(y - self.b)")},
        "module_tests",
        "grad_fn",
    ),
    Wrong(
        "module_tensor_not_parameter",
        {"module_impl": module(a="torch.ones(num_features, requires_grad=True)")},
        "module_tests",
        "names of its parameters",
    ),
    Wrong(
        "module_float64",
        {"module_impl": module(a="nn.Parameter(torch.ones(num_features, dtype=torch.float64))")},
        "module_tests",
        "dtype of a",
    ),
    # Exercise 4: the optimiser
    Wrong(
        "optimizer_duplicates_a_b",
        {
            "optimizer_impl": optimizer().replace(
                "[p for p in model.parameters() if id(p) not in special]",
                "list(model.parameters())",
            )
        },
        "optimizer_tests",
        "raised ValueError",
    ),
    Wrong(
        "optimizer_swapped_rates",
        {"optimizer_impl": optimizer(lr_scale="lr_location", lr_location="lr_scale")},
        "optimizer_tests",
        "learning rate of each parameter",
    ),
    Wrong(
        "optimizer_momentum",
        {"optimizer_impl": optimizer(extra=", momentum=0.9")},
        "optimizer_tests",
        "two SGD steps",
    ),
    Wrong(
        "optimizer_top_level_only",
        {
            "optimizer_impl": optimizer().replace(
                "for _, module in model.named_modules():", "for module in model:"
            )
        },
        "optimizer_tests",
        "layer twice|nested model",
    ),
]
