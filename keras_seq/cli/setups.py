"""What `keras-seq train` does for each application, in one table.

One `Setup` per application: its data sets (the first is the default),
the raw `(x, y)` it trains and validates on (read by
`keras_seq.datasets.examples.load_examples`, the one reader of the data
sets), and the model with its preprocessor (fitted on the training split
only). The held-out figure
is not defined here: every data set's is `keras_seq.evaluation.held_out`'s,
the one the presets' cards report. Everything heavy is imported inside
the functions, so reading the table (to check an application's name)
loads no Keras.

The model sizes follow the examples (`examples/*.py`) and the recipes
(`recipes/*/train.py`), which the package may not import.

Example:

    setup = get("text_classifier")
    x, y = load_split(setup, check_dataset(setup, None), "train", limit=100)
"""

import dataclasses
from collections.abc import Callable

from keras_seq.cli.errors import UsageError


@dataclasses.dataclass(frozen=True)
class Setup:
    """How the command trains one application.

    Attributes:
        name: the command-line name (`text_classifier`).
        builder: the class of `keras_seq.applications` (`TextClassifier`).
        datasets: the `keras_seq.datasets` it trains on; the first is the default.
        summary: one line for `keras-seq list`.
        epochs, batch_size: the defaults of `train`.
        examples: `(dataset, split) -> (x, y)`, the raw inputs and targets
            of the training and validation splits.
        build: `(x_train, y_train, dataset, tiny) -> model` with its
            preprocessor fitted on the training split; `tiny` for smoke runs.
        labels: `dataset -> class names` (None: not a classifier).
        targets: `(model, y) -> y` as the model is trained on (default: `y`).
        finish: `(model) -> None`, after training, so that the model's
            outputs are in the data set's units (default: nothing).
        patience: epochs without a better validation loss before stopping.
    """

    name: str
    builder: str
    datasets: tuple
    summary: str
    epochs: int
    batch_size: int
    examples: Callable
    build: Callable
    labels: Callable = None
    targets: Callable = None
    finish: Callable = None
    patience: int = 2


def _dataset(name):
    from keras_seq.datasets import examples

    return examples.get(name)


def _labels(name):
    """The class names of a bundled data set, or of a user's `keras_seq.data.Data`."""
    if not isinstance(name, str):
        return name.labels
    from keras_seq.datasets import examples

    return examples.class_names(name)


def _examples(dataset, split):
    from keras_seq.datasets import examples

    return examples.load_examples(dataset, split)


_TEXT_LENGTH = 64
# The default TextClassifier starts from this preset's words: its tokenizer
# (16,000 lower-cased whole words) and token embedding, pre-trained on
# unlabelled text, then fine-tuned on the training reviews (see its card).
WORD_VECTORS = "rotten_tomatoes"


def shipped_word_vectors():
    """`(tokenizer, vectors)` of the `WORD_VECTORS` preset; vectors in NumPy."""
    import keras

    from keras_seq.applications import TextClassifier

    preset = TextClassifier.from_preset(WORD_VECTORS)
    table = preset.get_layer("embedding").token_embedding.embeddings
    return preset.preprocessor.tokenizer, keras.ops.convert_to_numpy(table)


def _text_classifier(x, y, dataset, tiny):
    from keras_seq.applications import TextClassifier
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import train_byte_pair_tokenizer

    if tiny:  # smoke runs: a small vocabulary of the reviews, at random
        tokenizer, vectors = train_byte_pair_tokenizer(list(x), 500), None
    elif dataset == "rotten_tomatoes":  # the reviews those vectors were made for
        tokenizer, vectors = shipped_word_vectors()
    else:  # a user's texts: a vocabulary of their own training part
        tokenizer, vectors = train_byte_pair_tokenizer(list(x), 8_000), None
    hidden = 16 if tiny else 64 if vectors is None else vectors.shape[1]
    model = TextClassifier(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=_TEXT_LENGTH,
        classes=len(_labels(dataset)),
        num_layers=1,
        num_heads=4,
        hidden_dim=hidden,
        intermediate_dim=2 * hidden,
        dropout=0.4,
        preprocessor=TextClassifierPreprocessor(tokenizer, _TEXT_LENGTH),
    )
    if vectors is not None:  # the words only: positions and encoder at random
        model.get_layer("embedding").token_embedding.embeddings.assign(vectors)
    return model


def _rnn_classifier(x, y, dataset, tiny):
    from keras_seq.applications import RNNClassifier
    from keras_seq.preprocessing import SeriesPreprocessor

    channels = x[0].shape[-1]
    preprocessor = SeriesPreprocessor(channels=channels)
    preprocessor.adapt(list(x))
    return RNNClassifier(
        classes=len(_labels(dataset)),
        cell="lstm",
        input_shape=(None, channels),
        hidden_dim=16 if tiny else 128,
        dropout=0.3,
        preprocessor=preprocessor,
    )


def _vit(x, y, dataset, tiny):
    from keras_seq.applications import ViT
    from keras_seq.preprocessing import ImagePreprocessor

    shape = tuple(x.shape[1:])
    return ViT(
        input_shape=shape,
        # 16 patches: 7x7 of a 28x28 digit, 2x2 of an 8x8 one.
        patch_size=shape[0] // 4,
        classes=len(_labels(dataset)),
        num_layers=1 if tiny else 2,
        num_heads=4,
        hidden_dim=16 if tiny else 64,
        intermediate_dim=32 if tiny else 128,
        dropout=0.0 if tiny else 0.1,
        preprocessor=ImagePreprocessor(shape),
    )


def _vivit(x, y, dataset, tiny):
    from keras_seq.applications import ViViT
    from keras_seq.preprocessing import VideoPreprocessor

    shape = tuple(x.shape[1:])
    return ViViT(
        input_shape=shape,
        tubelet_size=(4, 8, 8),
        classes=len(_labels(dataset)),
        num_layers=1 if tiny else 2,
        num_heads=4,
        hidden_dim=16 if tiny else 64,
        intermediate_dim=32 if tiny else 128,
        dropout=0.0 if tiny else 0.1,
        preprocessor=VideoPreprocessor(shape),
    )


# Sunspots: a causal per-step forecaster; inputs in sunspot units, targets
# standardized with the preprocessor's statistics (it scales inputs only)
# while it trains, then its outputs rescaled to sunspot numbers.


def _sequence_tagger(x, y, dataset, tiny):
    import numpy as np

    from keras_seq.applications import SequenceTagger
    from keras_seq.preprocessing import SeriesPreprocessor

    if isinstance(dataset, str):
        data = _dataset(dataset)
        years, numbers = data.load_series()
        window, channels = data.WINDOW, 1
        training_years = years < data.target_years("validation")[0]
        steps = np.asarray(numbers[training_years], "float32")
    else:  # a user's series table: the training steps, the target channel first
        window, channels = x.shape[1:]
        steps = np.concatenate([x[0], x[1:, -1]])
    preprocessor = SeriesPreprocessor(
        channels=channels, sequence_length=window, per_step_targets=True
    )
    preprocessor.adapt([steps])
    return SequenceTagger(
        classes=1,
        classifier_activation=None,
        backbone="lstm",
        bidirectional=False,
        input_shape=(window, channels),
        num_layers=1 if tiny else 2,
        hidden_dim=8 if tiny else 32,
        dropout=0.0 if tiny else 0.1,
        preprocessor=preprocessor,
    )


def _standardized(model, y):
    mean, std = model.preprocessor.mean[0], model.preprocessor.std[0]
    return (y - mean) / std


def _in_sunspot_numbers(model):  # or a user's series' target (its first channel)
    model.rescale_outputs(model.preprocessor.std[0], model.preprocessor.mean[0])


# Hamlet: a character-level language model, on chunks of the text.

_CHUNK = 128


def _text_chunks(dataset, split):
    text, _ = _examples(dataset, split)
    return [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)], None


def _causal_lm(x, y, dataset, tiny):
    from keras_seq.applications import CausalLM
    from keras_seq.preprocessing import CausalLMPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(list(x))
    return CausalLM(
        vocabulary_size=tokenizer.vocabulary_size(),
        max_length=_CHUNK,
        backbone="transformer",
        num_layers=1 if tiny else 2,
        num_heads=4,
        hidden_dim=32 if tiny else 128,
        intermediate_dim=64 if tiny else 512,
        preprocessor=CausalLMPreprocessor(tokenizer, _CHUNK),
    )


# English -> French names, the pairs that fit the model's length.

_NAME_LENGTH = 32


def _name_pairs(dataset, split):
    english, french = _examples(dataset, split)
    pairs = [
        (source, target)
        for source, target in zip(english, french)
        if max(len(source), len(target)) <= _NAME_LENGTH
    ]
    return [source for source, _ in pairs], [target for _, target in pairs]


def _translator(kind):
    def build(x, y, dataset, tiny):
        from keras_seq.applications import Seq2SeqRNN
        from keras_seq.applications import Seq2SeqTransformer
        from keras_seq.preprocessing import Seq2SeqPreprocessor
        from keras_seq.preprocessing import character_tokenizer

        length = _NAME_LENGTH + 1  # the characters and the end (or start) id
        preprocessor = Seq2SeqPreprocessor(character_tokenizer(), None, length, length)
        sizes = {
            "source_vocabulary_size": preprocessor.source_vocabulary_size,
            "target_vocabulary_size": preprocessor.target_vocabulary_size,
            "num_layers": 1 if tiny else 2,
            "hidden_dim": 32 if tiny else 128,
            "preprocessor": preprocessor,
        }
        if kind == "transformer":
            return Seq2SeqTransformer(
                max_length=length,
                target_max_length=length,
                num_heads=4,
                intermediate_dim=64 if tiny else 256,
                **sizes,
            )
        return Seq2SeqRNN(max_length=length, cell="lstm", **sizes)

    return build


def _captioner(x, y, dataset, tiny):
    from keras_seq.applications import ImageCaptioner
    from keras_seq.preprocessing import ImageCaptionerPreprocessor
    from keras_seq.preprocessing import ImagePreprocessor
    from keras_seq.preprocessing import character_tokenizer

    shape = tuple(x.shape[1:])
    if isinstance(dataset, str):
        data = _dataset(dataset)
        length = 1 + max(len(data.words(number)) for number in range(1000))
    else:  # a user's captions: the longest training caption, and the end id
        length = 1 + max(len(caption) for caption in y)
    preprocessor = ImageCaptionerPreprocessor(
        ImagePreprocessor(shape), character_tokenizer(list(y)), length
    )
    return ImageCaptioner(
        input_shape=shape,
        patch_size=7 if isinstance(dataset, str) else (shape[0] // 4, shape[1] // 4),
        vocabulary_size=preprocessor.vocabulary_size,
        max_length=length,
        num_layers=1 if tiny else 2,
        hidden_dim=16 if tiny else 64,
        intermediate_dim=32 if tiny else 128,
        dropout=0.0 if tiny else 0.1,
        preprocessor=preprocessor,
    )


SETUPS = {
    setup.name: setup
    for setup in (
        Setup(
            "text_classifier",
            "TextClassifier",
            ("rotten_tomatoes",),
            "a transformer over the shipped word vectors: is a review fresh or rotten?",
            epochs=5,
            batch_size=64,
            examples=_examples,
            build=_text_classifier,
            labels=_labels,
            patience=1,
        ),
        Setup(
            "rnn_classifier",
            "RNNClassifier",
            ("japanese_vowels",),
            "an LSTM names the speaker of a vowel from its cepstrum series",
            epochs=60,
            batch_size=24,
            examples=_examples,
            build=_rnn_classifier,
            labels=_labels,
            patience=8,
        ),
        Setup(
            "vit",
            "ViT",
            ("mnist", "digits"),
            "a Vision Transformer reads a digit as 16 patches",
            epochs=15,
            batch_size=50,
            examples=_examples,
            build=_vit,
            labels=_labels,
            patience=3,
        ),
        Setup(
            "vivit",
            "ViViT",
            ("moving_digits",),
            "a video transformer names the digit and the way it moves",
            epochs=6,
            batch_size=50,
            examples=_examples,
            build=_vivit,
            labels=_labels,
        ),
        Setup(
            "sequence_tagger",
            "SequenceTagger",
            ("sunspots",),
            "a causal LSTM forecasts next year's sunspot number at every step",
            epochs=200,
            batch_size=16,
            examples=_examples,
            build=_sequence_tagger,
            targets=_standardized,
            finish=_in_sunspot_numbers,
            patience=30,
        ),
        Setup(
            "causal_lm",
            "CausalLM",
            ("hamlet",),
            "a character-level GPT writes more Hamlet",
            epochs=15,
            batch_size=16,
            examples=_text_chunks,
            build=_causal_lm,
        ),
        Setup(
            "seq2seq_transformer",
            "Seq2SeqTransformer",
            ("en_fr_names",),
            "an encoder-decoder transformer translates names into French",
            epochs=10,
            batch_size=64,
            examples=_name_pairs,
            build=_translator("transformer"),
        ),
        Setup(
            "seq2seq_rnn",
            "Seq2SeqRNN",
            ("en_fr_names",),
            "an LSTM encoder-decoder translates names into French",
            epochs=10,
            batch_size=64,
            examples=_name_pairs,
            build=_translator("rnn"),
        ),
        Setup(
            "image_captioner",
            "ImageCaptioner",
            ("digit_captions",),
            "a ViT encoder and a decoder write a number's words",
            epochs=20,
            batch_size=32,
            examples=_examples,
            build=_captioner,
        ),
    )
}

DEFAULT = "text_classifier"


def _normalized(name):
    return name.lower().replace("-", "_")


def get(name):
    """The setup of `name`: `text_classifier`, `TextClassifier`, `text-classifier`."""
    wanted = _normalized(name)
    for setup in SETUPS.values():
        if wanted in (setup.name, setup.builder.lower()):
            return setup
    from keras_seq.cli.shipped import closest

    raise UsageError(
        f"unknown application {name!r}{closest(wanted, SETUPS)}; choose one of: "
        f"{', '.join(SETUPS)}"
    )


def check_dataset(setup, dataset):
    """`dataset`, or the setup's default; a UsageError if it does not fit."""
    if dataset is None:
        return setup.datasets[0]
    if dataset not in setup.datasets:
        from keras_seq import datasets

        known = dataset in datasets.__all__
        what = "does not fit" if known else "is not a bundled data set;"
        raise UsageError(
            f"data set {dataset!r} {what} {setup.name}: it trains on "
            f"{', '.join(setup.datasets)}"
        )
    return dataset


def check_preset(setup, dataset, name):
    """`name` if it ships for the builder and data set; else a UsageError."""
    from keras_seq.cli import shipped

    metadata = {preset: shipped.metadata(preset) for preset in shipped.names()}
    fitting = [
        preset
        for preset, data in metadata.items()
        if data["builder"] == setup.builder and data.get("dataset") == dataset
    ]
    if name not in fitting:
        allowed = (
            f"choose one of: {', '.join(fitting)}" if fitting else "none ships for them"
        )
        raise UsageError(
            f"--from-preset {name!r}{shipped.closest(name, fitting)} is not a "
            f"shipped preset of {setup.builder} on {dataset}; {allowed}"
        )
    return name


def load_split(setup, dataset, split, limit=None):
    """The raw `(x, y)` the setup trains (or validates) on, the first `limit`."""
    x, y = setup.examples(dataset, split)
    if limit is not None:
        x = x[:limit]
        y = None if y is None else y[:limit]
    return x, y
