"""A sequence longer than a task's learned positions fails early, naming the limit.

Without the check it fails deep inside the model ("Exception encountered
when calling PositionalEmbedding.call()"), or on JAX leaves the model
broken; the task knows its `max_length` and says so before anything runs.
"""

import numpy as np
import pytest

from tests import application_cases as cases
from tests.application_cases import LENGTH

# case: {input name: the constructor argument that limits it}
LIMITED = {
    "text_classifier_mean": {"token_ids": "max_length"},
    "tagger_transformer": {"token_ids": "max_length"},
    "causal_lm_transformer": {"token_ids": "max_length"},
    "seq2seq_transformer": {"source_ids": "max_length", "target_ids": "max_length"},
    "image_captioner": {"token_ids": "max_length"},
}


def _longer(x, name):
    """`x` with input `name` two steps longer: past the limit."""
    if isinstance(x, dict):
        x = dict(x)
        x[name] = np.concatenate([x[name], np.ones((len(x[name]), 2), "int32")], 1)
        return x
    return np.concatenate([x, np.ones((len(x), 2), "int32")], axis=1)


@pytest.mark.parametrize(
    "case, name",
    [(case, name) for case, limits in LIMITED.items() for name in limits],
)
@pytest.mark.parametrize("method", ["predict", "evaluate", "fit"])
def test_a_sequence_past_max_length_is_refused_early(case, name, method):
    model = cases.build(case)
    model.compile()
    x, y = cases.batch(case)
    x = _longer(x, name)
    length = (x[name] if isinstance(x, dict) else x).shape[1]
    argument = LIMITED[case][name]
    assert length > LENGTH
    call = getattr(model, method)
    arguments = (x,) if method == "predict" else (x, y)
    with pytest.raises(ValueError) as error:
        call(*arguments, verbose=0)
    message = str(error.value)
    assert f"`{name}`" in message
    assert f"`{argument}={LENGTH}`" in message
    assert f"{length} steps" in message
    assert "PositionalEmbedding" not in message


def test_the_target_limit_is_named_when_it_differs():
    from keras_seq.applications import Seq2SeqTransformer

    model = Seq2SeqTransformer(
        20, 20, max_length=8, target_max_length=5, hidden_dim=8, intermediate_dim=8
    )
    x = {"source_ids": np.ones((2, 8), "int32"), "target_ids": np.ones((2, 6), "int32")}
    with pytest.raises(ValueError, match=r"`target_max_length=5`.*6 steps"):
        model.predict(x, verbose=0)


def test_recurrent_backbones_take_any_length():
    model = cases.build("causal_lm_gru")
    x, _ = cases.batch("causal_lm_gru")
    outputs = model.predict(_longer(x, "token_ids"), verbose=0)
    assert outputs.shape[1] == x.shape[1] + 2


def test_raw_inputs_name_how_the_preprocessor_cuts():
    from keras_seq.applications import TextClassifier
    from keras_seq.preprocessing import TextClassifierPreprocessor
    from keras_seq.preprocessing import character_tokenizer

    tokenizer = character_tokenizer(["abcdefgh"])
    preprocessor = TextClassifierPreprocessor(tokenizer, sequence_length=64)
    model = TextClassifier(
        tokenizer.vocabulary_size(),
        8,
        classes=2,
        num_layers=1,
        hidden_dim=8,
        intermediate_dim=8,
        preprocessor=preprocessor,
    )
    model.compile()
    long_text = ["abcdefgh" * 3]
    for call in (
        lambda: model.predict(long_text, verbose=0),
        lambda: model.evaluate(long_text, [1], verbose=0),
        lambda: model.fit(long_text, [1], verbose=0),
    ):
        with pytest.raises(ValueError) as error:
            call()
        message = str(error.value)
        assert "`max_length=8`" in message
        assert "TextClassifierPreprocessor" in message
        assert "sequence_length=64" in message and "truncate=True" in message
    # Short texts still go through.
    assert model.predict(["abc"], verbose=0).shape == (1, 2)
