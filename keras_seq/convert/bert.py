"""BERT checkpoints (`BertModel`, `BertForSequenceClassification`) as `TextClassifier`.

bert-base-uncased and its kind: word, position and token-type
embeddings summed and normalized, post-norm encoder layers with exact
GELU, the pooler (dense and tanh on `[CLS]`) and a classifier on it. The
tokenizer adds `[CLS]` and `[SEP]` (`add_special_tokens=True`), the
model reads the first token (`pooling="first_token"`); every token has
type 0 (one text per example).
"""

from keras_seq.convert.checkpoint import check_model_type
from keras_seq.convert.encoder_table import encoder_layer_rows
from keras_seq.convert.encoder_table import norm_rows
from keras_seq.convert.tokenizers import bert_tokenizer
from keras_seq.convert.vit import head_config
from keras_seq.convert.vit import head_rows
from keras_seq.convert.weights import assign
from keras_seq.convert.weights import linear

MODEL_TYPES = ("bert",)
PREFIXES = ("", "bert.")


def check_options(checkpoint):
    """Raises a ValueError naming an option keras-seq's encoder lacks."""
    checkpoint.check("position_embedding_type", ("absolute",), default="absolute")
    checkpoint.check("is_decoder", (False,), default=False)
    checkpoint.check("pad_token_id", (0,), default=0)


def convert(checkpoint, tokenizer=True, classifier_activation="softmax", **kwargs):
    """A `TextClassifier` with the weights (and tokenizer) of `checkpoint`."""
    from keras_seq.applications import TextClassifier
    from keras_seq.preprocessing import TextClassifierPreprocessor

    check_model_type(checkpoint, MODEL_TYPES)
    check_options(checkpoint)
    config = checkpoint.config
    length = config["max_position_embeddings"]
    preprocessor = None
    if tokenizer:
        preprocessor = TextClassifierPreprocessor(
            bert_tokenizer(checkpoint.path), length, add_special_tokens=True
        )
    pooler = checkpoint.find("pooler.dense.weight", PREFIXES) is not None
    model = TextClassifier(
        vocabulary_size=config["vocab_size"],
        max_length=length,
        num_layers=config["num_hidden_layers"],
        num_heads=config["num_attention_heads"],
        hidden_dim=config["hidden_size"],
        intermediate_dim=config["intermediate_size"],
        dropout=float(config.get("hidden_dropout_prob", 0.0)),
        pooling="first_token",
        pooler=pooler,
        activation=checkpoint.activation("hidden_act"),
        layer_norm_epsilon=float(config.get("layer_norm_eps", 1e-12)),
        norm_first=False,
        num_token_types=config.get("type_vocab_size", 2),
        **head_config(checkpoint, classifier_activation),
        preprocessor=preprocessor,
        **kwargs,
    )
    heads = config["num_attention_heads"]
    embedding = "embedding"
    table = [
        (
            "embeddings.word_embeddings.weight",
            f"{embedding}/token_embedding/embeddings",
            None,
        ),
        (
            "embeddings.position_embeddings.weight",
            f"{embedding}/position_embedding/position_embeddings",
            None,
        ),
        (
            "embeddings.token_type_embeddings.weight",
            f"{embedding}/token_type_embedding/embeddings",
            None,
        ),
        *norm_rows("embeddings.LayerNorm", f"{embedding}/norm"),
    ]
    for index in range(config["num_hidden_layers"]):
        table += encoder_layer_rows(index, "encoder", heads, "bert")
    if pooler:
        table += [
            ("pooler.dense.weight", "pooler/kernel", linear),
            ("pooler.dense.bias", "pooler/bias", None),
        ]
    table += head_rows(model)
    assign(model, checkpoint, table, PREFIXES)
    return model
