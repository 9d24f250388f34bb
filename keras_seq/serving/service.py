"""What the page of `keras-seq serve` asks a model, answered for one model.

For a text classifier: the label, the probabilities and the last layer's
attention between the tokens; for a ViT: the probabilities and the class
token's attention over the patches; for a language model or a
translator: the output streamed as it is produced, with the sampler and
its settings; for an image captioner: its caption; for a sequence tagger:
the output at every step of a text or a typed series. `Service` answers
with the same public functions as `keras-seq predict`, `attention` and
`generate` (`keras_seq.serving.attention`, `predictions`, `streaming`).
An input the model cannot take raises `BadInput`, whose message the page
shows.

Example:

>>> from keras_seq.applications import TextClassifier
>>> model = TextClassifier.from_preset("rotten_tomatoes")
>>> service = Service(model, "rotten_tomatoes", labels=["rotten", "fresh"])
>>> answer = service.classify_text("a gripping film")
>>> answer["predictions"][0]["label"] in ("rotten", "fresh")
True
"""

import numpy as np

from keras_seq.serving import attention
from keras_seq.serving import streaming
from keras_seq.serving.errors import BadInput
from keras_seq.serving.predictions import input_kind
from keras_seq.serving.predictions import label_name
from keras_seq.serving.predictions import tag
from keras_seq.serving.tokens import text_tokenizer
from keras_seq.serving.tokens import token_text

_TOP = 10
_STREAMERS_KEPT = 4


def _one_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def model_kind(model):
    """What the page offers for `model`: `"generate"`, `"caption"`, `"tag"`,
    or what its preprocessor reads (`"text"`, `"image"`, ...)."""
    from keras_seq.models import GenerativeTask

    builder = type(model).__name__
    if isinstance(model, GenerativeTask):
        return "caption" if builder == "ImageCaptioner" else "generate"
    if builder == "SequenceTagger":
        return "tag"
    return input_kind(model.preprocessor)


class Service:
    """Answers the page's requests for one model.

    Args:
        model: an application with its preprocessor.
        source: where the model came from, as the page shows it.
        labels: its class names, or None.
        dataset: the data set it was trained on, or None.
        card: what the page shows beside the model (`{name: text}`).
    """

    def __init__(self, model, source, labels=None, dataset=None, card=None):
        if getattr(model, "preprocessor", None) is None:
            raise ValueError(
                "`model` needs a preprocessor: the page sends raw inputs. "
                f"Received: a {type(model).__name__} without one"
            )
        self.model = model
        self.preprocessor = model.preprocessor
        self.builder = type(model).__name__
        self.source = source
        self.labels = labels
        self.dataset = dataset
        self.card = dict(card or {})
        self.kind = model_kind(model)
        self._streamers = {}

    def info(self):
        """A dict for the page: builder, kind, labels, card, samplers."""
        import keras

        from keras_seq.generation import SAMPLERS

        info = {
            "builder": self.builder,
            "source": self.source,
            "backend": keras.backend.backend(),
            "kind": self.kind,
            "labels": self.labels,
            "card": self.card,
        }
        if self.kind in ("image", "caption"):
            images = getattr(self.preprocessor, "image_preprocessor", self.preprocessor)
            info["image_shape"] = list(images.image_shape)
        if self.kind == "tag":
            info["reads"] = input_kind(self.preprocessor)
            if info["reads"] == "series":
                info["channels"] = int(self.preprocessor.channels)
                info["sequence_length"] = int(self.preprocessor.sequence_length)
        if self.kind in ("generate", "caption"):
            sampler = self.model.sampler
            info["samplers"] = list(SAMPLERS)
            info["default_sampler"] = (
                sampler if isinstance(sampler, str) else (type(sampler).__name__)
            )
            info["max_length"] = int(self.model.max_length)
            info["example_prompt"] = "HAMLET" if self.dataset == "hamlet" else ""
        return info

    def _predictions(self, row):
        order = np.argsort(-row)[:_TOP]
        return [
            {"label": label_name(self.labels, int(i)), "probability": float(row[i])}
            for i in order
        ]

    def classify_text(self, text):
        """The likeliest labels of `text` and the last layer's attention."""
        row = self._predict([text])
        result = {"predictions": self._predictions(row), "attention": None}
        if self.builder in attention.SUPPORTED:
            scores, tokens = attention.text_attention(self.model, text)
            result["attention"] = {
                "title": f"attention of the last layer (mean of "
                f"{scores[-1].shape[0]} heads), rows attend to columns",
                "tokens": tokens,
                "weights": scores[-1].mean(axis=0).round(4).tolist(),
            }
        return result

    def classify_image(self, image):
        """The likeliest labels of `image` and a ViT's class-token attention."""
        row = self._predict(image[None])
        result = {"predictions": self._predictions(row), "attention": None}
        if self.builder == "ViT" and self.model.get_layer("embedding").class_token:
            maps = attention.image_attention(self.model, image)
            result["attention"] = {
                "title": f"class token's attention over the patches, last layer "
                f"(mean of {maps[-1].shape[0]} heads)",
                "tokens": None,
                "weights": maps[-1].mean(axis=0).round(4).tolist(),
            }
        return result

    def tag(self, text):
        """A tagger's label or value at every real step of `text`.

        A series is given as numbers, `channels` a step, separated by
        commas, spaces or new lines; one longer than the model reads is cut
        to its last steps (as `keras-seq predict` does), with a note.
        """
        result = {"note": None}
        if input_kind(self.preprocessor) == "series":
            series = numbers(text, self.preprocessor.channels)
            limit = self.preprocessor.sequence_length
            if len(series) > limit:
                result["note"] = (
                    f"{len(series)} steps; this model reads at most {limit}: "
                    f"the last {limit} were read"
                )
                series = series[-limit:]
            steps = [" ".join(f"{v:g}" for v in step) for step in series]
            inputs = [series]
        else:
            ids = self._preprocess([text])
            tokenizer = text_tokenizer(self.preprocessor)
            steps = [token_text(tokenizer, int(i)) for i in ids[0] if i != 0]
            inputs = [text]
        try:
            answer = tag(self.model, inputs, self.labels)[0]
        except (ValueError, TypeError) as error:
            raise BadInput(_one_line(error)) from None
        if "labels" in answer:
            outputs = answer["labels"]
        else:
            outputs = [round(value, 4) for value in answer["outputs"]]
        result["steps"] = [
            {"input": step, "output": output} for step, output in zip(steps, outputs)
        ]
        if "next" in answer:
            result["next"] = round(answer["next"], 4)
        return result

    def _preprocess(self, inputs):
        try:
            return self.preprocessor(inputs)
        except (ValueError, TypeError) as error:
            raise BadInput(_one_line(error)) from None

    def _predict(self, inputs):
        try:
            return self.model.predict(inputs, verbose=0)[0]
        except (ValueError, TypeError) as error:
            raise BadInput(_one_line(error)) from None

    def generate(self, prompt, sampler, max_length, seed):
        """Yields the text as it grows (the whole text at once for beam or seq2seq)."""
        import keras

        model = self.model
        try:
            max_length = streaming.generation_limit(model, max_length)
            name = sampler or model.sampler
            beam = name == "beam" or type(name).__name__ == "BeamSampler"
            keras.utils.set_random_seed(seed)
            if model.encoder_decoder or beam:
                if model.encoder_decoder:
                    streaming.check_source(self.preprocessor, prompt)
                else:
                    streaming.check_prompt(self.preprocessor, prompt, max_length, True)
                options = {"max_length": max_length}
                if sampler is not None:
                    options["sampler"] = streaming.seeded_sampler(sampler, seed)
                yield model.generate([prompt], **options)[0]
                return
            ids = streaming.check_prompt(self.preprocessor, prompt, max_length, True)
        except (ValueError, TypeError) as error:
            raise BadInput(_one_line(error)) from None
        streamer = self._streamer(name, seed, max_length)
        tokens = [int(i) for i in ids[0]]
        shown = self.preprocessor.generate_postprocess(np.asarray([tokens]))[0]
        yield shown
        for token in streamer.tokens(ids, self.preprocessor.end_token_id):
            tokens.append(token)
            text = self.preprocessor.generate_postprocess(np.asarray([tokens]))[0]
            common = len(shown) if text.startswith(shown) else 0
            if text[common:]:
                yield text[common:]
            shown = text

    def _streamer(self, name, seed, max_length):
        """A compiled decode step per sampler, seed and length (a few kept)."""
        key = (str(name), seed, max_length)
        if key not in self._streamers:
            if len(self._streamers) >= _STREAMERS_KEPT:
                self._streamers.pop(next(iter(self._streamers)))
            sampler = streaming.seeded_sampler(name, seed)
            self._streamers[key] = streaming.Streamer(self.model, sampler, max_length)
        return self._streamers[key]


def numbers(text, channels):
    """A `(steps, channels)` float32 series from numbers typed on the page.

    Args:
        text: numbers separated by commas, spaces or new lines.
        channels: how many numbers make a step.
    """
    words = text.replace(",", " ").split()
    try:
        values = np.array([float(word) for word in words], "float32")
    except ValueError as error:
        raise BadInput(
            f"the series must be numbers separated by commas or spaces: {error}"
        ) from None
    if not np.isfinite(values).all():
        raise BadInput("the series must be finite numbers (no nan or inf)")
    if len(values) % channels:
        raise BadInput(
            f"the series has {len(values)} numbers; this model reads {channels} "
            "a step: give a multiple of that"
        )
    return values.reshape(-1, channels)
