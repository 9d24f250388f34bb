"""The `keras-seq` command: train, evaluate and inspect the applications.

    keras-seq list
    keras-seq train [APP] [--data NAME_OR_PATH] [--epochs N] [--output DIR]
                    [--input-column C] [--target-column C]
                    [--resume | --overwrite] [--devices N | --mesh BxM]
    keras-seq evaluate MODEL_OR_PRESET [--data NAME_OR_PATH]
    keras-seq predict MODEL_OR_PRESET (INPUT... | --data PATH [--output FILE])
    keras-seq generate MODEL_OR_PRESET --prompt TEXT [--sampler NAME]
    keras-seq attention MODEL_OR_PRESET INPUT --output FILE.png
    keras-seq neighbours MODEL_OR_PRESET WORD [-k N]
    keras-seq export MODEL_OR_PRESET OUTPUT --format tf_saved_model|onnx|litert
                    [--quantize int8]
    keras-seq serve MODEL_OR_PRESET [--port N] [--host HOST]
    keras-seq convert CHECKPOINT OUTPUT.keras [--overwrite]

Arguments are parsed before anything heavy is imported: `--backend` sets
`KERAS_BACKEND`, and the TensorFlow/XLA start-up logs are silenced (unless
`--verbose`), before Keras is imported; `keras-seq --help` imports no
Keras. A user mistake (an unknown application, a missing file, a bad
value) prints one line to stderr and exits with status 2.
"""

import argparse
import importlib
import sys

from keras_seq.cli.errors import UsageError
from keras_seq.version import __version__

BACKENDS = ("tensorflow", "jax", "torch")
SAMPLERS = ("greedy", "top_k", "top_p", "beam")

# Subcommand -> (module of keras_seq.cli, one-line help).
COMMANDS = {
    "list": ("listing", "list the applications, data sets and shipped presets"),
    "train": ("train", "train an application on its bundled data set or your own"),
    "evaluate": ("evaluate", "score a trained model or preset on a test split or file"),
    "predict": ("predict", "labels and probabilities for inputs or a table of them"),
    "generate": ("generate", "continue a prompt, translate, or caption"),
    "attention": ("attention", "plot each layer's and head's attention map"),
    "neighbours": ("neighbours", "nearest tokens in the learned embedding"),
    "export": (
        "export",
        "write a TensorFlow SavedModel, an ONNX or a LiteRT file for serving",
    ),
    "serve": ("serve", "a local web page to try the model (keras-seq[serve])"),
    "convert": ("convert", "a Hugging Face checkpoint folder as a .keras file"),
}

_EPILOG = """\
examples:
  keras-seq train                          # TextClassifier on rotten_tomatoes
  keras-seq predict runs/text_classifier "a gripping, moving film"
  keras-seq train causal_lm --epochs 3 --backend jax
  keras-seq train text_classifier --data reviews.csv --output runs/reviews
  keras-seq predict runs/reviews --data new.csv --output predictions.csv
  keras-seq generate runs/causal_lm --prompt "HAMLET" --sampler top_p
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


# keras.utils.set_random_seed takes what NumPy's global seed takes.
_SEED_LIMIT = 2**32 - 1


def _seed(text):
    value = _int(text)
    if not 0 <= value <= _SEED_LIMIT:
        raise argparse.ArgumentTypeError(
            f"expected an integer from 0 to {_SEED_LIMIT}, got {value}"
        )
    return value


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _mesh(text):
    from keras_seq.cli.devices import parse_mesh

    return parse_mesh(text)


def _common_options(parser, suppress):
    """`--backend` and `--verbose`, before or after the subcommand."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=default,
        help="the Keras backend (default: $KERAS_BACKEND, else Keras' own default)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="show the backends' start-up logs and warnings",
    )


def _model_argument(parser):
    parser.add_argument(
        "model",
        metavar="MODEL_OR_PRESET",
        help="a .keras file, a folder written by `keras-seq train`, a preset "
        "folder, a Hugging Face checkpoint folder (ViT, ViViT, GPT-2, BERT), "
        "or the name of a shipped preset (`keras-seq list`)",
    )


def _hidden(parser, *names, **kwargs):
    """A flag for tests and smoke runs, left out of --help."""
    parser.add_argument(*names, help=argparse.SUPPRESS, **kwargs)


def build_parser():
    """The argument parser of `keras-seq` (it imports nothing heavy)."""
    parser = _Parser(
        prog="keras-seq",
        description="Train, evaluate and inspect keras-seq's sequence models "
        "on their bundled data sets, under TensorFlow, JAX or PyTorch.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub = {}
    for name, (_, summary) in COMMANDS.items():
        sub[name] = commands.add_parser(
            name, help=summary, description=summary[0].upper() + summary[1:] + "."
        )
        _common_options(sub[name], suppress=True)

    train = sub["train"]
    train.add_argument(
        "app",
        nargs="?",
        default="text_classifier",
        metavar="APP",
        help="the application (default: text_classifier; `keras-seq list`)",
    )
    train.add_argument(
        "--data",
        metavar="NAME_OR_PATH",
        help="a bundled data set (default: APP's), or your own: a table (.csv, "
        ".tsv, .jsonl, .parquet, .gz of them; one example a row), a folder of "
        "one subfolder per class, or a .txt corpus (causal_lm) (see "
        "docs/own-data.md)",
    )
    _file_options(train)
    train.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help="the most epochs; early stopping may end sooner "
        "(default: APP's, shown by `keras-seq list`)",
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="examples a training step (default: APP's)",
    )
    train.add_argument(
        "--output",
        metavar="DIR",
        help="where model.keras, history.json and training_curves.png go "
        "(default: runs/APP)",
    )
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted run in DIR from its last completed epoch",
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the finished model DIR holds (otherwise refused)",
    )
    train.add_argument(
        "--from-preset",
        metavar="NAME",
        help="fine-tune the shipped preset NAME (its weights and preprocessor) "
        "instead of a new model; it must be of APP's builder and data set",
    )
    train.add_argument(
        "--lora-rank",
        type=_positive_int,
        metavar="R",
        help="with --from-preset: train LoRA adapters of rank R on the attention's "
        "query and value projections, every other weight frozen; model.keras "
        "holds them merged (see docs/fine-tune-and-shrink.md)",
    )
    train.add_argument(
        "--gradient-accumulation-steps",
        type=_positive_int,
        metavar="N",
        help="average the gradients of N batches before each update: batches of "
        "--batch-size train as batches N times larger would (default: 1)",
    )
    train.add_argument(
        "--remat",
        action="store_true",
        help="recompute each transformer layer's activations in the backward "
        "pass instead of keeping them: less memory, more time (the dropout "
        "masks are replayed, not drawn again)",
    )
    train.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="the random seed of the weights and the shuffling (default: %(default)s)",
    )
    spread = train.add_mutually_exclusive_group()
    spread.add_argument(
        "--devices",
        type=_positive_int,
        metavar="N",
        help="train data-parallel on N devices (JAX; every batch split over them)",
    )
    spread.add_argument(
        "--mesh",
        type=_mesh,
        metavar="BATCHxMODEL",
        help="train model-parallel on a BATCHxMODEL device mesh, e.g. 2x4 (JAX; "
        "attention and feed-forward weights split over MODEL devices)",
    )
    _hidden(train, "--limit", type=_positive_int, metavar="N")
    _hidden(train, "--tiny", action="store_true")
    _hidden(train, "--batch-delay", type=_non_negative_float, default=0.0)
    _hidden(train, "--patience", type=_positive_int)
    _hidden(train, "--stream", action="store_true", default=None)

    evaluate = sub["evaluate"]
    _model_argument(evaluate)
    evaluate.add_argument(
        "--data",
        metavar="NAME_OR_PATH",
        help="the data set (default: the model's), or your own labelled table or "
        "class folder, scored whole (a forecaster's: a series table, each step "
        "with a whole window before it forecast)",
    )
    _column_options(evaluate, target=True)
    _hidden(evaluate, "--limit", type=_positive_int, metavar="N")

    predict = sub["predict"]
    _model_argument(predict)
    predict.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="texts (or .txt files, one input a line), PNG/JPEG images, "
        ".npy or video-file (.mp4...) clips, or .npy series",
    )
    predict.add_argument(
        "--data",
        metavar="PATH",
        help="instead of INPUTs: a table (one input a row: a text or a file "
        "name) or a class folder; one prediction a row, in order (a "
        "forecaster's: a series table, each row's prediction the forecast of the "
        "next row's target from the window of steps ending at that row)",
    )
    _column_options(predict, target=False)
    predict.add_argument(
        "--output",
        metavar="FILE",
        help="with --data: write the rows and their predictions to FILE (.csv or "
        ".jsonl) instead of printing them",
    )
    predict.add_argument("--json", action="store_true", help="print JSON")
    predict.add_argument(
        "--top",
        type=_positive_int,
        default=3,
        metavar="N",
        help="labels (or next tokens) shown (default: %(default)s)",
    )

    generate = sub["generate"]
    _model_argument(generate)
    generate.add_argument(
        "--prompt",
        required=True,
        metavar="TEXT",
        help="the text to continue, the sentence to translate, or the image to caption",
    )
    generate.add_argument(
        "--max-length",
        type=_positive_int,
        metavar="N",
        help="tokens in all, prompt included (default: the model's)",
    )
    generate.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default=None,
        help="how the next token is chosen (default: the model's own: top_k "
        "with a temperature for a language model, greedy for a translator "
        "or a captioner)",
    )
    generate.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="the random seed of a sampling sampler (default: %(default)s)",
    )
    _hidden(generate, "--chunk", type=_positive_int, default=16)

    attention = sub["attention"]
    _model_argument(attention)
    attention.add_argument("input", metavar="INPUT", help="a text or an image")
    attention.add_argument(
        "--output", required=True, metavar="FILE.png", help="the PNG to write"
    )

    neighbours = sub["neighbours"]
    _model_argument(neighbours)
    neighbours.add_argument("word", metavar="WORD", help="a word or a character")
    neighbours.add_argument(
        "-k",
        type=_positive_int,
        default=10,
        metavar="N",
        help="how many neighbours (default: %(default)s; at most the "
        "vocabulary's ordinary tokens)",
    )
    neighbours.add_argument(
        "--output", metavar="FILE.png", help="also plot the neighbours"
    )
    _export_and_serve_options(sub["export"], sub["serve"])
    _convert_options(sub["convert"])
    return parser


def _column_options(parser, target):
    parser.add_argument(
        "--input-column",
        metavar="C",
        help="the table's input column (default: text, input, path, image... or "
        "the first of two)",
    )
    if target:
        parser.add_argument(
            "--target-column",
            metavar="C",
            help="the table's target column (default: label, target, class... or "
            "the other of two)",
        )


def _fraction(text):
    value = _non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction below 1, got {text!r}")
    return value


def _file_options(train):
    """The options of training on a user's file (`--data PATH`)."""
    _column_options(train, target=True)
    train.add_argument(
        "--validation-data",
        metavar="PATH",
        help="a file of validation examples (default: split off --data)",
    )
    train.add_argument(
        "--test-data",
        metavar="PATH",
        help="a file of test examples, scored at the end (default: split off --data)",
    )
    train.add_argument(
        "--validation-split",
        type=_fraction,
        metavar="F",
        help="the fraction of --data held out to validate, stratified by class "
        "(default: 0.1)",
    )
    train.add_argument(
        "--test-split",
        type=_fraction,
        metavar="F",
        help="the fraction of --data held out to test (default: 0.1)",
    )


def _convert_options(convert):
    convert.add_argument(
        "checkpoint",
        metavar="CHECKPOINT",
        help="a Hugging Face checkpoint folder (config.json, model.safetensors, "
        "tokenizer files) of ViT, ViViT, GPT-2 or BERT",
    )
    convert.add_argument("output", metavar="OUTPUT.keras", help="the file to write")
    convert.add_argument(
        "--overwrite", action="store_true", help="replace OUTPUT if it exists"
    )


def _export_and_serve_options(export, serve):
    _model_argument(export)
    export.add_argument(
        "output",
        metavar="OUTPUT",
        help="the SavedModel folder, or the .onnx or .tflite file",
    )
    export.add_argument(
        "--format",
        choices=("tf_saved_model", "onnx", "litert"),
        required=True,
        help="TensorFlow SavedModel (TensorFlow, JAX), ONNX, or LiteRT (TensorFlow) "
        "(see docs/export.md)",
    )
    export.add_argument(
        "--quantize",
        choices=("int8",),
        help="export the int8 model (see docs/fine-tune-and-shrink.md)",
    )
    export.add_argument(
        "--overwrite", action="store_true", help="replace OUTPUT if it exists"
    )
    _model_argument(serve)
    serve.add_argument(
        "--port",
        type=_int,
        default=8000,
        metavar="N",
        help="the port (default: %(default)s; 0 picks a free one)",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="the interface (default: %(default)s, this machine only; any other "
        "is reachable from the network, with a warning)",
    )


def main(argv=None):
    """Runs `keras-seq` with `argv` (default: the command line); the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    prog = f"keras-seq {args.command}"
    module_name = COMMANDS[args.command][0]
    try:
        from keras_seq.cli import environment

        environment.configure(args.backend, args.verbose)
        module = importlib.import_module(f"keras_seq.cli.{module_name}")
        return module.run(args) or 0
    except UsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
