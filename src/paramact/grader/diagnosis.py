"""Say what is wrong with a NumPy gradient, against the master's: the numeric stage of Chapter 6.

:func:`gradient_problem` names the problem: a gradient not summed over the batch (or averaged), a wrong
sign, a missing factor ``a``, the wrong side of the ReLU kink, values that are not finite at extreme
inputs, or a mistake from the exercise's own catalogue. It runs in the grader's process, on decoded
records, with the master's inputs and catalogue.
"""

from __future__ import annotations

import numpy as np


def _close(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    return actual.shape == expected.shape and bool(
        np.allclose(actual, expected, rtol=rtol, atol=atol)
    )


def _describe(index, inputs: dict, shape: tuple) -> str:
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
    actual,
    expected,
    *,
    inputs: dict | None = None,
    mistakes: dict | None = None,
    kink=None,
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
    if actual.shape != expected.shape:
        if actual.size == expected.size and _close(
            actual.reshape(expected.shape), expected, rtol, atol
        ):
            return f"{label}: has the right values but shape {actual.shape}, expected {expected.shape} (drop keepdims or reshape)"
        if batch_size and actual.shape == (batch_size, *expected.shape):
            return (
                f"{label}: has shape {actual.shape}, expected {expected.shape}: sum it over the batch (axis 0), "
                "since a and b are shared by all samples"
            )
        if batch_size and expected.ndim == 1 and actual.shape == (batch_size,):
            return f"{label}: has shape {actual.shape}, expected {expected.shape}: sum over the batch (axis 0), not over the neurons"
        return f"{label}: has shape {actual.shape}, expected {expected.shape}"
    for message, mistake in (mistakes or {}).items():
        mistake = np.broadcast_to(np.asarray(mistake, dtype=np.float64), expected.shape)
        defined = np.isfinite(
            mistake
        )  # a mistake's formula may be undefined where an answer is not (a = 0)
        if (
            not _close(actual, expected, rtol, atol)
            and defined.any()
            and np.allclose(actual[defined], mistake[defined], rtol=rtol, atol=atol)
        ):
            return f"{label}: {message}"
    bad = ~np.isfinite(actual) & np.isfinite(expected)
    if bad.any():
        index = np.unravel_index(np.argmax(bad), bad.shape)
        where = _describe(index, inputs, expected.shape)
        return (
            f"{label}: is not finite ({actual[index]}) at {bad.sum()} entries, e.g. at {where or index}: avoid "
            "dividing by a quantity that can be 0 (a, y - b) and overflow in exp (use a stable sigmoid)"
        )
    if _close(actual, expected, rtol, atol):
        return None
    if original_dtype == np.float32 and _close(actual, expected, max(rtol, 1e-5), max(atol, 1e-30)):
        return f"{label}: is computed in float32: use float64, as the inputs are"
    if _close(-actual, expected, rtol, atol):
        return f"{label}: has the wrong sign"
    if batch_size and _close(actual * batch_size, expected, rtol, atol):
        return f"{label}: is averaged over the batch; the gradient of a summed loss is the sum over the batch"
    if "a" in inputs and not batch_size:
        a = np.broadcast_to(np.asarray(inputs["a"], dtype=np.float64), expected.shape)
        if _close(actual * a, expected, rtol, atol):
            return f"{label}: is missing a factor a"
        if _close(actual, expected * a, rtol, atol):
            return f"{label}: has an extra factor a"
    wrong = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if kink is not None:
        kink = np.broadcast_to(np.asarray(kink, dtype=bool), expected.shape)
        if kink.any() and not (wrong & ~kink).any():
            return (
                f"{label}: is wrong exactly at the kink y = b: the course takes the right-hand derivative "
                "there (z = a(y - b) for y >= b)"
            )
    index = np.unravel_index(np.argmax(wrong), wrong.shape)
    where = _describe(index, inputs, expected.shape) if expected.ndim else ""
    return (
        f"{label}: differs from the correct values at {wrong.sum()} of {wrong.size} entries"
        + (f", e.g. at {where}" if where else "")
        + f" (yours {actual[index]:.6g})"
    )
