"""A streamed table (`--stream`: read as it comes) trained by 2 processes.

Each process is launched its engine's way (process_runs.py) on a table
of image paths forced to stream, and reads the images of its own share
of each global batch only: the run must equal one process on the same
global batches (under JAX one process with 2 devices, `--devices 2`, so
a stream on many devices is checked too), and each process must have
read half the examples that process read. Marked `multi_process`; this
file is also the processes' script (`_counting_streamed_main`).
"""

import sys

import keras
import numpy as np
import pytest

from tests.data import writers
from tests.distribution import process_runs

pytestmark = pytest.mark.multi_process
BACKEND = keras.backend.backend()
TWO_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}


def _image_tables(folder, rows=200):
    """Tables of 8x8 images' paths and two labels: `rows` to split, 32 to validate.

    Returns:
        `(table, validation table)`: their paths.
    """
    table = []
    for i in range(rows):
        writers.image(folder / f"{i}.png", (8, 8), seed=i)
        table.append({"image": f"{i}.png", "label": ("red", "blue")[i % 2]})
    validation = writers.write_table(folder / "validation.csv", table[-32:])
    return writers.write_table(folder / "table.csv", table), validation


def test_two_processes_train_a_stream_as_one_process(tmp_path):
    table, validation = _image_tables(tmp_path / "pictures")
    # Whole batches of 16 (--limit 96, 32 validation rows): one process
    # alone reads them all too.
    argv = [
        "train", "vit", "--data", str(table), "--validation-data", str(validation),
        "--stream", "--tiny", "--limit", "96", "--epochs", "2",
        "--batch-size", "16", "--seed", "3", "--output", "out",
    ]  # fmt: skip
    alone_argv, alone_env = (
        ([*argv, "--devices", "2"], TWO_DEVICES) if BACKEND == "jax" else (argv, {})
    )
    results, alone = process_runs.cluster_and_alone(
        BACKEND, argv, alone_argv, tmp_path, alone_extra=alone_env, script=__file__
    )
    record, cluster_losses = process_runs.losses(tmp_path / "cluster" / "out")
    reference, alone_losses = process_runs.losses(tmp_path / "alone" / "out")
    np.testing.assert_allclose(cluster_losses, alone_losses, rtol=1e-3)
    assert (record["processes"], record["devices"]) == (2, 2)
    assert reference["devices"] == (2 if BACKEND == "jax" else 1)
    # Each process read the images of half of every batch.
    seen = [process_runs.seen(output) for _, output in results]
    assert seen[0] == seen[1] == process_runs.seen(alone) // 2 > 0


@pytest.mark.skipif(
    BACKEND != "jax", reason="--mesh and JAX's assembly of the shares are JAX's"
)
@pytest.mark.slow
def test_texts_padded_by_batch_stream_as_one_process_on_a_mesh(tmp_path):
    # Each process pads its share to the whole batch's width (JAX assembles
    # the batch from the shares); the reference streams on a 2x1 mesh.
    rng = np.random.default_rng(0)
    words = ["good", "bad", "film", "plot", "actor", "long", "fun", "dull"]
    rows = []
    for _ in range(120):
        text = " ".join(rng.choice(words, rng.integers(1, 41)))
        rows.append({"text": text, "label": ("neg", "pos")[text.count("good") > 1]})
    table = writers.write_table(tmp_path / "texts.csv", rows)
    argv = [
        "train", "text_classifier", "--data", str(table), "--stream", "--tiny",
        "--epochs", "2", "--batch-size", "8", "--seed", "3", "--output", "out",
    ]  # fmt: skip
    results, alone = process_runs.cluster_and_alone(
        "jax",
        argv,
        [*argv, "--mesh", "2x1"],
        tmp_path,
        alone_extra=TWO_DEVICES,
        script=__file__,
    )
    record, cluster_losses = process_runs.losses(tmp_path / "cluster" / "out")
    reference, alone_losses = process_runs.losses(tmp_path / "alone" / "out")
    np.testing.assert_allclose(cluster_losses, alone_losses, rtol=1e-3)
    assert (record["processes"], reference["mesh"]) == (2, [2, 1])


def _counting_streamed_main(argv):
    """`process_runs.counting_main`, counting the examples the stream read.

    It counts the examples of the batches that the class
    `raw_inputs.PreprocessedBatches` reads (tables in memory); for this
    run that name is the stream's `TableBatches` (the task module, imported
    first, keeps the class itself for the validation part).
    """
    from keras_seq.data.table_batches import TableBatches
    from keras_seq.models import raw_inputs
    from keras_seq.models import task  # noqa: F401

    raw_inputs.PreprocessedBatches = TableBatches
    return process_runs.counting_main(argv)


if __name__ == "__main__":
    sys.exit(_counting_streamed_main(sys.argv[1:]))
