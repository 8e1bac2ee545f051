"""Say what is wrong with a NumPy gradient, against the master's: the numeric stage of Chapter 6.

:func:`gradient_problem` names the problem: a gradient not summed over the batch (or averaged), a wrong
sign, a missing factor ``a``, the wrong side of the ReLU kink, values that are not finite at extreme
inputs, or a mistake from the exercise's own catalogue. It runs in the grader's process, on decoded
records, with the master's inputs and catalogue.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _close(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    return actual.shape == expected.shape and bool(
        np.allclose(actual, expected, rtol=rtol, atol=atol)
    )


def _describe(index: tuple, inputs: dict, shape: tuple) -> str:
    """The inputs at ``index`` of the broadcast result, e.g. ``y = 1000, a = 0, b = 0.3``."""
    parts = []
    for name, values in inputs.items():
        try:
            parts.append(
                f"{name} = {np.broadcast_to(np.asarray(values, dtype=np.float64), shape)[index]:.4g}"
            )
        except (IndexError, TypeError, ValueError):
            continue
    return ", ".join(parts)


def gradient_problem(
    label: str,
    actual: object,
    expected: ArrayLike,
    *,
    inputs: dict | None = None,
    mistakes: dict | None = None,
    kink: ArrayLike | None = None,
    batch_size: int | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-10,
) -> str | None:
    """Why the gradient ``actual`` differs from the reference ``expected``; None when it matches.

    ``inputs`` (arrays broadcastable to ``expected``: ``y``, ``a``, ``b``) locate a wrong entry and
    reveal a missing factor ``a``; ``mistakes`` maps a message to the array a known mistake gives;
    ``kink`` is a boolean mask of the entries at the ReLU kink; ``batch_size`` is set for a gradient
    that must be summed over the batch.

    Examples:
        >>> expected = np.array([3.0, -1.0])
        >>> gradient_problem("dL/da", np.array([[1.0, 0.5], [2.0, -1.5]]), expected, batch_size=2)
        'dL/da: has shape (2, 2), expected (2,): sum it over the batch (axis 0), since a and b are shared by all samples'
        >>> gradient_problem("dL/da", -expected, expected)
        'dL/da: has the wrong sign'
    """
    inputs = inputs or {}
    expected = np.asarray(expected, dtype=np.float64)
    if type(actual) is not np.ndarray and not isinstance(actual, (float, int, np.floating)):
        return f"{label}: is a {type(actual).__name__}, expected a NumPy array of shape {expected.shape}"
    actual = np.asarray(actual)
    if actual.dtype.kind not in "fiu":
        return f"{label}: has dtype {actual.dtype}, expected floating-point numbers"
    original_dtype, actual = actual.dtype, actual.astype(np.float64)
    tolerance = {"rtol": rtol, "atol": atol}
    stages = (
        lambda: _shape_problem(actual, expected, batch_size, tolerance),
        lambda: _known_mistake(actual, expected, mistakes or {}, tolerance),
        lambda: _not_finite(actual, expected, inputs),
        lambda: (
            None
            if _close(actual, expected, **tolerance)
            else _value_problem(
                actual, expected, original_dtype, inputs, kink, batch_size, tolerance
            )
        ),
    )
    for stage in stages:  # the first stage that finds a problem names it
        problem = stage()
        if problem is not None:
            return f"{label}: {problem}"
    return None


def _shape_problem(
    actual: np.ndarray, expected: np.ndarray, batch_size: int | None, tolerance: dict
) -> str | None:
    """A shape that differs from the reference's, and what it suggests (keepdims, no batch sum)."""
    if actual.shape == expected.shape:
        return None
    if actual.size == expected.size and _close(
        actual.reshape(expected.shape), expected, **tolerance
    ):
        return f"has the right values but shape {actual.shape}, expected {expected.shape} (drop keepdims or reshape)"
    if batch_size and actual.shape == (batch_size, *expected.shape):
        return (
            f"has shape {actual.shape}, expected {expected.shape}: sum it over the batch (axis 0), "
            "since a and b are shared by all samples"
        )
    if batch_size and expected.ndim == 1 and actual.shape == (batch_size,):
        return f"has shape {actual.shape}, expected {expected.shape}: sum over the batch (axis 0), not over the neurons"
    return f"has shape {actual.shape}, expected {expected.shape}"


def _known_mistake(
    actual: np.ndarray, expected: np.ndarray, mistakes: dict, tolerance: dict
) -> str | None:
    """The message of the exercise's catalogued mistake that ``actual`` equals, if any."""
    for message, mistake in mistakes.items():
        mistake = np.broadcast_to(np.asarray(mistake, dtype=np.float64), expected.shape)
        # a mistake's formula may be undefined where an answer is not (a = 0)
        defined = np.isfinite(mistake)
        if (
            not _close(actual, expected, **tolerance)
            and defined.any()
            and np.allclose(actual[defined], mistake[defined], **tolerance)
        ):
            return message
    return None


def _not_finite(actual: np.ndarray, expected: np.ndarray, inputs: dict) -> str | None:
    """Entries that are not finite where the reference is, with the inputs of the first one."""
    bad = ~np.isfinite(actual) & np.isfinite(expected)
    if not bad.any():
        return None
    index = np.unravel_index(np.argmax(bad), bad.shape)
    where = _describe(index, inputs, expected.shape)
    return (
        f"is not finite ({actual[index]}) at {bad.sum()} entries, e.g. at {where or index}: avoid "
        "dividing by a quantity that can be 0 (a, y - b) and overflow in exp (use a stable sigmoid)"
    )


def _value_problem(
    actual: np.ndarray,
    expected: np.ndarray,
    original_dtype: np.dtype,
    inputs: dict,
    kink: ArrayLike | None,
    batch_size: int | None,
    tolerance: dict,
) -> str:
    """What a wrong value of the right shape suggests: float32, the sign, an average over the
    batch, a missing or extra factor a, the kink; else where it differs."""
    rtol, atol = tolerance["rtol"], tolerance["atol"]
    if original_dtype == np.float32 and _close(actual, expected, max(rtol, 1e-5), max(atol, 1e-30)):
        return "is computed in float32: use float64, as the inputs are"
    if _close(-actual, expected, **tolerance):
        return "has the wrong sign"
    if batch_size and _close(actual * batch_size, expected, **tolerance):
        return "is averaged over the batch; the gradient of a summed loss is the sum over the batch"
    if "a" in inputs and not batch_size:
        a = np.broadcast_to(np.asarray(inputs["a"], dtype=np.float64), expected.shape)
        if _close(actual * a, expected, **tolerance):
            return "is missing a factor a"
        if _close(actual, expected * a, **tolerance):
            return "has an extra factor a"
    wrong = ~np.isclose(actual, expected, **tolerance)
    if kink is not None:
        kink = np.broadcast_to(np.asarray(kink, dtype=bool), expected.shape)
        if kink.any() and not (wrong & ~kink).any():
            return (
                "is wrong exactly at the kink y = b: the course takes the right-hand derivative "
                "there (z = a(y - b) for y >= b)"
            )
    index = np.unravel_index(np.argmax(wrong), wrong.shape)
    where = _describe(index, inputs, expected.shape) if expected.ndim else ""
    return (
        f"differs from the correct values at {wrong.sum()} of {wrong.size} entries"
        + (f", e.g. at {where}" if where else "")
        + f" (yours {actual[index]:.6g})"
    )
