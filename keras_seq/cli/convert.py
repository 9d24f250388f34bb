"""`keras-seq convert`: a Hugging Face checkpoint folder as a `.keras` file.

The folder (`config.json`, `model.safetensors`, its tokenizer or image
processor files) is read by `keras_seq.convert.from_transformers`, offline;
the `.keras` file holds the application and its preprocessor, for every
backend. `predict` and `generate` also take such a folder directly.
"""

import os

from keras_seq.cli import models
from keras_seq.cli.errors import UsageError


def run(args):
    if not args.output.endswith(".keras"):
        raise UsageError(f"OUTPUT must end in .keras, got {args.output!r}")
    if os.path.exists(args.output) and not args.overwrite:
        raise UsageError(f"{args.output} exists; pass --overwrite to replace it")
    if not os.path.isdir(args.checkpoint):
        raise UsageError(f"no such checkpoint folder: {args.checkpoint}")
    loaded = models.load_checkpoint(args.checkpoint)
    loaded.model.save(args.output)
    print(f"wrote {args.output} ({loaded.builder} from {args.checkpoint})")
    return 0
