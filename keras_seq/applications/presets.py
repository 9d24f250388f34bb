"""The presets that ship with keras-seq: their registry and `list_presets`.

Each shipped preset is a folder under `keras_seq/applications/preset_files/`
(package data: a wheel carries it, so it loads with no network), written by
its recipe `applications/<name>/train.py` at the top of the repository with
`Task.save_to_preset`; `applications/<name>/MODEL_CARD.md` describes it.
`SHIPPED_PRESETS` holds the SHA-256 digest of each folder's
`metadata.json`, which in turn holds the digest and size of every other
file: loading checks them all before reading anything (see
`keras_seq.models.preset`).

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

from keras_seq.models import preset as preset_format

PRESETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preset_files")

# name -> the SHA-256 digest of its metadata.json (written by the recipes).
SHIPPED_PRESETS = {
    "digit_captions": (
        "8d2bac6100c214de9218112c5b6ee2430bda9b661e793dd09cedc531bddb9a13"
    ),
    "en_fr_names": "f9d23f3da607bd1fb1840a6c971daeba6810fa99263e95676446d2522ffdce8f",
    "hamlet_char_lm": (
        "312830e7fffaf2285a9d24b3df80da3995367f1f8914d30b7ee27eae685b03e4"
    ),
    "japanese_vowels_lstm": (
        "9c9e1d954f7ca4d6ee8be6feb41380be35ab6ace5796ec1382398ee412089e18"
    ),
    "mnist_vit": "94fda55c3beee3c153368c73b46d1c43773a690605d9a83ee19ae60fea47dd50",
    "moving_digits_vivit": (
        "dd66ce32c830fa1f17e985caf02efb68b785bae67a2ea1f515911a94b4faac7c"
    ),
    "rotten_tomatoes": (
        "6107871e277307d8c7e8b193bf35f3248588e3637f40fef9f384ca21bcc621e6"
    ),
    "rotten_tomatoes_lstm": (
        "207eb14c1d6d5fd5dbcb9bb554a5d229d2b8aca0d8190783fbbedfbe544b0f4d"
    ),
    "sunspots_lstm": "ae314b72aeddffdb01dda63d5ed95c3734bea8387ca325d3a48a10d035e827a3",
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
            name, preset_directory(name), digest, f"applications/{name}/train.py"
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
