"""`keras-seq serve`: a local web page to try a model (needs keras-seq[serve]).

The command loads the model, reads what the page shows beside it (the
preset's card, or the run's test figures), builds the page's
`keras_seq.serving.service.Service` and serves it with uvicorn. It
listens on 127.0.0.1 only; another `--host` is reachable from the
network, and the command says so.

Example:

    keras-seq serve rotten_tomatoes --port 8000
"""

import os
import sys

from keras_seq.cli import models
from keras_seq.cli.environment import say
from keras_seq.cli.errors import UsageError
from keras_seq.cli.errors import one_line
from keras_seq.cli.files import HISTORY_FILE
from keras_seq.cli.files import read_json

_LOCAL = ("127.0.0.1", "localhost", "::1")


def _card(reference, loaded):
    """What the page shows beside the model: description, data, metric, baseline."""
    from keras_seq.presets import format as preset_format

    card = {"builder": loaded.builder, "data set": loaded.dataset or "unknown"}
    try:
        metadata = preset_format.read_metadata(reference)
    except (ValueError, OSError, TypeError):
        metadata = None
    if metadata:
        card["description"] = metadata.get("description", "")
        metric = metadata.get("metric") or {}
        if metric:
            card["metric"] = (
                f"{metric.get('name')} {metric.get('value')} on the "
                f"{metric.get('split')} split ({metric.get('examples')} examples)"
            )
        baseline = metadata.get("baseline") or {}
        if baseline:
            card["baseline"] = f"{baseline.get('name')}: {baseline.get('value')}"
        return card
    folder = os.path.dirname(loaded.source)
    record = read_json(os.path.join(folder, HISTORY_FILE)) or {}
    for name, value in sorted((record.get("test") or {}).items()):
        card[f"test {name}"] = value
    return card


def build_app(reference):
    """The FastAPI application for MODEL_OR_PRESET (tests call this)."""
    try:
        from keras_seq.serving.app import create_app
    except ImportError as error:
        raise UsageError(
            f'serve needs the serve extra (pip install "keras-seq[serve]"): '
            f"{one_line(error)}"
        ) from None
    from keras_seq.serving.service import Service

    loaded = models.load(reference)
    models.require_preprocessor(loaded, "serve")
    service = Service(
        loaded.model,
        loaded.source,
        labels=loaded.labels,
        dataset=loaded.dataset,
        card=_card(reference, loaded),
    )
    return create_app(service)


def _listening_socket(host, port):
    """A bound socket on `host:port` (0: a free port); a UsageError if taken."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


def run(args):
    if args.host not in _LOCAL:
        say(
            f"warning: --host {args.host} makes the page reachable from other "
            "machines; it has no authentication"
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port from 0 to 65535")
    sock = _listening_socket(args.host, args.port)
    app = build_app(args.model)
    import keras
    import uvicorn

    say(f"backend: {keras.backend.backend()}")
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"serving on http://{host}:{port} (Ctrl-C stops)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
    sys.stdout.flush()
    return 0
