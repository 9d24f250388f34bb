"""Early stopping that counts the epochs of an interrupted run too."""

import keras


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """`EarlyStopping` that picks up its count where an interrupted run left it.

    Keras' callback starts counting afresh in every `fit`; this one replays
    the monitored values of the epochs completed before, so a resumed run
    stops at the same epoch as an uninterrupted one.

    Args:
        prior: the logs of the epochs completed before.
        **kwargs: `keras.callbacks.EarlyStopping` arguments
            (`restore_best_weights` must stay False: `BestWeights` keeps them).

    Example:

    >>> stopping = ResumableEarlyStopping(
    ...     [{"val_loss": 1.0}, {"val_loss": 1.5}], monitor="val_loss", patience=3
    ... )
    >>> stopping.set_model(keras.Sequential([keras.Input((1,))]))
    >>> stopping.on_train_begin()
    >>> stopping.wait, stopping.best_epoch
    (1, 0)
    """

    def __init__(self, prior=(), **kwargs):
        super().__init__(**kwargs)
        self.prior = [dict(logs) for logs in prior]

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        for epoch, past in enumerate(self.prior):
            super().on_epoch_end(epoch, past)
