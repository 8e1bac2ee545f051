"""The gradient checker itself: it must accept right gradients and point at wrong ones."""

import numpy as np
import pytest

from paramact import activations as act
from paramact.gradcheck import check_gradients, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda v: np.sum(v**3) + v[0, 1] * v[1, 0], x)
    expected = 3 * x**2 + np.array([[0.0, 0.5], [-2.0, 0.0]])
    np.testing.assert_allclose(grad, expected, rtol=1e-9)


def test_numerical_gradient_restores_x_even_when_f_fails():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])

    def failing(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_needs_float64():
    with pytest.raises(TypeError, match="float64 ndarray.*float32"):
        numerical_gradient(np.sum, np.ones(2, dtype=np.float32))
    with pytest.raises(TypeError, match="list"):
        numerical_gradient(np.sum, [1.0, 2.0])


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(0.2)
    assert relative_error(np.array([1e-12]), np.array([0.0])) == 1.0
    assert relative_error(np.array([1e-12]), np.array([0.0]), floor=1e-8) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


def parametric_sigmoid_loss(params, y, target):
    z = act.parametric_sigmoid(y, params["a"], params["b"])
    return 0.5 * np.sum((z - target) ** 2)


def test_check_gradients_catches_the_papers_eq14():
    """With the paper's dz/db = z (z - 1) / a the check must fail for b, and only for b."""
    rng = np.random.default_rng(0)
    y, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    params = {"a": np.array([0.5, 2.0, 3.0]), "b": np.array([0.1, -0.2, 0.3])}
    z = act.parametric_sigmoid(y, params["a"], params["b"])
    dz = z - target
    _, dz_da, dz_db = act.parametric_sigmoid_grads(y, params["a"], params["b"])
    right = {"a": np.sum(dz * dz_da, axis=0), "b": np.sum(dz * dz_db, axis=0)}
    paper = dict(right, b=np.sum(dz * z * (z - 1) / params["a"], axis=0))

    def f(p):
        return parametric_sigmoid_loss(p, y, target)

    good = check_gradients(f, params, right)
    assert good.ok and good.failed == []
    assert good["a"].error < 1e-8 and good["b"].error < 1e-8

    bad = check_gradients(f, params, paper)
    assert not bad.ok and bad.failed == ["b"]
    assert bad["b"].error > 0.1
    text = str(bad)
    assert "WRONG: b" in text
    assert str(bad["b"].index) in text and repr(bad) == text
    np.testing.assert_array_equal(params["b"], [0.1, -0.2, 0.3])  # restored


def test_check_gradients_points_at_the_worst_index():
    params = {"w": np.arange(6.0).reshape(2, 3)}
    grads = {"w": 2 * params["w"]}
    grads["w"][1, 2] += 0.5
    report = check_gradients(lambda p: np.sum(p["w"] ** 2), params, grads)
    check = report["w"]
    assert check.index == (1, 2)
    assert check.analytic == pytest.approx(10.5) and check.numerical == pytest.approx(10.0)


def test_check_gradients_reports_mismatched_names_and_shapes():
    params = {"w": np.ones(2)}
    with pytest.raises(KeyError, match="'v'"):
        check_gradients(lambda p: 0.0, params, {"v": np.ones(2)})
    with pytest.raises(ValueError, match=r"'w' has shape \(3,\)"):
        check_gradients(lambda p: 0.0, params, {"w": np.ones(3)})
