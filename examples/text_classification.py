"""Many-to-one: is a Rotten Tomatoes review fresh or rotten?

A small TransformerEncoder classifier built from keras_seq layers, trained
with `model.fit` on the 10,202 training reviews and scored on the 1,275
held-out test reviews. Runs on any backend:

    KERAS_BACKEND=jax python examples/text_classification.py
"""

import argparse

import keras
import numpy as np

from keras_seq import layers
from keras_seq.datasets import rotten_tomatoes

VOCABULARY_SIZE = 20_000
MAX_LENGTH = 64


def build_classifier(hidden_dim=64, num_heads=4, intermediate_dim=128, dropout=0.2):
    inputs = keras.Input((None,), dtype="int32")
    x = layers.TokenAndPositionEmbedding(VOCABULARY_SIZE, MAX_LENGTH, hidden_dim)(
        inputs
    )
    x = layers.TransformerEncoder(num_heads, intermediate_dim, dropout=dropout)(x)
    x = layers.MaskedMeanPooling()(x)  # averages real tokens only
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    data = rotten_tomatoes.load_data()
    vectorize = keras.layers.TextVectorization(
        VOCABULARY_SIZE, output_sequence_length=MAX_LENGTH
    )
    vectorize.adapt(data["train"][0])

    def token_ids(split):
        texts, labels = data[split]
        return keras.ops.convert_to_numpy(vectorize(texts)).astype("int32"), labels

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = map(
        token_ids, ("train", "validation", "test")
    )

    model = build_classifier()
    model.compile(
        optimizer=keras.optimizers.AdamW(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        # A small model overfits 10k reviews within a few epochs: keep the best.
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=1, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    majority = max(np.mean(y_test), 1 - np.mean(y_test))
    print(f"backend: {keras.backend.backend()}")
    print(f"test accuracy: {accuracy:.3f} (majority-class baseline {majority:.3f})")


if __name__ == "__main__":
    main()
