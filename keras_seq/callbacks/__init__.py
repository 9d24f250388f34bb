"""Keras callbacks for training sequence models, resumable training included.

Resumable training, as `keras-seq train` and the recipes run it: put
`EpochHistory` and `BestWeights` before `AtomicBackupAndRestore` in
`fit`'s callbacks; after an interruption, give the same files again, with
`prior=epoch_logs(record, backup.completed_epochs())` (and a
`ResumableEarlyStopping` with the same `prior`), and the run goes on from
its last completed epoch as if it had not stopped. Every file is written
to a temporary name and renamed into place (`atomic_path`).
"""

from keras_seq.callbacks.atomic_files import atomic_path
from keras_seq.callbacks.atomic_files import write_json
from keras_seq.callbacks.backup_and_restore import AtomicBackupAndRestore
from keras_seq.callbacks.best_weights import BestWeights
from keras_seq.callbacks.early_stopping import ResumableEarlyStopping
from keras_seq.callbacks.epoch_history import EpochHistory
from keras_seq.callbacks.epoch_history import epoch_logs
from keras_seq.callbacks.gradient_norm_monitor import GradientNormMonitor

__all__ = [
    "AtomicBackupAndRestore",
    "BestWeights",
    "EpochHistory",
    "GradientNormMonitor",
    "ResumableEarlyStopping",
    "atomic_path",
    "epoch_logs",
    "write_json",
]
