"""Everything that runs on one backend only.

`support.py` answers what the running backend supports and is the one
door to its fast paths, each with a portable fallback; `torch/` holds
PyTorch's graph capture and replay, the captured sampling loop and the
writes in place; `tensorflow/` what `tf.distribute` replicas and
`tf.data` need; `jax/` its platform and the trainer state after a failed
call; `inference_function.py` runs a function compiled on each backend.
Layers and models stay in `keras.ops` and ask this package.
"""
