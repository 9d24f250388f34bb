"""Long runs stay flat: memory does not grow and compiled functions are kept.

A loaded application answers `predict` calls of varying batch sizes and
text lengths (200 in the default run, 1,000 in the slow one), and a
language model 100 `generate` calls of varying prompts. After a warm-up,
resident memory grows by less than 10 %, and on JAX and TensorFlow the
functions are traced once per shape, not once per call: lengths go to a
few power-of-two buckets (the preprocessors), the last batch of a call to
a power of two rows (`Task.predict`), and `generate` keeps one compiled
decode per shape. PyTorch runs eagerly and traces nothing.
"""

import keras
import numpy as np
import pytest

from keras_seq.applications import CausalLM
from keras_seq.applications import TextClassifier
from keras_seq.preprocessing import CausalLMPreprocessor
from keras_seq.preprocessing import TextClassifierPreprocessor
from keras_seq.preprocessing import character_tokenizer
from keras_seq.preprocessing import train_byte_pair_tokenizer
from tests.tiers import default_and_slow

WORDS = "a the film was funny dull warm long short story plot actor scene".split()
COMPILED = keras.backend.backend() in ("jax", "tensorflow")


def _resident_bytes():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize()


def _sentences(rng, count, longest=40):
    return [
        " ".join(rng.choice(WORDS, size=int(rng.integers(1, longest))))
        for _ in range(count)
    ]


class _CountingCalls:
    """Counts how often the model's Python `call` runs: once per trace when compiled."""

    def __init__(self, model):
        self.count = 0
        original = model.call

        def call(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        model.call = call


@pytest.mark.parametrize("calls", default_and_slow([200, 1000], default={200}))
def test_predict_calls_keep_memory_and_compilations_flat(tmp_path, calls):
    rng = np.random.default_rng(0)
    tokenizer = train_byte_pair_tokenizer(_sentences(rng, 200), vocabulary_size=300)
    model = TextClassifier(
        tokenizer.vocabulary_size(),
        64,
        2,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=TextClassifierPreprocessor(tokenizer, sequence_length=64),
    )
    model.save(tmp_path / "classifier.keras")
    loaded = keras.saving.load_model(tmp_path / "classifier.keras")
    traces = _CountingCalls(loaded)
    batch_sizes = rng.integers(1, 70, 100 + calls)
    for rows in batch_sizes[:100]:  # warm-up
        loaded.predict(_sentences(rng, int(rows)), verbose=0)
    start = _resident_bytes()
    for rows in batch_sizes[100:]:
        outputs = loaded.predict(_sentences(rng, int(rows)), verbose=0)
        assert outputs.shape == (rows, 2) and np.isfinite(outputs).all()
    growth = _resident_bytes() / start - 1
    assert growth < 0.10, f"resident memory grew by {growth:.1%}"
    if COMPILED:
        # Batches of 32 and a last batch of 1, 2, 4, 8, 16 or 32 rows, each
        # of 8, 16, 32 or 64 tokens; and one symbolic build.
        assert traces.count <= 6 * 4 + 1, f"{traces.count} traces"


def test_generate_calls_keep_memory_and_compilations_flat():
    rng = np.random.default_rng(1)
    texts = _sentences(rng, 50, longest=6)
    tokenizer = character_tokenizer(texts)
    model = CausalLM(
        tokenizer.vocabulary_size(),
        64,
        num_layers=1,
        hidden_dim=16,
        intermediate_dim=32,
        preprocessor=CausalLMPreprocessor(tokenizer, sequence_length=64),
    )
    function = model.make_generate_function("greedy", model.preprocessor.end_token_id)
    prompts = [text[: int(rng.integers(1, 12))] for text in _sentences(rng, 100)]
    for prompt in prompts[:20]:  # warm-up
        model.generate(prompt, max_length=48)
    start = _resident_bytes()
    for prompt in prompts:
        assert isinstance(model.generate(prompt, max_length=48), str)
    growth = _resident_bytes() / start - 1
    assert growth < 0.10, f"resident memory grew by {growth:.1%}"
    if COMPILED:
        # Prompts of 1, 2, 4, 8 or 16 token slots (the start token included).
        assert function.traces <= 5, f"{function.traces} traces in 120 calls"
