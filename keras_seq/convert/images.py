"""An image processor's `preprocessor_config.json` as keras-seq's pixel scaling.

Hugging Face image processors rescale (`rescale_factor`, and ViViT's
`offset`, minus 1 after rescaling) and normalize (`image_mean`,
`image_std`); both are one `pixels * scale + offset` per channel, which
is what `ImagePreprocessor` and `VideoPreprocessor` do. Resizing and
cropping are not reproduced: inputs must have the model's size.
"""

from keras_seq.convert.checkpoint import read_json

PREPROCESSOR_FILE = "preprocessor_config.json"


def pixel_scaling(path, channels):
    """`(scale, offset)` lists of the folder's image processor, or None without one."""
    config = read_json(path, PREPROCESSOR_FILE)
    if config is None:
        return None
    scale, offset = [1.0] * channels, [0.0] * channels
    if config.get("do_rescale", True):
        factor = float(config.get("rescale_factor", 1 / 255))
        scale = [factor] * channels
        if config.get("offset", False):
            offset = [-1.0] * channels
    if config.get("do_normalize", True):
        mean = _per_channel(config.get("image_mean", 0.5), channels)
        std = _per_channel(config.get("image_std", 0.5), channels)
        scale = [s / d for s, d in zip(scale, std)]
        offset = [(o - m) / d for o, m, d in zip(offset, mean, std)]
    return scale, offset


def _per_channel(value, channels):
    return (
        [float(v) for v in value]
        if isinstance(value, (list, tuple))
        else [float(value)] * channels
    )
