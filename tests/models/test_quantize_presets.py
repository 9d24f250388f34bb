"""Every shipped preset in int8: its held-out figure, its file, its reload (slow).

Each preset is quantized with `quantize("int8")` and scored on the whole
test split of its data set with the figure of its model card
(`keras_seq.evaluation.held_out`), which must stay within `TOLERANCE` of
the card's float figure; its `.keras` file must be at most half the float
file where Keras quantizes most of its weights (Keras has no quantized
LSTM or GRU: a recurrent preset's file shrinks by its embedding and head
only, at least 60 % of their float bytes, less `CONFIG_BYTES`); and the
reloaded file must predict what the quantized model predicts.
"""

import os

import keras
import numpy as np
import pytest

from keras_seq.evaluation import held_out
from keras_seq.models import Task
from keras_seq.models import quantization
from keras_seq.presets import shipped
from keras_seq.presets.format import read_metadata
from tests.applications import preset_recipes

# How far the int8 figure may move from the card's float one, by metric.
TOLERANCE = {
    "accuracy": 0.01,
    "exact caption rate": 0.01,
    "bits per character": 0.05,
    "character accuracy": 0.01,
    "mean absolute error": 0.5,  # sunspot number, whose card figure is ~12
}
# Where Keras quantizes at least this share of the weights, the int8
# file is at most half the float file.
MOSTLY_QUANTIZED = 0.8
# What the int8 file adds whatever it quantizes: each quantized layer's
# policy in the config, its scale (sunspots_lstm's only quantizable layer,
# its 65-weight head, grows its file by 390 bytes).
CONFIG_BYTES = 2048


def _tolerance(metric):
    (tolerance,) = [
        value for name, value in TOLERANCE.items() if metric.startswith(name)
    ]
    return tolerance


def _quantizable_share(model):
    types = quantization.QUANTIZABLE_LAYERS["int8"]
    quantizable = sum(
        layer.count_params()
        for layer in model._flatten_layers(include_self=False)
        if type(layer) in types
    )
    return quantizable, quantizable / model.count_params()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(shipped.SHIPPED_PRESETS))
def test_int8_preset_keeps_its_figure_and_halves_its_file(name, tmp_path):
    metadata = read_metadata(name)
    figure = held_out.get(metadata["dataset"])
    model = Task.from_preset(name)
    quantizable, share = _quantizable_share(model)
    model.save(tmp_path / "float.keras")
    model.quantize("int8")
    scores = figure.measure(model, *figure.examples("test"))
    card = metadata["metric"]["value"]
    assert abs(scores[figure.metric] - card) <= _tolerance(figure.metric), (
        scores[figure.metric],
        card,
    )
    model.save(tmp_path / "int8.keras")
    float_size = os.path.getsize(tmp_path / "float.keras")
    int8_size = os.path.getsize(tmp_path / "int8.keras")
    if share >= MOSTLY_QUANTIZED:
        assert int8_size <= float_size / 2, (int8_size, float_size)
    else:
        assert int8_size <= float_size - 0.6 * 4 * quantizable + CONFIG_BYTES, (
            int8_size,
            float_size,
        )
    loaded = keras.saving.load_model(tmp_path / "int8.keras")
    np.testing.assert_allclose(
        preset_recipes.probe_outputs(loaded, name),
        preset_recipes.probe_outputs(model, name),
        atol=1e-5,
    )
