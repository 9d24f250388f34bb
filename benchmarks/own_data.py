"""The input pipeline of a user's table against the training step, and its memory.

Two measures, under the backend of `KERAS_BACKEND`:

- `--speed`: a table of texts (CSV) and a table of image paths (PNGs),
  streamed by `keras_seq.data` (`TableStream.batches`, through the
  model's preprocessor): examples per second of the pipeline alone,
  against examples per second of the training step alone
  (`train_on_batch` on batches made beforehand, after one warm pass), for
  the model `keras-seq train text_classifier` and `keras-seq train vit`
  build (`keras_seq.cli.setups`);
- `--memory-gb N`: a table of about N GB of texts trained on by
  `keras-seq train text_classifier --data TABLE --tiny --epochs 1 --limit
  5000` in a subprocess, and that subprocess's peak resident memory.

Example:

    KERAS_BACKEND=jax python benchmarks/own_data.py --speed
    KERAS_BACKEND=torch python benchmarks/own_data.py --memory-gb 2
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.data import writers  # noqa: E402

BATCH_SIZE = 64
BATCHES = 30


def _text_table(path, rows):
    rng = np.random.default_rng(0)
    words = np.array("a fine dull film plot actor scene great story music".split())
    with open(path, "w") as handle:
        handle.write("text,label\n")
        for row in range(rows):
            text = " ".join(words[rng.integers(0, len(words), 30)])
            handle.write(f"{text},{'pos' if row % 2 else 'neg'}\n")
    return path


def _image_table(folder, rows, size=28):
    from PIL import Image

    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(folder, "images"))
    lines = ["image,label"]
    for row in range(rows):
        name = f"images/{row}.png"
        pixels = rng.integers(0, 255, (size, size, 3), dtype="uint8")
        Image.fromarray(pixels).save(os.path.join(folder, name))
        lines.append(f"{name},{'cat' if row % 2 else 'dog'}")
    path = os.path.join(folder, "images.csv")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def _rate(count, seconds):
    return round(count / seconds, 1)


def _speed(app, path):
    """Pipeline and training-step examples per second of `app` on the table."""
    import keras

    import keras_seq
    from keras_seq.cli import setups

    setup = setups.get(app)
    data = keras_seq.data.load(path, stream=True)
    sample = data.train.take(2_000)
    model = setup.build(sample.x, sample.y, data, False)
    model.compile()
    batches = data.train.batches(BATCH_SIZE, model.preprocessor, shuffle=True)
    start = time.perf_counter()
    made = [batches[i] for i in range(BATCHES)]
    pipeline = _rate(BATCHES * BATCH_SIZE, time.perf_counter() - start)
    for x, y in made:  # one warm pass: every padded width compiled
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for x, y in made:
        model.train_on_batch(x, y)
    step = _rate(BATCHES * BATCH_SIZE, time.perf_counter() - start)
    return {
        "backend": keras.backend.backend(),
        "app": app,
        "pipeline_examples_per_s": pipeline,
        "step_examples_per_s": step,
        "pipeline_over_step": round(pipeline / step, 1),
    }


def _memory(folder, gigabytes):
    path = writers.large_table(os.path.join(folder, "large.csv"), gigabytes * 1024)
    command = [
        sys.executable,
        "-m",
        "keras_seq",
        "train",
        "text_classifier",
        "--data",
        path,
        "--tiny",
        "--epochs",
        "1",
        "--limit",
        "5000",
        "--output",
        os.path.join(folder, "run"),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "backend": os.environ.get("KERAS_BACKEND"),
        "table_mb": round(os.path.getsize(path) / 2**20),
        "peak_resident_mb": round(peak),
        "seconds": round(time.perf_counter() - start),
        "command": " ".join(command[1:]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--memory-gb", type=float)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.speed:
            text = _text_table(os.path.join(folder, "texts.csv"), 4_000)
            print(json.dumps(_speed("text_classifier", text)), flush=True)
            images = _image_table(folder, 2_500)
            print(json.dumps(_speed("vit", images)), flush=True)
        if args.memory_gb:
            print(json.dumps(_memory(folder, args.memory_gb)), flush=True)


if __name__ == "__main__":
    main()
