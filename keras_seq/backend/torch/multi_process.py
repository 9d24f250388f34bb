"""PyTorch only: joining a multi-process run (`torch.distributed`, `torchrun`).

`torchrun` sets `RANK`, `WORLD_SIZE`, `MASTER_ADDR` and `MASTER_PORT`;
`join` forms the process group from them (gloo on CPU, NCCL on GPUs).
Every process then computes the gradients of its share of the batch in
keras-seq's captured train step (`keras_seq.backend.torch.graph_steps`),
and `averaged` makes them, and the loss it logs, the mean over every
process (`torch.distributed.all_reduce`): one update of the whole batch,
the same on every process, as DistributedDataParallel would make it.
"""

import datetime

# Seconds a collective (a gradient all-reduce) may wait for the others.
COLLECTIVE_TIMEOUT = 120

# What gloo and NCCL say when a peer of a collective is gone.
_LOST = (
    "Connection closed by peer",
    "Connection reset by peer",
    "Timed out",
    "timed out",
    "Broken pipe",
    "NCCL",
)

_averaging = False
# The group of every process whose collectives time out after
# `COLLECTIVE_TIMEOUT` (the default group's wait for the others to join
# is the join timeout, longer).
_group = None


def join(cluster, timeout):
    """Joins `cluster` (a `keras_seq.backend.processes.Cluster`): the process group.

    Args:
        cluster: the processes, as `torchrun` described them.
        timeout: seconds to wait for every process (`processes.join` ends
            one whose peers never come first).
    """
    global _averaging, _group
    import torch
    import torch.distributed as dist

    dist.init_process_group(
        "nccl" if torch.cuda.is_available() else "gloo",
        init_method=f"tcp://{cluster.address}",
        rank=cluster.process_id,
        world_size=cluster.processes,
        timeout=datetime.timedelta(seconds=max(timeout, COLLECTIVE_TIMEOUT)),
    )
    _group = dist.new_group(timeout=datetime.timedelta(seconds=COLLECTIVE_TIMEOUT))
    _averaging = True


def averaged(tensors):
    """`tensors` (None kept) averaged over every process, or as they are alone."""
    if not _averaging:
        return tensors
    import torch
    import torch.distributed as dist

    present = [tensor for tensor in tensors if tensor is not None]
    flat = torch.cat([tensor.reshape(-1) for tensor in present])
    dist.all_reduce(flat, group=_group)
    flat /= dist.get_world_size(_group)
    pieces = iter(flat.split([tensor.numel() for tensor in present]))
    return [
        None if tensor is None else next(pieces).view_as(tensor) for tensor in tensors
    ]


def check_step(captured):
    """Raises unless the step averages its gradients: one `captured` by keras-seq.

    Keras' own PyTorch step (`run_eagerly=True`, `jit_compile=True`)
    would update each process from its share alone.
    """
    if _averaging and not captured:
        raise ValueError(
            "in a multi-process PyTorch run the model trains through keras-seq's "
            "captured steps, which average the gradients over the processes: "
            "compile it without run_eagerly=True or jit_compile=True"
        )


def per_process(dataset, batches):
    """`dataset` as it is: each process feeds its own share to its step."""
    return dataset


def work_alone():
    """This process steps alone from now on (process 0 measuring the model)."""
    global _averaging
    _averaging = False


def lost_peer(error):
    """Whether `error`, raised in a step, says another process is gone."""
    text = str(error)
    return any(word in text for word in _LOST)
