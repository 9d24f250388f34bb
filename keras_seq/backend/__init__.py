"""Everything that runs on one backend only.

`torch/` holds PyTorch's graph capture and replay and the captured
sampling loop; `tensorflow/` the fixes `tf.distribute` replicas need;
`support.py` answers what the running backend supports. Model code
elsewhere in the package stays in `keras.ops` and asks this package.
"""
