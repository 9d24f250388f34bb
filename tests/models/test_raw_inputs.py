"""A Task with a preprocessor takes raw inputs in fit, evaluate and predict.

The preprocessor here is a stand-in (characters to ids, padded to the
batch's longest string), so these tests check the Task's side of the
contract only; tests/applications/test_raw_inputs.py runs the real
preprocessors of keras_seq.preprocessing.
"""

import keras
import numpy as np
import pytest

from keras_seq.backend.support import batches_for_keras
from keras_seq.models import Task
from keras_seq.models.raw_inputs import PreprocessedBatches
from keras_seq.models.raw_inputs import as_items


@keras.saving.register_keras_serializable(package="keras_seq_tests")
class CharacterIds(keras.layers.Layer):
    """Strings to `(batch, longest)` ids, 1 + code point mod 30; 0 pads."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self.widths = []
        self.sizes = []

    def call(self, x, y=None, sample_weight=None):
        width = max(map(len, x))
        ids = np.zeros((len(x), width), "int32")
        for row, text in enumerate(x):
            ids[row, : len(text)] = [1 + ord(c) % 30 for c in text]
        self.widths.append(width)
        self.sizes.append(len(x))
        return keras.utils.pack_x_y_sample_weight(ids, y, sample_weight)


@keras.saving.register_keras_serializable(package="keras_seq_tests")
class TinyTextClassifier(Task):
    def __init__(self, preprocessor=None, name=None, **kwargs):
        ids = keras.Input((None,), dtype="int32")
        x = keras.layers.Embedding(31, 8, mask_zero=True)(ids)
        x = keras.layers.GlobalAveragePooling1D()(x)
        outputs = keras.layers.Dense(2, activation="softmax")(x)
        super().__init__(
            ids, outputs, init_config={}, preprocessor=preprocessor, name=name, **kwargs
        )

    def default_loss(self):
        return "sparse_categorical_crossentropy"

    def default_metrics(self):
        return ["accuracy"]


TEXTS = ["ab", "abcdef", "a", "abcdefghijkl", "xyz", "hello there", "q", "wx"]
LABELS = np.array([0, 1, 0, 1, 0, 1, 0, 1])


def _ids(texts):
    return CharacterIds()(texts)


def test_fit_evaluate_predict_take_raw_strings():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    model.compile()
    history = model.fit(TEXTS, LABELS, batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    probabilities = model.predict(TEXTS, verbose=0)
    assert probabilities.shape == (len(TEXTS), 2)
    loss, accuracy = model.evaluate(TEXTS, LABELS, verbose=0)
    expected_accuracy = np.mean(probabilities.argmax(-1) == LABELS)
    assert accuracy == pytest.approx(expected_accuracy)


def test_raw_predictions_equal_those_of_the_model_inputs():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    raw = model.predict(TEXTS, verbose=0)
    model.preprocessor = None
    np.testing.assert_allclose(raw, model.predict(_ids(TEXTS), verbose=0), atol=1e-6)


def test_each_batch_is_padded_to_its_own_longest():
    preprocessor = CharacterIds()
    batches = PreprocessedBatches(
        preprocessor, as_items(TEXTS), as_items(LABELS), batch_size=4
    )
    widths = [batches[index][0].shape[1] for index in range(len(batches))]
    assert widths == [12, 11]


def test_training_batches_reshuffle_every_epoch():
    batches = PreprocessedBatches(
        CharacterIds(), as_items(TEXTS), as_items(LABELS), batch_size=8, shuffle=True
    )
    orders = []
    for _ in range(3):
        batches.on_epoch_begin()
        orders.append(tuple(batches[0][1]))
        batches.on_epoch_end()
    assert all(sorted(order) == sorted(LABELS) for order in orders)
    assert len(set(orders)) > 1


def test_validation_data_and_split_take_raw_inputs():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    model.compile()
    history = model.fit(
        TEXTS, LABELS, validation_data=(TEXTS[:4], LABELS[:4]), epochs=1, verbose=0
    )
    assert "val_loss" in history.history
    history = model.fit(TEXTS, LABELS, validation_split=0.25, epochs=1, verbose=0)
    assert "val_loss" in history.history


def test_mismatched_targets_name_the_argument():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    model.compile()
    with pytest.raises(ValueError, match="`y` must hold one item for each of the 8"):
        model.fit(TEXTS, LABELS[:3], verbose=0)


def test_a_single_string_is_refused_with_the_fix():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    with pytest.raises(TypeError, match=r"pass \[x\]"):
        model.predict("one review", verbose=0)


def test_the_preprocessor_is_saved_with_the_model(tmp_path):
    model = TinyTextClassifier(preprocessor=CharacterIds())
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored.preprocessor, CharacterIds)
    np.testing.assert_allclose(
        restored.predict(TEXTS, verbose=0), model.predict(TEXTS, verbose=0), atol=1e-6
    )


def test_without_a_preprocessor_model_inputs_pass_through():
    model = TinyTextClassifier()
    assert model.predict(_ids(TEXTS), verbose=0).shape == (len(TEXTS), 2)
    assert "preprocessor" not in model.get_config()


def test_batches_of_other_widths_than_the_first_two_train():
    # On TensorFlow, Keras' PyDataset adapter took its shapes from the first
    # two batches (width 12): the third (width 5) failed.
    texts = ["twelve chars"] * 4 + ["short"] * 2
    preprocessor = CharacterIds()
    model = TinyTextClassifier(preprocessor=preprocessor)
    model.compile()
    history = model.fit(
        texts, np.arange(6) % 2, batch_size=2, shuffle=False, epochs=2, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()
    assert {12, 5} <= set(preprocessor.widths)


def test_tensorflow_gets_a_pipeline_without_autotuning_elsewhere_the_batches():
    # With autotuning on, tf.data's iterator waits at the end of an epoch
    # for its autotuning thread, up to as long again as the epoch.
    batches = PreprocessedBatches(
        CharacterIds(), as_items(TEXTS, "x"), as_items(LABELS, "y"), None, batch_size=4
    )
    fed = batches_for_keras(batches)
    if keras.backend.backend() == "tensorflow":
        assert fed.options().autotune.enabled is False
        widths = [ids.shape[1] for ids, _ in fed.as_numpy_iterator()]
        assert widths == [12, 11]
    else:
        assert fed is batches


def test_shuffled_training_is_reproducible_with_the_keras_seed():
    def train():
        keras.utils.set_random_seed(3)
        model = TinyTextClassifier(preprocessor=CharacterIds())
        model.compile()
        model.fit(TEXTS, LABELS, batch_size=2, epochs=2, verbose=0)
        return model.get_weights()

    for first, second in zip(train(), train()):
        np.testing.assert_array_equal(first, second)


def test_validation_batch_size_is_honoured():
    preprocessor = CharacterIds()
    model = TinyTextClassifier(preprocessor=preprocessor)
    model.compile()
    model.fit(
        TEXTS,
        LABELS,
        batch_size=2,
        validation_data=(TEXTS, LABELS),
        validation_batch_size=8,
        epochs=1,
        verbose=0,
    )
    assert 8 in preprocessor.sizes


def test_a_loaded_model_resolves_jit_compile_on_its_own_backend(tmp_path):
    # A file saved under JAX recorded jit_compile=True, which PyTorch read
    # as torch.compile.
    model = TinyTextClassifier(preprocessor=CharacterIds())
    model.compile(jit_compile=True)
    path = str(tmp_path / "model.keras")
    model.save(path)
    fresh = TinyTextClassifier()
    fresh.compile()
    assert keras.saving.load_model(path).jit_compile == fresh.jit_compile


class _Batches(keras.utils.PyDataset):
    """Training batches of model inputs, made by the caller."""

    def __len__(self):
        return 2

    def __getitem__(self, index):
        rows = slice(4 * index, 4 * index + 4)
        return _ids(TEXTS[rows]), LABELS[rows]


def test_raw_validation_data_goes_through_the_preprocessor_with_any_training_data():
    model = TinyTextClassifier(preprocessor=CharacterIds())
    model.compile()
    history = model.fit(
        _Batches(), validation_data=(TEXTS[:4], LABELS[:4]), epochs=1, verbose=0
    )
    assert "val_loss" in history.history


def test_predict_pads_the_last_batch_and_returns_every_row_unchanged():
    # The rows are padded (to a power of two) after preprocessing.
    model = TinyTextClassifier(preprocessor=CharacterIds())
    sizes = model.preprocessor.sizes
    for examples in (1, 3, 5, 8):
        sizes.clear()
        texts = (TEXTS * 2)[:examples]
        probabilities = model.predict(texts, batch_size=8, verbose=0)
        assert probabilities.shape == (examples, 2)
        model.preprocessor, preprocessor = None, model.preprocessor
        try:
            alone = model.predict(_ids(texts), verbose=0)
        finally:
            model.preprocessor = preprocessor
        np.testing.assert_allclose(probabilities, alone, atol=1e-6)
        assert sizes == [examples]
    assert model.predict(TEXTS * 3, batch_size=8, verbose=0).shape == (24, 2)


def test_padded_batch_counts_are_few():
    from keras_seq.models.raw_inputs import padded_batch_count

    assert [padded_batch_count(n, 8) for n in (1, 2, 3, 5, 8, 9, 13, 16)] == [
        1,
        2,
        4,
        8,
        8,
        9,
        16,
        16,
    ]
    assert len({padded_batch_count(n, 32) % 32 for n in range(1, 200)}) <= 6
