"""The presets that ship with keras-seq: their registry and `list_presets`.

Each shipped preset is a folder under `keras_seq/presets/files/`
(package data: a wheel carries it, so it loads with no network), written by
its recipe `recipes/<name>/train.py` at the top of the repository with
`Task.save_to_preset`; `recipes/<name>/MODEL_CARD.md` describes it.
`SHIPPED_PRESETS` holds the SHA-256 digest of each folder's
`metadata.json`, which in turn holds the digest and size of every other
file: loading checks them all before reading anything (see
`keras_seq.presets.preset`).

Importing `keras_seq.applications` registers these names with the preset
format, so `Builder.from_preset(name)` and `Builder(weights=name)` find
them, while `keras_seq.models` never imports the applications.

Example:

>>> from keras_seq.applications import ViT, list_presets
>>> "mnist_vit" in [info.name for info in list_presets()]
True
>>> model = ViT.from_preset("mnist_vit")
>>> from keras_seq.datasets import mnist
>>> images, labels = mnist.load_data("test")
>>> predicted = model.predict(images[:100], verbose=0).argmax(-1)
>>> bool((predicted == labels[:100]).mean() > 0.9)
True
"""

import dataclasses
import os

from keras_seq.presets import preset as preset_format

PRESETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")

# name -> the SHA-256 digest of its metadata.json (written by the recipes).
SHIPPED_PRESETS = {
    "digit_captions": (
        "4edc88026ee9a84e1eede405f5fd004b7f4675ab12ebe8a07f6f9c043cf66158"
    ),
    "en_fr_names": "5c455502241281b83fedd00df52d44ba3b995e20bc10acae1a3d8aceb56ce060",
    "hamlet_char_lm": (
        "eb0e643aee22cf98a57e3564ea5e9fb7bef078b2d4b5cbf03e08d0c57ac92b4c"
    ),
    "japanese_vowels_lstm": (
        "6a25a8fef4b21d7c503cfe25124161c675634e835fbceb2d0867bd1e5faa583b"
    ),
    "mnist_vit": "09d351c155c72c30245034e0242a995d87e930cbb2a238db947cabbda7575bd0",
    "moving_digits_vivit": (
        "259ccd5d1f40ad492c4c554728759b006b7c422a56e2f16fbfb98d6a94cffb2f"
    ),
    "rotten_tomatoes": (
        "e6d2934d03c306258271fa88effa1ae2dfddd8108d03e13f34f7e2694dccf0f7"
    ),
    "rotten_tomatoes_lstm": (
        "5d1f35d2cc4cfb8ec7725fc955eb45d3e6d85b2ec37faf19ec3de9f64fd3bd75"
    ),
    "sunspots_lstm": "5d0ae4150f932c1184ce02a0f2737ba0ba501af2d1be4b376925dc8758772eea",
}


@dataclasses.dataclass(frozen=True)
class PresetInfo:
    """What `list_presets` tells of one shipped preset.

    Attributes:
        name: the name `from_preset` and `weights=` take.
        builder: the application class, e.g. `"ViT"`.
        dataset: the `keras_seq.datasets` module it was trained on.
        metric: the held-out metric, e.g. `"accuracy"`.
        value: its value, measured by the recipe on `split`.
        split: the split it was measured on (`"test"`).
        baseline: the reference model the card compares with.
        baseline_value: the reference's value of `metric` on `split`.
        size_bytes: the size of the preset's files together.
    """

    name: str
    builder: str
    dataset: str
    metric: str
    value: float
    split: str
    baseline: str
    baseline_value: float
    size_bytes: int


def preset_directory(name):
    """The folder of the shipped preset `name` (it may not exist yet)."""
    return os.path.join(PRESETS_DIR, name)


def _register():
    for name, digest in SHIPPED_PRESETS.items():
        preset_format.register_shipped_preset(
            name, preset_directory(name), digest, f"recipes/{name}/train.py"
        )


def list_presets():
    """Every shipped preset: a list of `PresetInfo`, sorted by name.

    Each preset's `metadata.json` is checked against its registered digest
    before it is read (a bad one raises a ValueError naming it); the other
    files are checked when the preset loads.
    """
    infos = []
    for name in sorted(SHIPPED_PRESETS):
        metadata = preset_format.read_metadata(name)
        metric = metadata.get("metric", {})
        baseline = metadata.get("baseline", {})
        sizes = [entry["size"] for entry in metadata["files"].values()]
        metadata_size = os.path.getsize(
            os.path.join(preset_directory(name), preset_format.METADATA_FILE)
        )
        infos.append(
            PresetInfo(
                name=name,
                builder=metadata["builder"],
                dataset=metadata.get("dataset"),
                metric=metric.get("name"),
                value=metric.get("value"),
                split=metric.get("split"),
                baseline=baseline.get("name"),
                baseline_value=baseline.get("value"),
                size_bytes=sum(sizes) + metadata_size,
            )
        )
    return infos


_register()
