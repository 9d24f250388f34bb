"""The compiled generate functions a `GenerativeTask` keeps, and its samplers."""

import collections
import json

from keras_seq.generation import get_sampler

# Compiled generate functions kept per model (one per sampler and end token).
_KEPT_FUNCTIONS = 8


class FunctionCache:
    """The last few compiled generate functions, and the samplers by name."""

    def __init__(self):
        self._functions = collections.OrderedDict()
        self._named_samplers = {}
        # The sampler `compile(sampler=...)` chose (None: the class default).
        self.compiled_sampler = None
        # `compile(jit_compile=...)` as asked, and as Keras resolved it.
        self.jit_compile = ("auto", None)

    def sampler(self, sampler, vocabulary_size=None):
        """Returns `(key, sampler)` for a sampler name or instance.

        A name gives the same instance every time (its seed moves on); an
        instance is keyed by identity and settings, so a sampler changed
        after use compiles anew.
        """
        if isinstance(sampler, str):
            if sampler not in self._named_samplers:
                self._named_samplers[sampler] = get_sampler(sampler, vocabulary_size)
            return sampler, self._named_samplers[sampler]
        sampler = get_sampler(sampler)
        settings = json.dumps(sampler.get_config(), sort_keys=True, default=repr)
        return (id(sampler), type(sampler).__name__, settings), sampler

    def clear(self):
        """Drops the compiled functions (the model's variables changed)."""
        self._functions.clear()

    def get(self, key):
        entry = self._functions.get(key)
        if entry is None:
            return None
        self._functions.move_to_end(key)
        return entry[0]

    def put(self, key, function, sampler):
        # The sampler is kept alive with its function: its id stays unique.
        self._functions[key] = (function, sampler)
        while len(self._functions) > _KEPT_FUNCTIONS:
            self._functions.popitem(last=False)
