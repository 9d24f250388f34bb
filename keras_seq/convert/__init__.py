"""Hugging Face checkpoint folders as keras-seq applications.

`from_transformers(path)` reads a local folder as `save_pretrained` or
`huggingface-cli download` leaves it (`config.json`, `model.safetensors`,
the tokenizer or image processor files) with safetensors' NumPy loader,
no `torch` and no network, and returns the application of its
`model_type`:

- `"vit"` (`ViTModel`, `ViTForImageClassification`): a `ViT`;
- `"vivit"` (`VivitModel`, `VivitForVideoClassification`): a `ViViT`;
- `"gpt2"` (`GPT2LMHeadModel`, `GPT2Model`): a transformer `CausalLM`
  with the tied head, taking GPT-2's own ids (-1 pads:
  `CausalLM(padding_id=-1)`);
- `"bert"` (`BertModel`, `BertForSequenceClassification`): a
  `TextClassifier` with BERT's embeddings, post-norm layers and pooler.

The model comes with its preprocessor where the folder has the files
(the tokenizer; the image processor's pixel scaling), so `predict` and
`generate` take raw inputs; it then fine-tunes with `fit`, saves as a
`.keras` file and runs on every backend. Importing this package also
registers `from_transformers` with `Task.from_preset`, so
`Builder.from_preset(folder)` converts a checkpoint folder; nothing else
in keras-seq imports it but the command.

Example (with a folder of `huggingface-cli download gpt2`):

    from keras_seq.convert import from_transformers
    model = from_transformers("gpt2")
    model.generate("The meaning of", sampler="greedy")
"""

from keras_seq.convert import bert
from keras_seq.convert import gpt2
from keras_seq.convert import vit
from keras_seq.convert import vivit
from keras_seq.convert.checkpoint import CONFIG_FILE
from keras_seq.convert.checkpoint import Checkpoint
from keras_seq.convert.checkpoint import is_checkpoint
from keras_seq.convert.checkpoint import read_json
from keras_seq.presets import format as preset_format
from keras_seq.presets import load as preset_load

CONVERTERS = {"vit": vit, "vivit": vivit, "gpt2": gpt2, "bert": bert}


def from_transformers(path, **kwargs):
    """The keras-seq application of a Hugging Face checkpoint folder.

    Args:
        path: the folder (`config.json`, `model.safetensors`, ...).
        **kwargs: passed to the converter: `tokenizer=False` (GPT-2,
            BERT) converts the model without its tokenizer;
            `classifier_activation` (ViT, ViViT, BERT, default
            `"softmax"`; None gives the checkpoint's logits); and builder
            arguments such as `name` or `dtype`.

    Returns:
        The application (`ViT`, `ViViT`, `CausalLM` or `TextClassifier`).

    Raises:
        ValueError: naming the `model_type` or the option keras-seq does
            not convert, or the file the folder lacks.
    """
    checkpoint = Checkpoint(path)
    converter = CONVERTERS.get(checkpoint.model_type)
    if converter is None:
        raise ValueError(
            f"The checkpoint {checkpoint.path!r} is of model_type="
            f"{checkpoint.model_type!r}; keras-seq converts {sorted(CONVERTERS)}."
        )
    return converter.convert(checkpoint, **kwargs)


def labels(path):
    """The class names of a checkpoint folder's `id2label`, in id order, or None."""
    names = (read_json(path, CONFIG_FILE) or {}).get("id2label")
    if not names:
        return None
    return [names[key] for key in sorted(names, key=int)]


# `Task.from_preset` (and every builder's) takes a checkpoint folder too.
preset_load.register_loader(preset_format.CHECKPOINT_FOLDER, from_transformers)

__all__ = ["CONVERTERS", "from_transformers", "is_checkpoint", "labels"]
