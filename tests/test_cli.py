"""The command line's one error policy: every exit status, each proven by a case that produces it.

0 success; 1 the work ran and found a problem; 2 usage error or invalid input; 3 a resource is
unavailable; anything else propagates with its traceback. See paramact.cli.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paramact import cli, data

ROOT = Path(__file__).resolve().parents[1]
STORED_MNIST = ROOT / "results" / "mnist" / "mnist_softmax_150epochs.json"


def error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# --- 0: success -----------------------------------------------------------------------------------


def test_help_exits_0_lists_every_subcommand_and_the_policy_without_importing_torch():
    code = (
        "import sys, contextlib, io\nfrom paramact.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n    status = main(['--help'])\n"
        "print(status, 'torch' in sys.modules)\nprint(out.getvalue())"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    first, _, text = finished.stdout.partition("\n")
    assert first == "0 False"
    for name in cli.SUBCOMMANDS:
        assert f"    {name} " in text
    assert "exit status:" in text and "3  a resource is unavailable" in text


def test_python_dash_m_paramact_cli_runs_the_same_main():
    finished = subprocess.run(
        [sys.executable, "-m", "paramact.cli", "check", "--help"], capture_output=True, text=True
    )
    assert finished.returncode == 0 and "usage: paramact check" in finished.stdout


@pytest.mark.skipif(not STORED_MNIST.is_file(), reason="no stored MNIST results in this checkout")
def test_a_successful_command_exits_0(tmp_path, capsys):
    path = tmp_path / STORED_MNIST.name
    shutil.copy(STORED_MNIST, path)
    assert cli.main(["mnist", "--from-json", str(path), "--no-figures"]) == cli.EXIT_OK
    assert "| parametric_relu | a |" in capsys.readouterr().out


# --- 1: the work found a problem ------------------------------------------------------------------


def test_leaks_found_exit_1(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    (site / "solutions").mkdir(parents=True)
    (site / "solutions" / "copied.txt").write_text("a master that reached the site")
    monkeypatch.chdir(ROOT)
    assert cli.main(["leaks", str(site)]) == cli.EXIT_PROBLEM
    assert "reached the site" in capsys.readouterr().err


# --- 2: usage error, invalid input ----------------------------------------------------------------


def test_an_argparse_usage_error_exits_2(capsys):
    assert cli.main(["mnist", "--epochs", "0"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "usage: paramact mnist" in err
    assert "paramact mnist: error: argument --epochs: must be at least 1" in err


def test_no_command_or_an_unknown_one_exits_2(capsys):
    assert cli.main([]) == cli.EXIT_INVALID
    assert cli.main(["frobnicate"]) == cli.EXIT_INVALID
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_a_value_error_from_validation_exits_2_with_one_line(tmp_path, capsys):
    assert (
        cli.main(["mnist", "--lr-scale", "-0.5", "--out", str(tmp_path / "out")])
        == cli.EXIT_INVALID
    )
    expected = "paramact mnist: error: lr_scale must be a finite number >= 0, got -0.5\n"
    assert error_line(capsys) == expected
    assert not (tmp_path / "out").exists()


def test_a_missing_user_path_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert cli.main(["leaks", str(tmp_path / "no-site")]) == cli.EXIT_INVALID
    expected = f"paramact leaks: error: no built site at {tmp_path / 'no-site'}"
    assert error_line(capsys).startswith(expected)
    assert cli.main(["mnist", "--from-json", str(tmp_path / "none.json")]) == cli.EXIT_INVALID
    assert "does not exist" in error_line(capsys)


def test_the_courses_own_input_errors_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # outside the course: CourseError
    assert cli.main(["release", "--check"]) == cli.EXIT_INVALID
    assert error_line(capsys).startswith("paramact release: error: ")
    text = tmp_path / "answers.txt"
    text.write_text("not a notebook")
    assert cli.main(["check", str(text)]) == cli.EXIT_INVALID  # SubmissionError
    expected = "paramact check: error: answers.txt is not a notebook (.ipynb) file"
    assert expected in error_line(capsys)


def test_grades_are_not_overwritten_without_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    (tmp_path / "grades").mkdir()
    (tmp_path / "grades" / "grades.csv").write_text("student,points\n")
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "grades")]) == cli.EXIT_INVALID
    assert "grades.csv exists: choose another --out or pass --overwrite" in error_line(capsys)


# --- 3: a resource is unavailable -----------------------------------------------------------------


def test_data_that_cannot_be_obtained_exits_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "empty"))
    spec = data.DATASETS["mnist"]
    monkeypatch.setitem(data.DATASETS, "mnist", dataclasses.replace(spec, sources=()))
    assert cli.main(["data", "fetch", "mnist", "--no-progress"]) == cli.EXIT_UNAVAILABLE
    assert error_line(capsys).startswith("paramact data fetch: error: Could not obtain MNIST")


def test_a_missing_gpu_exits_3(tmp_path, monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert (
        cli.main(["mnist", "--device", "cuda", "--out", str(tmp_path / "out")])
        == cli.EXIT_UNAVAILABLE
    )
    assert "paramact mnist: error: device cuda was asked for" in error_line(capsys)


def test_a_stored_result_that_cannot_be_fetched_is_unavailable():
    from paramact.stored import StoredResultUnavailable

    assert cli.exit_code(StoredResultUnavailable("no network")) == cli.EXIT_UNAVAILABLE


# --- anything else propagates ---------------------------------------------------------------------


def test_a_cuda_runtime_error_propagates_with_its_traceback(tmp_path, monkeypatch):
    from paramact.experiments import mnist

    def out_of_memory(*args, **kwargs):
        raise RuntimeError("CUDA error: out of memory")

    monkeypatch.setattr(mnist, "run_mnist", out_of_memory)
    with pytest.raises(RuntimeError, match="CUDA error"):
        cli.main(["mnist", "--out", str(tmp_path / "out")])


def test_only_the_documented_errors_have_a_status():
    assert cli.exit_code(cli.UsageError("x")) == cli.EXIT_INVALID
    assert cli.exit_code(data.DataUnavailableError("x")) == cli.EXIT_UNAVAILABLE
    for error in (
        RuntimeError("CUDA error"),
        ValueError("operands could not be broadcast together"),
        FileNotFoundError("x"),
        KeyError("k"),
        OSError("no space"),
        TypeError("x"),
    ):
        assert cli.exit_code(error) is None


def test_a_value_error_outside_validation_is_a_bug_with_its_traceback(tmp_path, monkeypatch):
    """Only what checks the user's options is invalid input; the same error from training is not."""
    from paramact.experiments import mnist

    def broken(*args, **kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(mnist, "run_mnist", broken)
    with pytest.raises(ValueError, match="broadcast"):
        cli.main(["mnist", "--out", str(tmp_path / "out")])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seeds", "0"], "argument --seeds: must be at least 1, got 0"),
        (["--loss", "hinge"], "argument --loss: invalid choice: 'hinge'"),
        (["--activations", "swish"], "argument --activations: invalid choice: 'swish'"),
        (["--sweep-lr", "0"], "argument --sweep-lr: must be a positive number, got 0"),
        (["--benchmark", "-1"], "argument --benchmark: must be at least 0, got -1"),
        (["--init", "gaussian"], "paramact xor: error: "),
    ],
)
def test_xor_checks_its_options_like_mnist(tmp_path, capsys, argv, message):
    assert cli.main(["xor", "--out", str(tmp_path / "out"), *argv]) == cli.EXIT_INVALID
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the vocabulary -------------------------------------------------------------------------------


def test_mnist_flags_use_the_vocabulary(tmp_path, monkeypatch):
    from paramact.experiments import mnist

    seen = {}

    def record(config, **kwargs):
        seen["config"] = config
        raise KeyboardInterrupt  # stop before any training

    monkeypatch.setattr(mnist, "run_mnist", record)
    with pytest.raises(KeyboardInterrupt):
        cli.main(
            [
                "mnist",
                "--lr",
                "0.2",
                "--lr-scale",
                "0.01",
                "--lr-location",
                "0.03",
                "--a-init",
                "2",
                "--b-init",
                "-0.5",
                "--seeds",
                "2",
                "--out",
                str(tmp_path),
            ]
        )
    config = seen["config"]
    rates = (config.lr, config.lr_scale, config.lr_location)
    assert rates == (0.2, 0.01, 0.03) and (config.a_init, config.b_init) == (2.0, -0.5)
    assert config.seeds == (0, 1)


def _xor_has_the_new_vocabulary() -> bool:
    from paramact.experiments import xor

    fields = {field.name for field in dataclasses.fields(xor.XorProtocol)}
    return {"lr_scale", "lr_location", "a_init", "b_init"} <= fields


@pytest.mark.skipif(not _xor_has_the_new_vocabulary(), reason="XorProtocol has the old names")
def test_xor_flags_use_the_vocabulary(tmp_path, capsys):
    argv = [
        "xor",
        "--seeds",
        "2",
        "--max-steps",
        "30",
        "--no-figures",
        "--out",
        str(tmp_path),
        "--lr-scale",
        "0.0",
        "--lr-location",
        "0.25",
        "--a-init",
        "1.5",
        "--b-init",
        "0.1",
    ]
    assert cli.main(argv) == cli.EXIT_OK
    (written,) = tmp_path.glob("*.json")
    protocol = json.loads(written.read_text())["protocol"]
    assert (protocol["lr_scale"], protocol["lr_location"]) == (0.0, 0.25)
    assert (protocol["a_init"], protocol["b_init"]) == (1.5, 0.1)
    assert (
        cli.main(["xor", "--lr-scale", "-1", "--out", str(tmp_path / "none")]) == cli.EXIT_INVALID
    )
    assert error_line(capsys).count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["xor", "--activations", "relu", "relu"], "repeated activation in relu, relu"),
        (["mnist", "--name", "sub/x"], "--name must be a file-name stem, not a path"),
        (["mnist", "--endpoints"], "mnist_softmax.json is missing: run paramact mnist first"),
        (["results", "--check", "--manifest", "none.json"], "no manifest at none.json"),
        (
            ["grade", "submissions", "--memory-gb", "nan"],
            "argument --memory-gb: must be a positive",
        ),
        (
            ["check", "mine.ipynb", "--cell-seconds", "0"],
            "argument --cell-seconds: must be a positive",
        ),
    ],
)
def test_a_user_mistake_exits_2_before_any_work(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(ROOT)
    if argv[0] in ("xor", "mnist"):
        argv = [*argv, "--out", str(tmp_path / "out")]
    assert cli.main(argv) == cli.EXIT_INVALID
    assert message in error_line(capsys)
