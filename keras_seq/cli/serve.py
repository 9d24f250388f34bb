"""`keras-seq serve`: a local web page to try a model (needs keras-seq[serve])."""

from keras_seq.cli.errors import UsageError


def run(args):
    raise UsageError("serve is not ready yet")
