"""What must happen before Keras is imported: the backend, and quiet start-up.

TensorFlow (which KerasHub imports under every backend) and XLA log
through C++ and absl as soon as they load; the variables below silence
them, and `quiet_python_logs` the Python side once Keras is in.
"""

import contextlib
import importlib.util
import logging
import os
import sys
import tempfile
import warnings

_QUIET_VARIABLES = {
    # TensorFlow's C++ logs (oneDNN, CUDA, CPU features): errors only.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # absl's C++ logging, which XLA and TensorFlow share.
    "ABSL_MIN_LOG_LEVEL": "3",
    "GRPC_VERBOSITY": "ERROR",
}


def configure(backend, verbose):
    """Sets `KERAS_BACKEND` and, unless `verbose`, the log levels; before Keras."""
    if backend is not None:
        if "keras" in sys.modules:
            current = sys.modules["keras"].backend.backend()
            if current != backend:
                from keras_seq.cli.errors import UsageError

                raise UsageError(
                    f"--backend {backend}: Keras is already loaded with the "
                    f"{current} backend in this process"
                )
        os.environ["KERAS_BACKEND"] = backend
    if not verbose:
        for name, value in _QUIET_VARIABLES.items():
            os.environ.setdefault(name, value)
        warnings.filterwarnings("ignore")
    os.environ["KERAS_SEQ_CLI_VERBOSE"] = "1" if verbose else "0"


def quiet_python_logs():
    """Silences the Python loggers of TensorFlow, absl and JAX (after import)."""
    if _verbose():
        return
    for name in ("tensorflow", "absl", "jax", "jax._src.xla_bridge", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:
        pass


def _verbose():
    return os.environ.get("KERAS_SEQ_CLI_VERBOSE") == "1"


@contextlib.contextmanager
def _stderr_held_back():
    """Holds back what C++ libraries write to file descriptor 2 while loading.

    TensorFlow 2.21 logs its start-up (oneDNN, CUDA, CPU features) through
    absl before absl is initialized, straight to the descriptor, whatever
    `TF_CPP_MIN_LOG_LEVEL` says. The output is dropped if the imports
    succeed and shown if they fail.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode("utf-8", errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_keras():
    """Imports Keras (and keras_seq.applications, which registers the models).

    KerasHub, which the text models and the samplers use, imports
    TensorFlow under every backend: both are imported here too, while the
    start-up logs are held back (unless `--verbose`).

    Returns:
        The `keras` module.
    """
    quiet = not _verbose()
    with _stderr_held_back() if quiet else contextlib.nullcontext():
        import keras

        import keras_seq.applications  # noqa: F401

        if importlib.util.find_spec("keras_hub") is not None:
            import keras_hub  # noqa: F401
        # Their devices are found on first use, with more logs (a failed
        # cuInit on a machine without a GPU): find them now.
        if "tensorflow" in sys.modules:
            sys.modules["tensorflow"].config.list_physical_devices()
        from keras_seq.backend import support

        support.find_devices()
    quiet_python_logs()
    return keras


def say(message):
    """A status line on stderr (stdout is kept for results)."""
    print(message, file=sys.stderr, flush=True)
