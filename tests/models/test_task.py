import keras
import numpy as np
import pytest

from keras_seq.models import Task


@keras.saving.register_keras_serializable(package="keras_seq_tests")
class TinyRegressor(Task):
    def __init__(self, units=3, name=None, **kwargs):
        inputs = keras.Input((4,))
        outputs = keras.layers.Dense(units)(inputs)
        super().__init__(
            inputs, outputs, init_config={"units": units}, name=name, **kwargs
        )

    def default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.05, clipnorm=1.0)

    def default_loss(self):
        return "mse"

    def default_metrics(self):
        return ["mae"]


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 3)).astype(
        "float32"
    )


def test_compile_fills_in_defaults():
    model = TinyRegressor()
    model.compile()
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.clipnorm == 1.0
    history = model.fit(*_data(), epochs=1, verbose=0)
    assert {"loss", "mae"} <= set(history.history)


def test_compile_keeps_what_is_given():
    model = TinyRegressor()
    model.compile(optimizer="adam", loss="mae")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.loss == "mae"


def test_config_round_trip_gives_the_subclass():
    model = TinyRegressor(units=5, name="tiny")
    clone = TinyRegressor.from_config(model.get_config())
    assert isinstance(clone, TinyRegressor)
    assert clone.get_config() == model.get_config()


def test_loaded_model_is_compiled_as_saved(tmp_path):
    model = TinyRegressor()
    model.compile()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "tiny.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored, TinyRegressor)
    assert isinstance(restored.optimizer, keras.optimizers.SGD)
    assert restored.optimizer.clipnorm == 1.0
    np.testing.assert_allclose(
        restored.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    restored.fit(x, y, epochs=1, verbose=0)  # trains on without compile()


def test_missing_default_loss_says_so():
    class NoLoss(Task):
        def __init__(self):
            inputs = keras.Input((2,))
            super().__init__(inputs, keras.layers.Dense(1)(inputs), init_config={})

    with pytest.raises(NotImplementedError, match="NoLoss"):
        NoLoss().compile()
