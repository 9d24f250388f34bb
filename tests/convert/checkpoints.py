"""Tiny random Hugging Face checkpoints, written as `save_pretrained` writes them.

Each `*_folder(path)` builds a small random-initialised `transformers`
model from a config, saves it (with its tokenizer or image processor)
into `path` and returns the PyTorch model, in eval mode, for reference
outputs. The tokenizers are built from vocabularies written here: no
network.
"""

import json
import os

import numpy as np

# A spread-out initialisation: logits far apart, so greedy choices never
# hang on a float32 rounding.
INIT_RANGE = 0.3
# Byte-level BPE merges of the test vocabulary, in rank order.
GPT2_MERGES = [
    "Ġ t", "Ġ a", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ s", "a t",
    "Ġ w", "Ġ o", "e n", "Ġ c", "i t", "i s", "a n", "o r", "e s", "Ġ b",
    "e d", "Ġ f", "in g", "Ġ p", "o u", "Ġ Ġ", "Ġa n", "a l", "a r", "Ġt o",
    "Ġ m", "Ġo f", "Ġ in", "Ġ d", "Ġ h", "Ġan d", "Ċ Ċ", "ĠĠ ĠĠ", "Ġ 1", "! !",
]  # fmt: skip
BERT_WORDS = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz",
    *"0123456789", *".,!?'\"-():;", "the", "cafe", "naive", "##s", "##ing",
    "hello", "world", "un", "##aff", "##able", "中", "文", "##a", "##e", "##n",
    "##t", "##r", "meaning", "of", "is", "it", "ca", "##fe",
]  # fmt: skip


def _torch_seed():
    import torch

    torch.manual_seed(0)


def _byte_vocabulary():
    from keras_hub.src.tokenizers.byte_pair_tokenizer import bytes_to_unicode

    _, characters = bytes_to_unicode()
    characters = [c.decode() if isinstance(c, bytes) else c for c in characters]
    vocabulary = {character: index for index, character in enumerate(characters)}
    for merge in GPT2_MERGES:
        vocabulary.setdefault(merge.replace(" ", ""), len(vocabulary))
    vocabulary["<|endoftext|>"] = len(vocabulary)
    return vocabulary


def gpt2_folder(path, **options):
    import transformers

    _torch_seed()
    os.makedirs(path, exist_ok=True)
    vocabulary = _byte_vocabulary()
    with open(os.path.join(path, "vocab.json"), "w", encoding="utf-8") as file:
        json.dump(vocabulary, file)
    with open(os.path.join(path, "merges.txt"), "w", encoding="utf-8") as file:
        file.write("#version: 0.2\n" + "\n".join(GPT2_MERGES) + "\n")
    tokenizer = transformers.GPT2Tokenizer(
        os.path.join(path, "vocab.json"), os.path.join(path, "merges.txt")
    )
    end = vocabulary["<|endoftext|>"]
    config = transformers.GPT2Config(
        vocab_size=len(vocabulary),
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=4,
        bos_token_id=end,
        eos_token_id=end,
        initializer_range=INIT_RANGE,
        **options,
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return model, tokenizer


def bert_folder(path, num_labels=3, **options):
    import transformers

    _torch_seed()
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "vocab.txt"), "w", encoding="utf-8") as file:
        file.write("\n".join(BERT_WORDS) + "\n")
    tokenizer = transformers.BertTokenizer(os.path.join(path, "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(BERT_WORDS),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=32,
        num_labels=num_labels,
        initializer_range=INIT_RANGE,
        **options,
    )
    model = transformers.BertForSequenceClassification(config).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return model, tokenizer


def vit_folder(path, classifier=True):
    import transformers

    _torch_seed()
    config = transformers.ViTConfig(
        image_size=16,
        patch_size=4,
        num_channels=3,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        num_labels=3,
        initializer_range=INIT_RANGE,
    )
    if classifier:
        model = transformers.ViTForImageClassification(config)
    else:
        model = transformers.ViTModel(config)
    model.eval().save_pretrained(path)
    processor = transformers.ViTImageProcessor(do_resize=False)
    processor.save_pretrained(path)
    return model, processor


def vivit_folder(path):
    import transformers

    _torch_seed()
    config = transformers.VivitConfig(
        image_size=8,
        num_frames=4,
        tubelet_size=[2, 4, 4],
        num_channels=3,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        num_labels=5,
        initializer_range=INIT_RANGE,
    )
    model = transformers.VivitForVideoClassification(config).eval()
    model.save_pretrained(path)
    processor = transformers.VivitImageProcessor(do_resize=False, do_center_crop=False)
    processor.save_pretrained(path)
    return model, processor


def torch_outputs(model, **inputs):
    """The model's outputs on NumPy inputs, as NumPy."""
    import torch

    with torch.no_grad():
        tensors = {name: torch.as_tensor(value) for name, value in inputs.items()}
        return model(**tensors, output_hidden_states=True)


def sample_strings(count=200, seed=0):
    """`count` strings: words, punctuation, accents, emoji, spaces, empty ones."""
    rng = np.random.default_rng(seed)
    pieces = [
        "the", "The", "meaning", "of", "hello", "world", "café", "naïve", "Ünïcödé",
        "don't", "it's", "!!", "?", ",", ".", "...", "(x)", "😀", "🎉", "123", "4",
        "中文", " ", "  ", "\n", "\t", "un", "affable", "-", "ça", "ÉCOLE", "a",
    ]  # fmt: skip
    strings = ["", " ", "!"]
    while len(strings) < count:
        size = int(rng.integers(1, 9))
        parts = rng.choice(pieces, size=size)
        joiners = rng.choice(["", " ", " ", "  "], size=size)
        strings.append("".join(p + j for p, j in zip(parts, joiners)))
    return strings


def other_backend():
    """A backend other than the one the tests run under."""
    import keras

    order = ("jax", "tensorflow", "torch")
    return order[(order.index(keras.backend.backend()) + 1) % len(order)]


_LOAD_SCRIPT = """
import sys, numpy as np, keras
import keras_seq.applications  # registers the applications
model = keras.saving.load_model(sys.argv[1])
inputs = np.load(sys.argv[2])
np.save(sys.argv[3], keras.ops.convert_to_numpy(model(inputs)))
"""


def outputs_under(backend, file, inputs, folder):
    """The outputs of the `.keras` `file` on `inputs`, loaded under `backend`."""
    import subprocess
    import sys

    np.save(os.path.join(folder, "inputs.npy"), inputs)
    result = os.path.join(folder, "outputs.npy")
    env = dict(os.environ, KERAS_BACKEND=backend, OMP_NUM_THREADS="1")
    subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_SCRIPT,
            str(file),
            os.path.join(folder, "inputs.npy"),
            result,
        ],
        check=True,
        env=env,
        timeout=600,
    )
    return np.load(result)
