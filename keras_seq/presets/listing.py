"""`list_presets`: what each shipped preset is and how well it does.

It reads each shipped preset's `metadata.json` (checked against the
registry's digest) and imports no Keras.

Example:

>>> from keras_seq.presets.listing import list_presets
>>> info = {info.name: info for info in list_presets()}["mnist_vit"]
>>> info.builder, info.dataset, info.metric, info.split
('ViT', 'mnist', 'accuracy', 'test')
"""

import dataclasses
import os

from keras_seq.presets import format as preset_format
from keras_seq.presets import shipped


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


def list_presets():
    """Every shipped preset: a list of `PresetInfo`, sorted by name.

    Each preset's `metadata.json` is checked against its registered digest
    before it is read (a bad one raises a ValueError naming it); the other
    files are checked when the preset loads.
    """
    infos = []
    for name in sorted(shipped.SHIPPED_PRESETS):
        metadata = preset_format.read_metadata(name)
        metric = metadata.get("metric", {})
        baseline = metadata.get("baseline", {})
        sizes = [entry["size"] for entry in metadata["files"].values()]
        metadata_size = os.path.getsize(
            os.path.join(shipped.preset_directory(name), preset_format.METADATA_FILE)
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
