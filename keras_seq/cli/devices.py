"""`keras-seq train --devices N | --mesh BATCHxMODEL`: Keras' distribution engines.

`--devices N` trains data-parallel (`keras.distribution.DataParallel`:
each device holds the whole model and a slice of every batch); `--mesh
2x4` model-parallel (`keras.distribution.ModelParallel` over a 2x4
`DeviceMesh`, the weights split along its second axis as
`keras_seq.distribution.layout_map` says). Both need JAX: Keras has no
such engine for PyTorch, and TensorFlow's is `tf.distribute` (see
the guide docs/distribution.md). Any other case is a one-line error.
"""

import contextlib
import re

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
            "(--backend jax), or train the model in your own torch.distributed "
            "(DistributedDataParallel) loop"
        )
    else:
        instead = (
            "under TensorFlow build, compile and fit the model inside "
            "tf.distribute.MirroredStrategy().scope() in Python, or run "
            "under JAX (--backend jax)"
        )
    raise UsageError(f"{flag} needs the JAX backend, not {backend}: {instead}")


def distribution(args, builder, keras):
    """The Keras distribution `args` ask for (None: one device).

    Raises:
        UsageError: when the devices JAX sees do not allow it.
    """
    flag = requested(args)
    if flag is None:
        return None
    devices = keras.distribution.list_devices()
    if args.mesh is not None:
        wanted = args.mesh[0] * args.mesh[1]
    else:
        wanted = args.devices
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
        return keras.distribution.DataParallel(devices=devices)
    from keras_seq.distribution import layout_map

    mesh = keras.distribution.DeviceMesh(args.mesh, ("batch", "model"), devices)
    return keras.distribution.ModelParallel(
        layout_map=layout_map(builder, mesh), batch_dim_name="batch"
    )


def describe(strategy):
    """`"model-parallel on a 2x4 mesh of cpu devices"`, or data-parallel."""
    mesh = strategy.device_mesh
    kind = str(mesh.devices.flat[0]).split(":")[0].split("(")[0].lower()
    if len(mesh.shape) == 1:
        return f"data-parallel over {mesh.shape[0]} {kind} devices"
    shape = "x".join(str(size) for size in mesh.shape)
    return f"model-parallel on a {shape} mesh of {kind} devices"


def check_batch_size(args, batch_size, strategy):
    """Raises a UsageError when the batch does not split evenly over the replicas."""
    if strategy is None:
        return
    replicas = strategy.num_model_replicas
    if batch_size % replicas:
        raise UsageError(
            f"{requested(args)} splits every batch over {replicas} replicas, so "
            f"--batch-size must be a multiple of {replicas}; got {batch_size}"
        )


def whole_batches(x, y, batch_size, strategy):
    """`(x, y, dropped)`: the examples cut to whole batches under a distribution.

    Keras splits every batch evenly over the replicas, so a last, partial
    batch cannot be split; it is left out (`dropped` examples).
    """
    if strategy is None:
        return x, y, 0
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
    import os

    path = os.path.join(directory, "distributed.keras")
    model.save(path)
    keras.distribution.set_distribution(None)
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
