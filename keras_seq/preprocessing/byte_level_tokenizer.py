"""KerasHub's GPT-2 tokenizer, splitting words exactly as GPT-2 does.

KerasHub 0.32's `BytePairTokenizer` hands its word pattern to Hugging Face
`tokenizers` as a plain string, so outside `tf.data` no text is split into
words before the merges, and merges across words apply (two spaces before
a word become one "ĠĠ" token where GPT-2 keeps "Ġ", "Ġword"). This
subclass gives the Hugging Face tokenizer GPT-2's own byte-level word
split, so its ids are those of the checkpoint's tokenizer.

The class is defined on first use (`byte_level_tokenizer_class()`): it
subclasses a KerasHub class, and keras-seq does not import KerasHub (and
TensorFlow with it) until a tokenizer is needed. `deserialize_layer`
defines it before a saved tokenizer is read back.
"""

import keras

_CLASS = []


def byte_level_tokenizer_class():
    """The registered `keras_seq>ByteLevelTokenizer`, a KerasHub `GPT2Tokenizer`."""
    if _CLASS:
        return _CLASS[0]
    import keras_hub
    import tokenizers

    @keras.saving.register_keras_serializable(package="keras_seq")
    class ByteLevelTokenizer(keras_hub.models.GPT2Tokenizer):
        """KerasHub's `GPT2Tokenizer` with GPT-2's word split.

        Args:
            vocabulary: a dict of token to id, or the path of `vocab.json`.
            merges: a list of merge rules, or the path of `merges.txt`.
            **kwargs: as `keras_hub.models.GPT2Tokenizer`.
        """

        def _set_vocabulary_and_merges_tokenizers(self, vocabulary, merges):
            super()._set_vocabulary_and_merges_tokenizers(vocabulary, merges)
            self._tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(
                add_prefix_space=self.add_prefix_space, use_regex=True
            )

    ByteLevelTokenizer.__module__ = __name__
    _CLASS.append(ByteLevelTokenizer)
    return ByteLevelTokenizer
