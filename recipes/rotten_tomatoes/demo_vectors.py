"""Word vectors that saw no label, for `make demo`'s model (issue 36.5).

The PPMI + SVD vectors of the recipe's pre-training (`pretraining.py`:
window 5, no web bigrams, 128 dimensions) computed over the shipped
`rotten_tomatoes` preset's own tokenizer, from the unlabelled corpora
and the training reviews' texts (no label, no validation or test
review). Saved as a `.npy` file for `demo_settings.py --vectors`.

With `--fine-tuning-scale K`, the vectors written are instead those
PPMI vectors plus K times what the preset's fine-tuning added to them
(the shipped vectors minus these): K=1 gives the shipped vectors back,
K=2 moves twice as far ("task arithmetic", Ilharco et al., 2023).

    KERAS_BACKEND=jax python recipes/rotten_tomatoes/demo_vectors.py /tmp/ppmi.npy
"""

import argparse
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import pretraining  # noqa: E402

from keras_seq.cli import setups  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the .npy file to write")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--fine-tuning-scale", type=float, default=0.0)
    args = parser.parse_args(argv)
    setup = setups.get(setups.DEFAULT)
    x, _ = setups.load_split(setup, "rotten_tomatoes", "train")
    tokenizer, shipped = setups.shipped_word_vectors()
    corpora = pretraining.unlabelled_corpora()
    texts = list(x) + [text for part in corpora.values() for text in part]
    vectors, info = pretraining.ppmi_embeddings(
        tokenizer, texts, shipped.shape[1], window=args.window, bigrams=False
    )
    vectors = vectors + args.fine_tuning_scale * (shipped - vectors)
    np.save(args.output, vectors.astype("float32"))
    print(json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
