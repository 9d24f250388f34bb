import keras


class Task(keras.Model):
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
      policy of its own).
    """

    def __init__(self, inputs, outputs, init_config, name=None, dtype=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.init_config = dict(init_config)
        if dtype is not None:
            self.dtype_policy = dtype

    def get_config(self):
        # Not chained to super: a functional config cannot rebuild a subclass.
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            **self.init_config,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def compile(self, optimizer="auto", loss="auto", metrics="auto", **kwargs):
        if optimizer == "auto":
            optimizer = self.default_optimizer()
        if loss == "auto":
            loss = self.default_loss()
        if metrics == "auto":
            metrics = self.default_metrics()
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def compile_from_config(self, config):
        # Keras skips compiling a loaded model whose `compile()` is
        # overridden; ours only fills in defaults, so the saved one is safe.
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3)

    def default_loss(self):
        raise NotImplementedError(f"{type(self).__name__} defines no default loss.")

    def default_metrics(self):
        return []
