"""PyTorch: fewer operations to replay in a captured graph, the same results.

A graph captured from Keras code (`keras_seq.backend.torch.captured_graphs`)
repeats what eager code recomputes at every call: position ranges and
constant masks, each layer's copy of the same attention mask, conversions
to the dtype a tensor has, copies of constants. Replaying an operation
costs microseconds of dispatch whatever its size, so at small sizes, or
on a GPU, these dominate. `simplify` removes them:

- `detach` calls (a replayed graph records no gradients) and conversions
  that return their input as it is;
- operations of constants alone, computed once at capture (folded);
- an operation repeated with the same inputs (common subexpressions);
- operations whose results nothing uses.

Only pure operations are folded or merged: none that writes to its
inputs or draws random numbers (`torch.fx.Node.is_impure`).
"""

import operator

# Folded constants larger than this are computed at every call instead.
MAX_FOLDED_ELEMENTS = 1 << 20


def simplify(graph):
    """Simplifies the `torch.fx.GraphModule` `graph` in place.

    The graph must be replayed under `torch.no_grad()`, as
    `keras_seq.backend.torch.captured_graphs` does: its `detach` calls go.
    """
    _drop_detaches(graph)
    _drop_unchanging_conversions(graph)
    _fold_constants(graph)
    _merge_common_subexpressions(graph)
    graph.graph.eliminate_dead_code()
    graph.recompile()


def _drop_detaches(graph):
    """Removes `detach` calls: without gradients a tensor is its detached self.

    A traced backward pass detaches what it saves for later; replayed
    under `torch.no_grad()` nothing records gradients.
    """
    import torch

    for node in list(graph.graph.nodes):
        if node.op == "call_function" and node.target is torch.ops.aten.detach.default:
            node.replace_all_uses_with(node.args[0])
            graph.graph.erase_node(node)


def _drop_unchanging_conversions(graph):
    """Removes the `Tensor.to` calls that return their input as is."""
    import torch

    conversions = {
        torch.ops.aten.to.dtype,
        torch.ops.aten.to.dtype_layout,
        torch.ops.aten.to.device,
    }
    for node in list(graph.graph.nodes):
        if node.op != "call_function" or node.target not in conversions:
            continue
        asked_for_copy = node.kwargs.get("copy") or (
            node.target is torch.ops.aten.to.dtype
            and len(node.args) > 3
            and node.args[3]
        )
        if asked_for_copy or node.kwargs.get("memory_format") is not None:
            continue
        before, after = node.args[0].meta.get("val"), node.meta.get("val")
        if (
            before is not None
            and after is not None
            and (before.dtype, before.device) == (after.dtype, after.device)
        ):
            node.replace_all_uses_with(node.args[0])
            graph.graph.erase_node(node)


def _fold_constants(graph):
    """Computes once the pure operations whose inputs are all constants.

    A folded value becomes an attribute of `graph` read by a `get_attr`
    node. Values that leave the graph or that an operation writes to are
    not folded: a caller or a later call would see them changed.
    """
    import torch

    values = {}
    folded = []
    for node in list(graph.graph.nodes):
        if node.op == "get_attr":
            values[node] = getattr(graph, node.target)
            continue
        if not _pure_call(node):
            continue
        inputs = node.all_input_nodes
        if any(item not in values for item in inputs):
            continue
        try:
            args, kwargs = _substitute((node.args, node.kwargs), values)
            with torch.no_grad():
                value = node.target(*args, **kwargs)
        except Exception:
            continue
        if not isinstance(value, torch.Tensor):
            continue
        values[node] = value
        if not _may_become_attribute(node, value):
            continue
        # An equal constant folded before serves again, so that the
        # operations of equal constants become common subexpressions.
        constant = next(
            (
                earlier
                for earlier, earlier_value in folded
                if _equal(earlier_value, value)
            ),
            None,
        )
        if constant is None:
            name = f"_folded_{node.name}"
            graph.register_buffer(name, value, persistent=False)
            with graph.graph.inserting_before(node):
                constant = graph.graph.get_attr(name)
            constant.meta = dict(node.meta)
            folded.append((constant, value))
            values[constant] = value
        node.replace_all_uses_with(constant)
        graph.graph.erase_node(node)


def _may_become_attribute(node, value):
    if value.numel() > MAX_FOLDED_ELEMENTS:
        return False
    for user in node.users:
        if user.op == "output" or (user.op == "call_function" and user.is_impure()):
            return False
    return True


def _equal(a, b):
    return (a.dtype, a.shape, a.device, a.stride()) == (
        b.dtype,
        b.shape,
        b.device,
        b.stride(),
    ) and bool((a == b).all())


def _merge_common_subexpressions(graph):
    """Replaces a pure operation by an earlier one of the same inputs."""
    seen = {}
    for node in list(graph.graph.nodes):
        if not _pure_call(node):
            continue
        try:
            key = (node.target, _hashable(node.args), _hashable(node.kwargs))
            earlier = seen.get(key)
        except TypeError:
            continue
        if earlier is None:
            seen[key] = node
        else:
            node.replace_all_uses_with(earlier)
            graph.graph.erase_node(node)


def _pure_call(node):
    return (
        node.op == "call_function"
        and node.target is not operator.getitem
        and not node.is_impure()
    )


def _substitute(value, values):
    """`value` with each graph node replaced by its computed value."""
    import torch

    if isinstance(value, torch.fx.Node):
        return values[value]
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(item, values) for item in value)
    if isinstance(value, dict):
        return {key: _substitute(item, values) for key, item in value.items()}
    return value


def _hashable(value):
    """A hashable key of an argument (TypeError where there is none)."""
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_hashable(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((key, _hashable(value[key])) for key in sorted(value)))
    hash(value)
    return (type(value), value)
