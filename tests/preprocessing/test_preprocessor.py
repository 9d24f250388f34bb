import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_seq
from keras_seq.preprocessing import Preprocessor
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import character_tokenizer


class Doubler(Preprocessor):
    def call(self, x, y=None, sample_weight=None):
        if not isinstance(x, list):
            raise ValueError(f"`x` must be a list. Received: x={x!r}")
        x = 2 * np.asarray(x, "float32")
        return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)


def test_raw_inputs_reach_call_unconverted():
    doubled = Doubler()([1, 2])
    assert isinstance(doubled, np.ndarray) and doubled.tolist() == [2.0, 4.0]
    x, y = Doubler()([1], ["label"])
    assert y == ["label"]
    assert Doubler().built


def test_own_error_messages_stay_short():
    with pytest.raises(ValueError) as error:
        Doubler()(np.zeros(3))
    assert str(error.value) == "`x` must be a list. Received: x=array([0., 0., 0.])"


def test_base_call_is_abstract():
    with pytest.raises(NotImplementedError, match="must implement `call"):
        Preprocessor()([1])


def test_refuses_to_run_inside_a_tf_function():
    import tensorflow as tf

    preprocessor = TextClassifierPreprocessor(character_tokenizer(), 8)
    with pytest.raises(RuntimeError, match="runs eagerly on NumPy"):
        tf.function(lambda: preprocessor(["a"]))()


def test_lazy_subpackage():
    assert keras_seq.preprocessing.Preprocessor is Preprocessor


def test_import_loads_no_keras_hub():
    """Applications may import the preprocessors without loading KerasHub."""
    code = (
        "import sys, keras_seq.preprocessing; "
        "print(sorted(m for m in ('keras_hub', 'tokenizers') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
