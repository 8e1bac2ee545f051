"""``record``: what a hidden test hands out of the student's kernel.

A hidden test only calls the student's code and records what it returns; it never compares. The grader
(``paramact grade``) runs the master's answers through the same hidden tests in a kernel of its own,
then compares each recorded value with the master's *outside* both kernels. Nothing here is secret and
nothing here decides a score: a kernel may forge or suppress records, and then its values simply fail
to match.

A value is encoded by its *exact* type (NumPy arrays of numbers, Python and NumPy scalars, strings,
lists, tuples, dicts with string keys, None); anything else, such as an object that claims to equal everything, is recorded as
invalid. When the thing recorded is a zero-argument callable (``lambda: step(u)``), it is called here,
and an exception it raises is recorded by the name of its type: one failing call costs its own record,
not the rest of the test, and no text that the student's code produced leaves the kernel.
"""

from __future__ import annotations

import base64

import numpy as np

# The MIME type of the display output that carries a recorded value out of the kernel.
RECORD_MIME = "application/vnd.paramact.record+json"
NUMERIC_KINDS = "biuf"
COMPARISONS = ("value", "expression", "gradient")


def encode(value):
    """A JSON-ready description of ``value`` by its *exact* type (subclasses are invalid).

    Examples:
        >>> encode([1, 2.5, None])
        {'type': 'list', 'items': [{'type': 'int', 'value': '1'}, {'type': 'float', 'value': '0x1.4000000000000p+1'}, {'type': 'none'}]}
        >>> class Sneaky(float):
        ...     def __eq__(self, other):
        ...         return True
        >>> encode(Sneaky(1.0))
        {'type': 'invalid', 'of': 'Sneaky'}
    """
    kind = type(value)
    if value is None:
        return {"type": "none"}
    if kind is bool or kind is np.bool_:
        return {"type": "bool", "value": bool(value)}
    if kind is int or (issubclass(kind, np.integer) and kind.__module__ == "numpy"):
        return {
            "type": "int",
            "value": str(int(value)),
        }  # as text: JSON readers choke on huge integers
    if kind is float or (issubclass(kind, np.floating) and kind.__module__ == "numpy"):
        return {"type": "float", "value": float(value).hex()}
    if kind is str:
        return {"type": "str", "value": value}
    if kind in (list, tuple):
        return {"type": kind.__name__, "items": [encode(item) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"type": "dict", "items": {key: encode(item) for key, item in value.items()}}
    if kind is np.ndarray and value.dtype.kind in NUMERIC_KINDS:
        data = np.ascontiguousarray(value)
        return {
            "type": "array",
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "data": base64.b64encode(data.tobytes()).decode("ascii"),
        }
    return {"type": "invalid", "of": kind.__name__}


def _encode_safely(value):
    try:
        return encode(value)
    except RecursionError:
        return {"type": "invalid", "of": "a structure nested too deeply"}


def record(
    label: str,
    value: object,
    *,
    compare: str = "value",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    **spec: object,
) -> None:
    """Hand ``value`` (or what ``value()`` returns) to the grader.

    Returns nothing: a test cell that ends with a ``record`` shows no value, which stock nbgrader would
    otherwise read as partial credit.

    ``compare`` says how the grader judges it against the master's record, with the master's options:

    - ``"value"``: equal type and shape, floating-point numbers within ``rtol``/``atol``;
    - ``"expression"``: the text of a formula, equivalent to the master's (``setting=``, and
      ``mistakes=`` mapping known wrong formulas to what the student is told);
    - ``"gradient"``: a NumPy gradient, with a diagnosis of what is wrong (``inputs=`` the arrays
      ``y, a, b`` that locate an entry, ``kink=`` a mask, ``batch_size=``, ``mistakes=`` mapping a
      message to the array that mistake gives).

    Examples:
        >>> record("twice", lambda: 2 * 21)
        recorded: twice
        >>> record("fails", lambda: 1 / 0)
        recorded: fails
    """
    from IPython.display import publish_display_data

    if compare not in COMPARISONS:
        raise ValueError(f"compare must be one of {COMPARISONS}, not {compare!r}")
    result, raised = value, None
    if callable(value):
        try:
            result = value()
        except Exception as error:  # recorded by its type; its message is the student's text
            result, raised = None, type(error).__name__
    payload = {
        "label": str(label),
        "compare": compare,
        "rtol": float(rtol),
        "atol": float(atol),
        "value": {"type": "raised", "of": raised} if raised else _encode_safely(result),
        "spec": {name: _encode_safely(option) for name, option in spec.items()},
    }
    publish_display_data({RECORD_MIME: payload, "text/plain": f"recorded: {label}"})
