"""A Hugging Face checkpoint folder: its config and its tensors, as NumPy.

A folder as `save_pretrained` (or `huggingface-cli download`) leaves it:
`config.json` and the weights in `model.safetensors`, or in shards listed
by `model.safetensors.index.json`. The tensors are read with safetensors'
NumPy loader: no `torch`, no network.
"""

import json
import os

import numpy as np

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_INDEX_FILE = "model.safetensors.index.json"
# Weight formats of other libraries, named in the error for a folder
# that holds only them.
_OTHER_WEIGHTS = ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")
# Hugging Face activation names and keras-seq's: the tanh approximations
# of GELU are one function under three names.
ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_approximate",
    "gelu_fast": "gelu_approximate",
    "gelu_pytorch_tanh": "gelu_approximate",
    "relu": "relu",
}


def is_checkpoint(path):
    """Whether `path` is a folder that looks like a Hugging Face checkpoint."""
    path = os.fspath(path)
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, CONFIG_FILE))


def read_json(path, name):
    """The JSON file `name` of the folder `path`, or None where it is absent."""
    file = os.path.join(path, name)
    if not os.path.isfile(file):
        return None
    with open(file, encoding="utf-8") as handle:
        return json.load(handle)


class Checkpoint:
    """The config and tensors of a checkpoint folder.

    Args:
        path: the folder.

    Attributes:
        config: `config.json` as a dict.
        model_type: `config["model_type"]`.
    """

    def __init__(self, path):
        path = os.fspath(path)
        if not os.path.isdir(path):
            raise ValueError(
                "`path` must be a Hugging Face checkpoint folder (config.json "
                f"and model.safetensors). Received: path={path!r}, no such folder"
            )
        self.path = path
        self.config = read_json(path, CONFIG_FILE)
        if self.config is None:
            raise ValueError(
                f"The checkpoint folder {path!r} lacks {CONFIG_FILE}: it needs "
                f"{CONFIG_FILE} and {WEIGHTS_FILE} (as `save_pretrained` writes)."
            )
        self.model_type = self.config.get("model_type")
        self.tensors = self._read_tensors()

    def _weight_files(self):
        single = os.path.join(self.path, WEIGHTS_FILE)
        if os.path.isfile(single):
            return [single]
        index = read_json(self.path, WEIGHTS_INDEX_FILE)
        if index is not None:
            shards = sorted(set(index["weight_map"].values()))
            files = [os.path.join(self.path, shard) for shard in shards]
            missing = [
                shard for shard, file in zip(shards, files) if not os.path.isfile(file)
            ]
            if missing:
                raise ValueError(
                    f"The checkpoint folder {self.path!r} lacks the shards "
                    f"{missing} that {WEIGHTS_INDEX_FILE} lists."
                )
            return files
        others = [
            name
            for name in _OTHER_WEIGHTS
            if os.path.isfile(os.path.join(self.path, name))
        ]
        found = (
            f" (it holds {', '.join(others)}; save it with safe_serialization=True)"
            if others
            else ""
        )
        raise ValueError(
            f"The checkpoint folder {self.path!r} lacks {WEIGHTS_FILE} (or "
            f"{WEIGHTS_INDEX_FILE} and its shards){found}."
        )

    def _read_tensors(self):
        from safetensors.numpy import load_file

        tensors = {}
        for file in self._weight_files():
            tensors.update(load_file(file))
        return tensors

    def find(self, name, prefixes=("",)):
        """The tensor `name` under the first of `prefixes` that holds it, or None.

        A layer normalization's `weight`/`bias` are also found under their
        older names `gamma`/`beta` (early BERT checkpoints).
        """
        stem, _, last = name.rpartition(".")
        older = {"weight": "gamma", "bias": "beta"}.get(last)
        names = [name] + ([f"{stem}.{older}"] if older and "LayerNorm" in stem else [])
        for prefix in prefixes:
            for candidate in names:
                if prefix + candidate in self.tensors:
                    return np.asarray(self.tensors[prefix + candidate], dtype="float32")
        return None

    def activation(self, name):
        """The keras-seq activation of the config's activation `name`."""
        value = self.check(name, ACTIVATIONS)
        return ACTIVATIONS[value]

    def check(self, name, allowed, default=None):
        """`config[name]` (or `default`); a ValueError naming it if not `allowed`."""
        value = self.config.get(name, default)
        if value not in allowed:
            raise ValueError(
                f"The {self.model_type!r} checkpoint {self.path!r} has "
                f"`{name}={value!r}`, which keras-seq does not convert: it "
                f"converts {name} in {list(allowed)}."
            )
        return value


def check_model_type(checkpoint, model_types):
    """Raises a ValueError naming `model_type` unless it is one of `model_types`."""
    if checkpoint.model_type not in model_types:
        raise ValueError(
            f"The checkpoint {checkpoint.path!r} is of model_type="
            f"{checkpoint.model_type!r}; this converter reads {list(model_types)}."
        )
