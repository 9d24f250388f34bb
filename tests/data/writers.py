"""Small files of every form, written by the tests into their own folders.

And the one large table of the streaming test and `benchmarks/own_data.py`.
"""

import gzip
import json
import os

import numpy as np


def write_table(path, rows):
    """Writes `rows` (dicts) in `path`'s format: csv, tsv, jsonl, parquet, .gz."""
    path = str(path)
    plain = path[:-3] if path.endswith(".gz") else path
    names = list(rows[0])
    if plain.endswith(".parquet"):
        import pyarrow as pa
        from pyarrow import parquet

        table = pa.table({name: [row[name] for row in rows] for name in names})
        target = plain if plain == path else pa.BufferOutputStream()
        parquet.write_table(table, target)
        if plain != path:
            with gzip.open(path, "wb") as handle:
                handle.write(target.getvalue().to_pybytes())
        return path
    if plain.endswith(".jsonl"):
        text = "".join(json.dumps(row) + "\n" for row in rows)
    else:
        separator = "\t" if plain.endswith(".tsv") else ","
        lines = [separator.join(names)]
        lines += [separator.join(_cell(row[name]) for name in names) for row in rows]
        text = "\n".join(lines) + "\n"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _cell(value):
    text = "" if value is None else str(value)
    return f'"{text}"' if "," in text else text


def reviews(count=20):
    """Rows of a text table: `text` and a `label` of two classes."""
    return [
        {
            "text": f"a {'fine' if i % 2 else 'dull'} film, number {i}",
            "label": "pos" if i % 2 else "neg",
        }
        for i in range(count)
    ]


def image(path, size=(8, 8), grey=False, seed=0):
    """Writes a random PNG (or JPEG, by suffix) image."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    shape = size if grey else (*size, 3)
    os.makedirs(os.path.dirname(str(path)) or ".", exist_ok=True)
    Image.fromarray(rng.integers(0, 255, shape, dtype="uint8")).save(path)
    return path


def series_csv(path, series):
    """Writes a `(steps, channels)` series as a CSV under a header row."""
    names = [f"c{i}" for i in range(series.shape[1])]
    lines = [",".join(names)] + [",".join(map(str, row)) for row in series]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def class_folder(root, kind, per_class=6, classes=("a", "b"), size=(8, 8)):
    """A folder of one subfolder per class, of `kind` files; returns `root`."""
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        folder = os.path.join(str(root), name)
        os.makedirs(folder, exist_ok=True)
        for i in range(per_class):
            stem = os.path.join(folder, f"{i}")
            if kind == "text":
                with open(stem + ".txt", "w", encoding="utf-8") as handle:
                    handle.write(f"text {i} of class {name}")
            elif kind == "image":
                image(stem + ".png", size, seed=10 * c + i)
            elif kind == "video":
                np.save(stem + ".npy", rng.random((4, *size), dtype="float32"))
            else:
                steps = rng.normal(c, 1.0, (int(rng.integers(4, 9)), 2))
                if i % 2:
                    series_csv(stem + ".csv", steps)
                else:
                    np.save(stem + ".npy", steps.astype("float32"))
    return root


def video(path, frames, codec="mpeg4"):
    """Writes `uint8` frames `(frames, height, width[, 3])` as a video with PyAV.

    `codec`: `"mpeg4"` (lossy, YUV 4:2:0), `"ffv1"` (lossless: RGB or
    grey), or another FFmpeg encoder; frames without channels are grey.
    """
    import av

    grey = frames.ndim == 3
    os.makedirs(os.path.dirname(str(path)) or ".", exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=8)
        stream.height, stream.width = frames.shape[1:3]
        colour = "bgr0" if codec == "ffv1" else "yuv420p"
        stream.pix_fmt = "gray" if grey else colour
        for frame in frames:
            picture = av.VideoFrame.from_ndarray(frame, "gray" if grey else "rgb24")
            container.mux(stream.encode(picture))
        container.mux(stream.encode())
    return path


def large_table(path, megabytes):
    """Writes a CSV table of texts (`text`, `label`) of about `megabytes` MB."""
    block = "".join(
        f"{'a fine' if i % 2 else 'a dull'} film of row {i} and some more words "
        f"to make the row longer,{'pos' if i % 2 else 'neg'}\n"
        for i in range(20_000)
    )
    with open(path, "w") as handle:
        handle.write("text,label\n")
        while handle.tell() < megabytes * 2**20:
            handle.write(block)
    return path
