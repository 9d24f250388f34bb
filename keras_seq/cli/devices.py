"""`keras-seq train --devices N | --mesh BATCHxMODEL`: Keras' distribution engines.

`--devices N` trains data-parallel (`keras.distribution.DataParallel`:
each device holds the whole model and a slice of every batch); `--mesh
2x4` model-parallel (`keras.distribution.ModelParallel` over a 2x4
`DeviceMesh`, the weights split along its second axis as
`keras_seq.distribution.layout_map` says). Both need JAX: Keras has no
such engine for PyTorch, and TensorFlow's is `tf.distribute` (see
the guide docs/distribution.md). Any other case is a one-line error.

Launched as one of several processes by an engine's launcher
(`keras_seq.backend.processes`), `keras-seq train` joins the others
(`join_cluster`): every process's devices train as one, and only process
0 writes (`working_folder`). See the guide docs/many_machines.md.
"""

import contextlib
import os
import re
import shutil

from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError

_MESH = re.compile(r"^([1-9][0-9]*)x([1-9][0-9]*)$")


def parse_mesh(text):
    """`"2x4"` -> `(2, 4)`: the batch and model axes' sizes (argparse type)."""
    import argparse

    match = _MESH.match(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(
            f"expected BATCHxMODEL, two positive integers such as 2x4, got {text!r}"
        )
    return int(match.group(1)), int(match.group(2))


def requested(args):
    """The flag the user gave (`"--devices 8"`, `"--mesh 2x4"`), or None."""
    if getattr(args, "mesh", None) is not None:
        return f"--mesh {args.mesh[0]}x{args.mesh[1]}"
    if getattr(args, "devices", None) is not None:
        return f"--devices {args.devices}"
    return None


def check_backend(args, backend):
    """Raises a UsageError when `backend` cannot train on many devices."""
    flag = requested(args)
    if flag is None or backend == "jax":
        return
    if backend == "torch":
        instead = (
            "Keras has no multi-device engine for PyTorch; run under JAX "
            "(--backend jax), or launch one process a device with torchrun, "
            "which trains data-parallel through torch.distributed "
            "(docs/many_machines.md)"
        )
    else:
        instead = (
            "under TensorFlow build, compile and fit the model inside "
            "tf.distribute.MirroredStrategy().scope() in Python, launch one "
            "process a device with TF_CONFIG (docs/many_machines.md), or run "
            "under JAX (--backend jax)"
        )
    raise UsageError(f"{flag} needs the JAX backend, not {backend}: {instead}")


def distribution(args, builder, keras, cluster=None):
    """The Keras distribution `args` ask for (None: one device).

    In a multi-process JAX run (`cluster`), every process's devices train
    together: data-parallel over all of them without a flag, and
    `--devices`/`--mesh` must use them all.

    Raises:
        UsageError: when the devices JAX sees do not allow it.
    """
    flag = requested(args)
    many = cluster is not None and cluster.processes > 1 and cluster.engine == "jax"
    if flag is None and not many:
        return None
    devices = keras.distribution.list_devices()
    if args.mesh is not None:
        wanted = args.mesh[0] * args.mesh[1]
    else:
        wanted = args.devices or len(devices)
    if many and wanted != len(devices):
        raise UsageError(
            f"{flag}: the {cluster.processes} processes of this run have "
            f"{len(devices)} devices in all, and every one trains: ask for all "
            f"{len(devices)} (or leave the flag out for data-parallel)"
        )
    if wanted > len(devices):
        kind = devices[0].split(":")[0] if devices else "device"
        hint = (
            f" (on a CPU-only host, XLA_FLAGS=--xla_force_host_platform_device_count"
            f"={wanted} makes {wanted} virtual CPU devices, for trying it out)"
            if kind == "cpu"
            else ""
        )
        raise UsageError(
            f"{flag} needs {wanted} devices, but JAX sees {len(devices)} ({kind}){hint}"
        )
    devices = devices[:wanted]
    if args.mesh is None:
        strategy = keras.distribution.DataParallel(devices=devices)
    else:
        from keras_seq.distribution import layout_map

        mesh = keras.distribution.DeviceMesh(args.mesh, ("batch", "model"), devices)
        strategy = keras.distribution.ModelParallel(
            layout_map=layout_map(builder, mesh), batch_dim_name="batch"
        )
    # Each process reads its own share of every batch already
    # (keras_seq.models.raw_inputs.PreprocessedBatches).
    strategy.auto_shard_dataset = False
    return strategy


def join_cluster(args, backend):
    """Joins the multi-process run the engine's launcher set up, if any.

    The launcher's variables (`keras_seq.backend.processes`) decide;
    without them this process trains alone. Under TensorFlow and PyTorch
    the processes train data-parallel, one device each.

    Returns:
        The `keras_seq.backend.processes.Cluster` joined.

    Raises:
        UsageError: for malformed launcher variables.
    """
    from keras_seq.backend import processes

    try:
        cluster = processes.launched(backend)
        if cluster.processes > 1:
            say(
                f"{cluster.describe()}: joining {cluster.address} ({backend}; "
                f"waiting up to {processes.join_timeout()} s for the others)"
            )
        return processes.join()
    except processes.PeerLost as error:
        raise UsageError(str(error)) from None


def working_folder(cluster, output):
    """Where this process writes: `output` on process 0, a private copy elsewhere.

    Only process 0 writes the model, the history, the pictures and the
    checkpoints. The others work in a temporary copy of what `output`
    holds (a resumed run's checkpoint), removed when the process ends.
    """
    if cluster.is_writer:
        return output
    import atexit
    import tempfile

    private = tempfile.mkdtemp(prefix=f"keras-seq-process-{cluster.process_id}-")
    atexit.register(shutil.rmtree, private, True)
    copy = os.path.join(private, os.path.basename(os.path.abspath(output)))
    if os.path.isdir(output):
        shutil.copytree(output, copy)
    return copy


def layout(cluster, strategy):
    """`{"processes", "devices", "mesh"}`: the run's layout, for history.json."""
    record = {"processes": cluster.processes, "devices": 1, "mesh": None}
    if strategy is not None:
        shape = list(strategy.device_mesh.shape)
        record["devices"] = int(strategy.device_mesh.devices.size)
        record["mesh"] = shape if len(shape) > 1 else None
    elif cluster.processes > 1:
        record["devices"] = cluster.processes
    return record


def writes_results(cluster):
    """After training: whether this process measures and writes the model.

    Process 0 does, alone (whole batches from now on); the others are done.
    """
    from keras_seq.backend import processes

    processes.work_alone()
    return cluster.is_writer


def peer_lost(error):
    """Ends the process in one line if `error` says a peer process died."""
    from keras_seq.backend import processes

    processes.check_peers_alive(error)


def describe(strategy):
    """`"model-parallel on a 2x4 mesh of cpu devices"`, or data-parallel."""
    mesh = strategy.device_mesh
    kind = str(mesh.devices.flat[0]).split(":")[0].split("(")[0].lower()
    if len(mesh.shape) == 1:
        return f"data-parallel over {mesh.shape[0]} {kind} devices"
    shape = "x".join(str(size) for size in mesh.shape)
    return f"model-parallel on a {shape} mesh of {kind} devices"


def replicas(strategy, cluster=None):
    """How many replicas share every batch: the strategy's, or the processes'."""
    if strategy is not None:
        return strategy.num_model_replicas
    return 1 if cluster is None else cluster.processes


def spread(args, cluster, strategy, batch_size, dropped, dropped_val):
    """The line that says how every batch is split, and what was left out."""
    who = requested(args) or cluster.describe()
    how = (
        describe(strategy)
        if strategy is not None
        else f"data-parallel over {cluster.processes} processes ({cluster.engine})"
    )
    return (
        f"{who}: {how}; batches of {batch_size} split over "
        f"{replicas(strategy, cluster)} replicas ({dropped} training and "
        f"{dropped_val} validation examples past the last whole batch left out)"
    )


def check_batch_size(args, batch_size, strategy, cluster=None):
    """Raises a UsageError when the batch does not split evenly over the replicas."""
    count = replicas(strategy, cluster)
    if batch_size % count:
        who = requested(args) or f"a run of {cluster.processes} processes"
        raise UsageError(
            f"{who} splits every batch over {count} replicas, so "
            f"--batch-size must be a multiple of {count}; got {batch_size}"
        )


def whole_batches(x, y, batch_size):
    """`(x, y, dropped)`: the examples cut to whole batches, for many replicas.

    Every batch is split evenly over the replicas, so a last, partial
    batch cannot be split; it is left out (`dropped` examples).
    """
    kept = len(x) - len(x) % batch_size
    if kept == 0:
        raise UsageError(
            f"{len(x)} examples make no whole batch of {batch_size}; "
            "pass a smaller --batch-size"
        )
    return x[:kept], (None if y is None else y[:kept]), len(x) - kept


def on_one_device(model, keras, directory):
    """`model` reloaded on one device (its weights gathered), the distribution unset.

    The held-out figure predicts batches of any size, which a distribution
    cannot split; and the saved model is then like any other.
    """
    from keras_seq.backend import processes

    path = os.path.join(directory, "distributed.keras")
    model.save(path)
    keras.distribution.set_distribution(None)
    processes.work_alone()
    loaded = keras.saving.load_model(path)
    os.remove(path)
    return loaded


@contextlib.contextmanager
def sizes_explained(args):
    """Turns JAX's error for a weight the mesh cannot split into a UsageError."""
    try:
        yield
    except Exception as error:
        if type(error).__name__ != "IndivisibleError" or args.mesh is None:
            raise
        raise UsageError(
            f"{requested(args)}: the model's sizes do not split over "
            f"{args.mesh[1]} devices (the number of heads, the hidden and the "
            "intermediate sizes must be multiples of MODEL); choose another "
            "MODEL size"
        ) from None
