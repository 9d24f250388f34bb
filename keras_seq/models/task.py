import contextlib

import keras

from keras_seq.backend import processes
from keras_seq.backend import support
from keras_seq.models import input_checks
from keras_seq.models import memory
from keras_seq.models.exportable import ExportableTask
from keras_seq.models.lora import LoraTask
from keras_seq.models.quantization import QuantizableTask
from keras_seq.models.quantization import dtype_config
from keras_seq.models.quantization import settle_policies
from keras_seq.models.raw_inputs import PreprocessedBatches
from keras_seq.models.raw_inputs import as_items
from keras_seq.models.raw_inputs import count
from keras_seq.models.raw_inputs import is_batch_stream
from keras_seq.models.raw_inputs import pad_rows
from keras_seq.models.raw_inputs import padded_batch_count
from keras_seq.models.raw_inputs import split_off_last

# Keras' own default batch size of `fit`, `evaluate` and `predict`.
_DEFAULT_BATCH_SIZE = 32


class Task(LoraTask, QuantizableTask, ExportableTask, keras.Model):
    """Base class of keras_seq's application models.

    A functional model (the subclass builds its graph and passes `inputs`
    and `outputs` up) that also:

    - compiles with defaults suited to its problem: `model.compile()` with
      no arguments, or `"auto"` for any of `optimizer`, `loss`, `metrics`,
      takes `default_optimizer()`, `default_loss()`, `default_metrics()`;
    - rebuilds itself from its constructor arguments: subclasses store
      them in `self.init_config` (all but `weights`, `name` and `dtype`), so
      `get_config()` / `from_config()` and `.keras` files give back an
      instance of the subclass, not a plain `keras.Model`, compiled as it
      was saved;
    - honours a dtype policy: the subclass passes its `dtype` argument to
      every layer it creates and on to this base, which records it as the
      model's `dtype_policy` and in its config (a functional model has no
      policy of its own); after `quantize`, per layer (`quantization.py`);
    - fine-tunes with LoRA adapters (`enable_lora`, `lora.py`);
    - takes raw inputs through its `preprocessor` (a
      `keras_seq.preprocessing` preprocessor, or None for model inputs):
      `fit`, `evaluate` and `predict` then take arrays or lists of strings,
      images, clips or series (and raw targets), batch them, and pass each
      batch through the preprocessor, which pads it to its own longest
      sequence. The preprocessor is saved with the model, its vocabulary
      inside the `.keras` file. Datasets and generators (`tf.data`,
      `keras.utils.PyDataset`) must yield model inputs, and a dict keyed
      by the model's input names is taken as model inputs: they go to
      Keras unchanged.

    Args:
        inputs, outputs: the functional graph.
        init_config: the subclass's constructor arguments.
        preprocessor: None, or the preprocessor of raw inputs.
        name, dtype: as for `keras.Model`; `dtype` is a dtype policy.
    """

    def __init__(
        self,
        inputs,
        outputs,
        init_config,
        preprocessor=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        if preprocessor is not None and not isinstance(
            preprocessor, keras.layers.Layer
        ):
            raise TypeError(
                "`preprocessor` must be None (model inputs) or a preprocessor of "
                "`keras_seq.preprocessing`. Received: preprocessor of type "
                f"{type(preprocessor).__name__}"
            )
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.init_config = dict(init_config)
        self.preprocessor = preprocessor
        if dtype is not None:
            self.dtype_policy = settle_policies(self, dtype)

    def get_config(self):
        # Not chained to super: a functional config cannot rebuild a subclass.
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_config(self),
            **self.init_config,
        }
        if self.preprocessor is not None:
            config["preprocessor"] = keras.layers.serialize(self.preprocessor)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("preprocessor"), dict):
            config["preprocessor"] = keras.layers.deserialize(config["preprocessor"])
        return cls(**config)

    def compile(
        self,
        optimizer="auto",
        loss="auto",
        metrics="auto",
        gradient_accumulation_steps=None,
        remat=False,
        **kwargs,
    ):
        """Keras' `compile`, its defaults the model's, and two memory savers.

        Args:
            optimizer, loss, metrics: as for `keras.Model.compile`; `"auto"`
                (the default) takes `default_optimizer()`, `default_loss()`,
                `default_metrics()`.
            gradient_accumulation_steps: None or 1, or N >= 2: the optimizer
                (not yet trained) averages the gradients of N batches before
                each update (Keras' option of that name), so batches of b
                train as batches of N * b would, in the memory of b.
            remat: whether `fit` recomputes each transformer layer's
                activations in the backward pass instead of keeping them
                (`keras.remat`): less memory, a second forward pass, which
                replays the forward pass's dropout masks.
            **kwargs: Keras' other options of `compile`.

        Raises:
            ValueError: a bad `gradient_accumulation_steps` or `remat`, a
                loss that expects the other kind of outputs, or `remat` on
                a model with no transformer layer.

        See `keras_seq.models.memory`.
        """
        memory.set_remat(self, remat)
        if optimizer == "auto":
            optimizer = self.default_optimizer()
        optimizer = memory.with_accumulation(optimizer, gradient_accumulation_steps)
        if isinstance(loss, str) and loss == "auto":
            loss = self.default_loss()
        else:
            input_checks.check_loss(self, loss, self.output_kind())
        if metrics == "auto":
            metrics = self.default_metrics()
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)
        # Under tf.distribute: clip the whole batch's gradient.
        support.sum_before_clipping(self.optimizer)
        # Graphs captured with the old loss and metrics no longer hold.
        self._captured_steps = None

    def _forget_compiled_functions(self):
        """Drops the compiled steps: the loss, or the variables, changed."""
        self.train_function = self.test_function = self.predict_function = None
        self._captured_steps = None

    def _graph_steps(self):
        """The steps replayed from captured graphs, or None for Keras' own.

        Where the backend captures graphs (`keras_seq.backend.support.
        graph_steps`), unless the model runs eagerly (`run_eagerly=True`,
        to debug) or is compiled with `torch.compile` (`jit_compile=True`).
        """
        if self.run_eagerly or self.jit_compile is True:
            processes.check_step(captured=False)
            return None
        if getattr(self, "_captured_steps", None) is None:
            self._captured_steps = support.graph_steps(self)
        return self._captured_steps

    # Each backend's trainer calls these with its own arguments.
    def train_step(self, *args, **kwargs):
        steps = self._graph_steps()
        if steps is None:
            return super().train_step(*args, **kwargs)
        return steps.train_step(*args, **kwargs)

    def test_step(self, *args, **kwargs):
        steps = self._graph_steps()
        if steps is None:
            return super().test_step(*args, **kwargs)
        return steps.test_step(*args, **kwargs)

    def predict_step(self, *args, **kwargs):
        steps = self._graph_steps()
        if steps is None:
            return super().predict_step(*args, **kwargs)
        return steps.predict_step(*args, **kwargs)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)
        # Under tf.distribute: a masked mean over every replica's real tokens.
        return support.token_share(loss, self.loss, y, y_pred)

    def compile_from_config(self, config):
        # Keras skips compiling a loaded model whose `compile()` is
        # overridden; ours only fills in defaults, so the saved one is safe.
        config = keras.saving.deserialize_keras_object(config)
        # "auto" resolved by the backend it was saved under (True on JAX
        # means torch.compile on PyTorch): each backend resolves its own.
        config.pop("jit_compile", None)
        self.compile(**config)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3)

    def output_kind(self):
        """What the model outputs: `"logits"`, `"probabilities"` or None.

        `compile()` refuses a loss that expects the other kind (a
        cross-entropy whose `from_logits` disagrees), which would train
        silently wrong. None (features, or outputs of another kind) checks
        nothing.
        """
        return None

    def default_loss(self):
        raise NotImplementedError(f"{type(self).__name__} defines no default loss.")

    def default_metrics(self):
        return []

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        sample_weight=None,
        validation_batch_size=None,
        **kwargs,
    ):
        self._check_data(x, y)
        if isinstance(validation_data, (list, tuple)):
            self._check_data(*validation_data[:2])
            if not self._takes_model_inputs(validation_data[0]):
                # Raw validation data, whatever the training data is.
                validation_data = self._raw_batches(
                    *keras.utils.unpack_x_y_sample_weight(tuple(validation_data)),
                    batch_size=validation_batch_size or batch_size,
                )
                validation_batch_size = None
        if self._takes_model_inputs(x):
            with self._usable_after_failure():
                return super().fit(
                    x,
                    y,
                    batch_size=batch_size,
                    validation_split=validation_split,
                    validation_data=validation_data,
                    shuffle=shuffle,
                    sample_weight=sample_weight,
                    validation_batch_size=validation_batch_size,
                    **kwargs,
                )
        x, y, sample_weight = (
            as_items(x, "x"),
            as_items(y, "y"),
            as_items(sample_weight, "sample_weight"),
        )
        if validation_split and validation_data is None:
            (x, y, sample_weight), held_out = split_off_last(
                validation_split, x, y, sample_weight
            )
            validation_data = self._raw_batches(
                *held_out, batch_size=validation_batch_size or batch_size
            )
        with self._usable_after_failure():
            return super().fit(
                self._raw_batches(x, y, sample_weight, batch_size, shuffle=shuffle),
                validation_data=validation_data,
                # The batches shuffle their items themselves when asked;
                # Keras' default would also reorder them, even for
                # shuffle=False.
                shuffle=False,
                **kwargs,
            )

    def evaluate(self, x=None, y=None, batch_size=None, sample_weight=None, **kwargs):
        self._check_data(x, y)
        with self._usable_after_failure():
            if self._takes_model_inputs(x):
                return super().evaluate(
                    x, y, batch_size=batch_size, sample_weight=sample_weight, **kwargs
                )
            return super().evaluate(
                self._raw_batches(x, y, sample_weight, batch_size), **kwargs
            )

    def predict(self, x, batch_size=None, **kwargs):
        self._check_data(x)
        if self._takes_model_inputs(x):
            with self._usable_after_failure():
                return super().predict(x, batch_size=batch_size, **kwargs)
        # All at once: one padded length, so the batches' per-step outputs
        # (a tagger's, a language model's) stack into one array.
        items = as_items(x, "x")
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(self.preprocessor(items))
        self._check_preprocessed(inputs)
        # Padding rows too (lengths are bucketed by the preprocessor): a
        # few shapes serve any number of examples, so predict compiles a
        # few times, not once per count.
        examples = count(items)
        batch_size = batch_size or _DEFAULT_BATCH_SIZE
        rows = padded_batch_count(examples, batch_size)
        with self._usable_after_failure():
            outputs = super().predict(
                pad_rows(inputs, rows), batch_size=batch_size, **kwargs
            )
        return keras.tree.map_structure(lambda array: array[:examples], outputs)

    def _check_data(self, x, y=None):
        """Checks arrays given to `fit`, `evaluate` or `predict` (input_checks.py)."""
        if is_batch_stream(x):
            return
        if self._takes_model_inputs(x):
            input_checks.check_inputs(
                self, x, self._input_vocabularies(), self._length_limits()
            )
        elif x is not None and not isinstance(x, (str, bytes, dict)) and not len(x):
            raise ValueError("`x` holds no examples: it is empty.")
        if y is not None:
            self._check_targets(y)

    # The vocabulary of each token input, by the name the builders give it.
    _VOCABULARY_ARGUMENTS = {
        "token_ids": "vocabulary_size",
        "source_ids": "source_vocabulary_size",
        "target_ids": "target_vocabulary_size",
    }

    def _input_vocabularies(self):
        """`{input name: vocabulary size}` of the model's token inputs."""
        return {
            name: self.init_config[argument]
            for name, argument in self._VOCABULARY_ARGUMENTS.items()
            if self.init_config.get(argument) is not None
        }

    def _check_targets(self, y):
        """Checks raw or model targets `y`; subclasses check their ranges."""

    def _length_limits(self):
        """`{input name: (argument, limit)}`: the most steps each input may hold.

        An application with learned positions names the constructor
        argument that sizes them (e.g. `{"token_ids": ("max_length", 64)}`);
        a longer input then fails before the model runs, naming it.
        """
        return {}

    def _check_preprocessed(self, inputs):
        """Checks the lengths of model inputs that the preprocessor made."""
        limits = self._length_limits()
        if limits:
            note = input_checks.preprocessor_note(self.preprocessor)
            input_checks.check_inputs(self, inputs, {}, limits, note=note)

    def _preprocess(self, x, y=None, sample_weight=None):
        """One batch of raw items through the preprocessor, its lengths checked."""
        batch = self.preprocessor(x, y, sample_weight)
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(batch)
        self._check_preprocessed(inputs)
        return batch

    @contextlib.contextmanager
    def _usable_after_failure(self):
        """Leaves the model usable after a failed `fit`, `evaluate` or `predict`.

        Keras keeps the train, test and predict functions it compiled; one
        whose first trace failed is kept half made (on TensorFlow the next
        `fit` then fails: "Creating variables on a non-first call to a
        function decorated with tf.function"), so after a failure they are
        dropped and made anew on the next call. The variables a backend's
        loop detached are put back (`keras_seq.backend.support.
        state_restorer`).
        """
        restore = support.state_restorer(self)
        try:
            yield
        except BaseException:
            self.train_function = self.test_function = self.predict_function = None
            restore()
            raise

    def _takes_model_inputs(self, x):
        """Whether `x` goes to Keras as it is: no preprocessor, or no raw inputs.

        Model inputs are a dataset or generator, or a dict keyed by the
        model's input names (what the preprocessor makes, e.g. a
        translator's `source_ids` and `target_ids`).
        """
        if self.preprocessor is None or is_batch_stream(x):
            return True
        names = sorted(tensor.name for tensor in self.inputs)
        return isinstance(x, dict) and sorted(x) == names

    def _raw_batches(self, x, y, sample_weight, batch_size, shuffle=False):
        batches = PreprocessedBatches(
            self._preprocess,
            as_items(x, "x"),
            as_items(y, "y"),
            as_items(sample_weight, "sample_weight"),
            batch_size=batch_size or _DEFAULT_BATCH_SIZE,
            shuffle=shuffle,
            # In a multi-process run, this process's share of each batch.
            share=processes.batch_share(),
        )
        return processes.per_process(support.batches_for_keras(batches), batches)

    # Presets: the format, loading and saving live in keras_seq.presets.

    def __init_subclass__(cls, **kwargs):
        from keras_seq.presets import weights

        super().__init_subclass__(**kwargs)
        # A builder's `weights` also takes a preset's name or folder.
        weights.accept_presets_as_weights(cls)

    def save_to_preset(self, directory, metadata=None, overwrite=False):
        """Saves the model, its preprocessor and their assets as a preset folder.

        The folder holds `config.json` (the class and constructor
        arguments, the preprocessor's nested), `model.weights.h5` (weights
        only, no optimizer state), `assets/<tokenizer>/` (vocabularies) and
        `metadata.json` (the SHA-256 digest and size of every other file,
        plus `metadata`); `from_preset(directory)` checks every file before
        reading it. See `keras_seq.presets.format`.

        Args:
            directory: the folder to write; it must be new or empty, or a
                preset with `overwrite=True` (replaced as a whole).
            metadata: a dict recorded in `metadata.json`, e.g. `name`,
                `dataset` and the held-out `metric` (`{"name", "value",
                "split"}`), as the recipes write them.
            overwrite: whether to replace an existing preset folder.

        Returns:
            `directory`.

        Example, with an application of `keras_seq.applications` (whose
        docstrings run it):

            model.save_to_preset("my_vit", metadata={"dataset": "mnist"})
            same = ViT.from_preset("my_vit")  # or ViT(weights="my_vit")
        """
        from keras_seq.presets import save

        return save.save_preset(self, directory, metadata, overwrite)

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """Loads a trained model from a preset, a `.keras` file or a checkpoint.

        `preset` is any source the `keras-seq` commands take: a shipped
        preset's name (`keras_seq.applications.list_presets()`) or a
        folder written by `save_to_preset`, every file checked against its
        SHA-256 digest before anything is read from it; a `.keras` file or
        a folder written by `keras-seq train`; a Hugging Face checkpoint
        folder, converted by `keras_seq.convert.from_transformers` (import
        `keras_seq.convert` first). A path object is always a path. A
        preset's model is not compiled.

        Args:
            preset: the source (a str or a path object).
            **kwargs: for a preset, constructor arguments: `name`, `dtype`,
                `trainable`, `dropout` and `preprocessor` may differ from
                the preset's, any other must equal it; for a checkpoint,
                the converter's options; a `.keras` file takes none.

        Returns:
            The model: an instance of `cls` (a base class such as `Task`
            gets the class the source holds).

        Raises:
            ValueError: for an unknown name or path, a bad file, a model
                that is not a `cls`, or an argument that conflicts.

        Example:

        >>> import keras_seq.applications  # registers the builders with Keras
        >>> from keras_seq.models import Task
        >>> type(Task.from_preset("japanese_vowels_lstm")).__name__
        'RNNClassifier'
        """
        from keras_seq.presets import load

        return load.load_source(cls, preset, kwargs)
