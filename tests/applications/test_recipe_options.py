"""Options of the preset recipes that change what they train from or how."""

import argparse

import keras
import numpy as np

from keras_seq.applications import ViViT
from keras_seq.datasets import moving_digits
from tests.applications.preset_recipes import recipe
from tests.tiers import default_only_under


@default_only_under("torch")  # a minute of ViViT compilation elsewhere
def test_moving_digits_recipe_goes_on_from_its_preset():
    module = recipe("moving_digits_vivit")
    clips, labels = moving_digits.load_data("train")
    args = argparse.Namespace(
        from_preset="moving_digits_vivit",
        tubelet_size=[8, 4, 4],
        dropout=0.1,
        learning_rate=2.5e-4,
        epochs=2,
        batch_size=10,
    )
    splits = {"train": (clips[:20], labels[:20])}
    model, train = module.build_and_compile(args, "spatiotemporal", splits)
    preset = ViViT.from_preset("moving_digits_vivit")
    # The preset's weights and preprocessor (raw uint8 clips in) ...
    np.testing.assert_allclose(
        model.predict(clips[:4], verbose=0),
        preset.predict(clips[:4], verbose=0),
        atol=1e-5,
    )
    # ... trained by the recipe's optimizer: warm-up, then cosine decay.
    assert isinstance(model.optimizer, keras.optimizers.AdamW)
    schedule = model.optimizer._learning_rate
    assert float(schedule(0)) == 0.0
    steps = args.epochs * len(train)  # 4: a warm-up of 1 step
    assert np.isclose(float(schedule(1)), 2.5e-4)
    assert float(schedule(steps)) == 0.0
    model.fit(train, epochs=1, verbose=0)


def test_en_fr_names_recipe_learning_rates():
    module = recipe("en_fr_names")
    args = argparse.Namespace(learning_rate=1e-3, schedule="constant")
    constant = module.optimizer(args, steps=100)
    assert np.isclose(float(constant.learning_rate), 1e-3) and constant.clipnorm == 1.0
    args.schedule = "warmup_cosine"
    schedule = module.optimizer(args, steps=100)._learning_rate
    rates = [float(schedule(step)) for step in (0, 5, 100)]  # 5 warm-up steps
    np.testing.assert_allclose(rates, [0.0, 1e-3, 0.0], atol=1e-9)
