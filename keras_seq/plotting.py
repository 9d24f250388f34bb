"""Plots of training and of what a model learned: curves, attention, neighbours.

Each function draws one figure with matplotlib's non-interactive Agg
backend (no display is needed) and writes it as a PNG: titles, axis
labels and legends, so a figure reads at a glance. The inputs are plain
Python and NumPy values; this module imports no model code and no Keras.

Example:

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "curves.png")
>>> history = {"loss": [0.7, 0.5, 0.4], "val_loss": [0.69, 0.55, 0.5],
...            "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.52, 0.7, 0.75]}
>>> _ = training_curves(history, path, title="TextClassifier on rotten_tomatoes")
>>> os.path.getsize(path) > 10_000
True
"""

import os

import numpy as np

# Keys of a Keras history that are not curves of the model.
_NOT_CURVES = ("learning_rate", "lr", "seconds")


def _pyplot():
    """matplotlib.pyplot on the Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(figure, path, dpi=110):
    """Writes `figure` to `path` as a PNG and closes it; returns `path`."""
    plt = _pyplot()
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    figure.savefig(path, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return path


def _metric_label(name):
    return name.replace("_", " ")


def training_curves(history, path, title=None, best_epoch=None):
    """Plots each metric of a Keras history, training and validation, per epoch.

    One panel per metric (loss first): the training curve and, where the
    history has one, the validation curve (`val_` + name).

    Args:
        history: `{name: [value per epoch]}` as `model.fit(...).history`
            gives it, e.g. `loss`, `val_loss`, `accuracy`, `val_accuracy`.
        path: the PNG file to write.
        title: the figure's title.
        best_epoch: the selected epoch (1-based), marked on every panel.

    Returns:
        `path`.
    """
    names = [
        name
        for name in history
        if not name.startswith("val_") and name not in _NOT_CURVES
    ]
    names += [
        name[4:]
        for name in history
        if name.startswith("val_") and name[4:] not in names
    ]
    if not names:
        raise ValueError(
            f"`history` holds no metric to plot. Received keys: {sorted(history)!r}"
        )
    names.sort(key=lambda name: (name != "loss", name))
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(
        1, len(names), figsize=(4.8 * len(names), 3.8), squeeze=False
    )
    for axis, name in zip(axes[0], names):
        for key, label, style in (
            (name, "training", "o-"),
            (f"val_{name}", "validation", "s--"),
        ):
            values = history.get(key)
            if values:
                epochs = np.arange(1, len(values) + 1)
                axis.plot(epochs, values, style, label=label, markersize=4)
        if best_epoch is not None:
            axis.axvline(
                best_epoch,
                color="grey",
                linestyle=":",
                label=f"kept: epoch {best_epoch}",
            )
        axis.set_title(_metric_label(name))
        axis.set_xlabel("epoch")
        axis.set_ylabel(_metric_label(name))
        axis.grid(alpha=0.3)
        axis.legend()
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def attention_maps(scores, tokens, path, title=None, query_tokens=None):
    """Plots the attention probabilities of every layer and head, tokens x tokens.

    Args:
        scores: one `(num_heads, queries, keys)` array per layer (a list,
            or an array `(layers, heads, queries, keys)`).
        tokens: the `keys` token strings (the axis labels).
        path: the PNG file to write.
        title: the figure's title.
        query_tokens: the query token strings (default: `tokens`).

    Returns:
        `path`.
    """
    scores = [np.asarray(layer, dtype="float32") for layer in scores]
    if not scores or any(layer.ndim != 3 for layer in scores):
        raise ValueError(
            "`scores` must hold one (heads, queries, keys) array per layer. "
            f"Received shapes: {[layer.shape for layer in scores]}"
        )
    query_tokens = list(tokens if query_tokens is None else query_tokens)
    tokens = list(tokens)
    layers, heads = len(scores), max(layer.shape[0] for layer in scores)
    size = max(2.6, min(5.0, 0.22 * max(len(tokens), len(query_tokens)) + 1.2))
    plt = _pyplot()
    figure, axes = plt.subplots(
        layers,
        heads,
        figsize=(size * heads + 1.0, size * layers + 0.6),
        squeeze=False,
    )
    image = None
    for layer_index, layer in enumerate(scores):
        for head in range(heads):
            axis = axes[layer_index][head]
            if head >= layer.shape[0]:
                axis.axis("off")
                continue
            image = axis.imshow(
                layer[head], cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto"
            )
            axis.set_title(f"layer {layer_index + 1}, head {head + 1}", fontsize=9)
            show = len(tokens) <= 40
            axis.set_xticks(range(len(tokens)) if show else [])
            axis.set_yticks(range(len(query_tokens)) if show else [])
            if show:
                axis.set_xticklabels(tokens, rotation=90, fontsize=7)
                axis.set_yticklabels(query_tokens, fontsize=7)
            if layer_index == layers - 1:
                axis.set_xlabel("attended token (key)")
            if head == 0:
                axis.set_ylabel("token (query)")
    if image is not None:
        colorbar = figure.colorbar(image, ax=axes, shrink=0.8)
        colorbar.set_label("attention probability")
    figure.suptitle(title or "Attention of each layer and head")
    return _save(figure, path)


def attention_overlay(image, maps, path, title=None):
    """Plots a class token's attention over image patches, on the image.

    Args:
        image: the `(height, width)` or `(height, width, channels)` image
            (uint8 or floats in [0, 1]).
        maps: one `(num_heads, rows, columns)` array per layer: the class
            token's attention to each patch of the patch grid.
        path: the PNG file to write.
        title: the figure's title.

    Returns:
        `path`.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype != np.uint8:
        image = np.clip(image, 0.0, 1.0)
    maps = [np.asarray(layer, dtype="float32") for layer in maps]
    if not maps or any(layer.ndim != 3 for layer in maps):
        raise ValueError(
            "`maps` must hold one (heads, rows, columns) array per layer. "
            f"Received shapes: {[layer.shape for layer in maps]}"
        )
    layers, heads = len(maps), max(layer.shape[0] for layer in maps)
    height, width = image.shape[:2]
    plt = _pyplot()
    figure, axes = plt.subplots(
        layers, heads + 1, figsize=(2.6 * (heads + 1), 2.7 * layers), squeeze=False
    )
    for layer_index, layer in enumerate(maps):
        axes[layer_index][0].imshow(image, cmap="gray")
        axes[layer_index][0].set_title("input", fontsize=9)
        axes[layer_index][0].axis("off")
        for head in range(heads):
            axis = axes[layer_index][head + 1]
            axis.axis("off")
            if head >= layer.shape[0]:
                continue
            weights = layer[head]
            axis.imshow(image, cmap="gray")
            axis.imshow(
                weights / max(float(weights.max()), 1e-12),
                cmap="inferno",
                alpha=0.55,
                extent=(-0.5, width - 0.5, height - 0.5, -0.5),
                interpolation="nearest",
            )
            axis.set_title(f"layer {layer_index + 1}, head {head + 1}", fontsize=9)
    figure.suptitle(title or "Class token's attention over the patches")
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    return _save(figure, path)


def embedding_neighbours(word, neighbours, path, title=None):
    """Plots the tokens nearest to `word` in an embedding, by cosine similarity.

    Args:
        word: the query word.
        neighbours: `(token, similarity)` pairs, nearest first.
        path: the PNG file to write.
        title: the figure's title.

    Returns:
        `path`.
    """
    neighbours = list(neighbours)
    if not neighbours:
        raise ValueError("`neighbours` must hold at least one (token, similarity).")
    labels = [repr(token)[1:-1] for token, _ in neighbours]
    values = [float(similarity) for _, similarity in neighbours]
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 0.35 * len(values) + 1.4))
    positions = np.arange(len(values))[::-1]
    axis.barh(positions, values, color="tab:blue")
    axis.set_yticks(positions)
    axis.set_yticklabels(labels)
    low = min(0.0, min(values))
    axis.set_xlim(low - 0.05 * (1 - low), 1.0)
    for position, value in zip(positions, values):
        axis.text(value, position, f" {value:.2f}", va="center", fontsize=8)
    axis.set_xlabel("cosine similarity")
    axis.set_ylabel("token")
    axis.set_title(title or f"Nearest tokens to {word!r} in the learned embedding")
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return _save(figure, path)
