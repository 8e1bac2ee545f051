"""What every experiment shares: activation names and styles, provenance, JSON, figures, progress.

One place for each of these, so that the XOR and MNIST experiments (and the benchmarks) record
the same environment keys, write JSON the same way and draw each activation in the same style.

>>> PAIRS[0], PARTNER["parametric_relu"], LABELS["parametric_relu"]
(('sigmoid', 'parametric_sigmoid'), 'relu', 'parametric ReLU')
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "PAIRS",
    "PARTNER",
    "LABELS",
    "COLOURS",
    "LINESTYLES",
    "is_parametric",
    "RENAMED_PROTOCOL_KEYS",
    "source_digests",
    "environment",
    "rounded",
    "dump_json",
    "save_figure",
    "progress_bar",
]

#: The four hidden activations of Kong & Ko (2021), in the order tables and figures show them.
ACTIVATIONS: tuple[str, ...] = ("sigmoid", "parametric_sigmoid", "relu", "parametric_relu")
#: (plain, parametric) pairs, compared on the same seeds.
PAIRS: tuple[tuple[str, str], ...] = (
    ("sigmoid", "parametric_sigmoid"),
    ("relu", "parametric_relu"),
)
#: parametric activation -> its plain partner.
PARTNER: dict[str, str] = {parametric: plain for plain, parametric in PAIRS}
#: activation -> the name shown in tables and figures.
LABELS: dict[str, str] = {
    "sigmoid": "sigmoid",
    "parametric_sigmoid": "parametric sigmoid",
    "relu": "ReLU",
    "parametric_relu": "parametric ReLU",
}
#: one colour per activation, used by every figure.
COLOURS: dict[str, str] = {
    "sigmoid": "tab:blue",
    "parametric_sigmoid": "tab:orange",
    "relu": "tab:green",
    "parametric_relu": "tab:red",
}
#: one line style per activation: solid for the plain ones, dashed for the parametric ones.
LINESTYLES: dict[str, str] = {
    "sigmoid": "-",
    "parametric_sigmoid": "--",
    "relu": "-",
    "parametric_relu": "--",
}
#: Old protocol key -> key in the one vocabulary (``a`` scale, ``b`` location), for results files
#: written before it; every experiment translates them on load.
RENAMED_PROTOCOL_KEYS: dict[str, str] = {
    "scale_lr": "lr_scale",
    "location_lr": "lr_location",
    "initial_scale": "a_init",
    "initial_location": "b_init",
    "scale_init": "a_init",
    "location_init": "b_init",
}


def is_parametric(activation: str) -> bool:
    """Whether ``activation`` has a learned scale ``a`` and location ``b``.

    >>> is_parametric("parametric_sigmoid"), is_parametric("relu")
    (True, False)
    """
    return activation in PARTNER


def source_digests(modules: Iterable[ModuleType]) -> dict[str, str]:
    """Module name -> SHA-256 (first 16 hex digits) of its source file.

    The package is installed editable and its version is not bumped on every change, so the
    digests tell which code produced a results file.

    >>> import paramact.stats
    >>> digests = source_digests([paramact.stats])
    >>> list(digests), len(digests["paramact.stats"])
    (['paramact.stats'], 16)
    """
    return {
        module.__name__: hashlib.sha256(Path(str(module.__file__)).read_bytes()).hexdigest()[:16]
        for module in modules
    }


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(device: object = "cpu", modules: Iterable[ModuleType] = ()) -> dict:
    """Versions, hardware and source digests, stored with every result (the same keys everywhere).

    ``device`` is where the work ran (``"cpu"``, ``"cuda"``, ``"cuda:0"`` or a ``torch.device``);
    ``modules`` are the modules whose source digests (:func:`source_digests`) are recorded.
    ``torch`` and ``torch_threads`` are ``None`` unless torch has been imported: a NumPy-only
    experiment does not depend on it.

    >>> sorted(environment())  # doctest: +NORMALIZE_WHITESPACE
    ['cpu_count', 'cpu_model', 'device', 'gpu', 'numpy', 'paramact', 'platform', 'python',
     'sources_sha256', 'torch', 'torch_threads']
    """
    torch = sys.modules.get("torch")
    device = str(device)
    gpu = None
    if torch is not None and device.startswith("cuda"):
        gpu = torch.cuda.get_device_name(torch.device(device))
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "paramact": _version("paramact"),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "device": device,
        "gpu": gpu,
        "sources_sha256": source_digests(modules),
    }


def rounded(value: Any, digits: int = 6) -> Any:
    """A JSON-safe copy: floats to ``digits`` significant digits, NaN and infinities to ``None``.

    Dicts, lists, tuples and arrays are converted recursively; NumPy scalars become Python ones.

    >>> rounded({"x": np.float32(1 / 3), "y": [2, float("nan")], "z": np.arange(2)})
    {'x': 0.333333, 'y': [2, None], 'z': [0, 1]}
    """
    if isinstance(value, dict):
        return {str(key): rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [rounded(item, digits) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    return value


_NUMBER_LIST = re.compile(r"\[[-0-9.eE+,\snul]*\]")


def dump_json(document: dict) -> str:
    """The JSON text of ``document``: :func:`rounded`, indent 1, every list of numbers on one line.

    Compact, yet readable and diffable; it ends with a newline.

    >>> print(dump_json({"steps": [1, None, 3.14159265], "protocol": {"lr": 0.5}}), end="")
    {
     "steps": [1, null, 3.14159],
     "protocol": {
      "lr": 0.5
     }
    }
    """
    text = json.dumps(rounded(document), indent=1, allow_nan=False)
    return _NUMBER_LIST.sub(_one_line, text) + "\n"


def _one_line(match: re.Match) -> str:
    return " ".join(match.group().split()).replace("[ ", "[").replace(" ]", "]")


def save_figure(figure: Any, out_dir: str | os.PathLike, stem: str) -> list[Path]:
    """Write ``<out_dir>/<stem>.png`` (120 dpi) and ``.svg`` and close ``figure``; return the paths.

    A fixed SVG hash salt, text kept as text and no date make the files of identical figures
    identical. Works with pyplot figures and with ``matplotlib.figure.Figure`` objects.

    >>> import tempfile
    >>> from matplotlib.figure import Figure
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in save_figure(Figure(figsize=(2, 1)), folder, "demo")]
    ['demo.png', 'demo.svg']
    """
    from matplotlib import rc_context

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "paramact"}):
        for suffix, metadata in (("png", None), ("svg", {"Date": None})):
            path = out_dir / f"{stem}.{suffix}"
            figure.savefig(path, dpi=120, metadata=metadata)
            paths.append(path)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)
    return paths


def progress_bar(total: int, desc: str, enabled: bool, unit: str = "step") -> Any:
    """A tqdm progress bar on stderr, or ``None`` when ``enabled`` is false.

    Callers update it with ``bar.update(n)`` and close it with ``bar.close()`` when it is not None.

    >>> progress_bar(100, "xor", enabled=False) is None
    True
    """
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, mininterval=0.5)
