"""`keras-seq list`: the applications, the data sets and the shipped presets.

It imports no Keras: the applications' table, the data sets' docstrings
and the presets' `metadata.json` are all it reads.
"""

import importlib

from keras_seq.cli import own_data
from keras_seq.cli import setups
from keras_seq.cli import shipped


def table(headers, rows):
    """Rows as aligned columns under their headers (a list of lines)."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(headers, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return [line.rstrip() for line in lines]


def _dataset_summary(name):
    module = importlib.import_module(f"keras_seq.datasets.{name}")
    return (module.__doc__ or "").strip().splitlines()[0].rstrip(".")


def _short(text, limit=44):
    text = (text or "").split(" (")[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _size(size):
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def preset_rows():
    """What `list` shows of each shipped preset, from its metadata.json alone.

    The fields of `keras_seq.applications.PresetInfo`, as a dict, read
    without importing Keras (see `keras_seq.cli.shipped`).
    """
    rows = []
    for name in shipped.names():
        metadata = shipped.metadata(name)
        metric = metadata.get("metric") or {}
        baseline = metadata.get("baseline") or {}
        rows.append(
            {
                "name": name,
                "builder": metadata.get("builder"),
                "dataset": metadata.get("dataset"),
                "metric": metric.get("name"),
                "value": metric.get("value"),
                "split": metric.get("split"),
                "baseline": baseline.get("name"),
                "baseline_value": baseline.get("value"),
                "size_bytes": shipped.size_bytes(name, metadata),
            }
        )
    return rows


def run(args):
    from keras_seq import datasets

    print("Applications (keras-seq train APP [--data NAME]):")
    rows = [
        (s.name, s.builder, ", ".join(s.datasets), s.epochs, s.summary)
        for s in setups.SETUPS.values()
    ]
    headers = ["APP", "builder", "data sets", "epochs", "what it learns"]
    print("\n".join("  " + line for line in table(headers, rows)))
    print(
        "  your own data: keras-seq train APP --data PATH, a table (.csv .tsv "
        ".jsonl .parquet, .gz), class folders or a .txt corpus, for "
        f"{', '.join(own_data.FORMS)} (docs/own-data.md; in Python: "
        "keras_seq.data.load, then Builder.from_data)"
    )

    print("\nData sets (bundled, offline):")
    rows = [(name, _dataset_summary(name)) for name in datasets.__all__]
    print("\n".join("  " + line for line in table(["NAME", "what it is"], rows)))

    print("\nShipped presets (keras-seq evaluate|predict NAME):")
    presets = preset_rows()
    if not presets:
        print("  none ship yet: train one with `keras-seq train`")
        return 0
    rows = []
    for info in presets:
        value = "" if info["value"] is None else f"{info['value']:.3f}"
        baseline = (
            ""
            if info["baseline_value"] is None
            else f"{info['baseline_value']:.3f} ({_short(info['baseline'])})"
        )
        metric = f"{info['split']} {_short(info['metric'])}" if info["metric"] else ""
        rows.append(
            (
                info["name"],
                info["builder"],
                info["dataset"],
                metric,
                value,
                baseline,
                _size(info["size_bytes"]),
            )
        )
    headers = ["PRESET", "builder", "data set", "metric", "value", "baseline", "size"]
    print("\n".join("  " + line for line in table(headers, rows)))
    return 0
