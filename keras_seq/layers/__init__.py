"""The building blocks of keras-seq: subclassed Keras layers."""

from keras_seq.layers.class_token import ClassToken
from keras_seq.layers.factorised_attention_encoder import FactorisedAttentionEncoder
from keras_seq.layers.masked_mean_pooling import MaskedMeanPooling
from keras_seq.layers.multi_head_self_attention import MultiHeadSelfAttention
from keras_seq.layers.patch_embedding import PatchEmbedding
from keras_seq.layers.positional_embedding import PositionalEmbedding
from keras_seq.layers.recurrent_stacks import RecurrentDecoderStack
from keras_seq.layers.recurrent_stacks import RecurrentStack
from keras_seq.layers.token_and_position_embedding import TokenAndPositionEmbedding
from keras_seq.layers.transformer_decoder import TransformerDecoder
from keras_seq.layers.transformer_encoder import TransformerEncoder
from keras_seq.layers.transformer_stacks import TransformerDecoderStack
from keras_seq.layers.transformer_stacks import TransformerEncoderStack
from keras_seq.layers.tubelet_embedding import TubeletEmbedding

__all__ = [
    "ClassToken",
    "FactorisedAttentionEncoder",
    "MaskedMeanPooling",
    "MultiHeadSelfAttention",
    "PatchEmbedding",
    "PositionalEmbedding",
    "RecurrentDecoderStack",
    "RecurrentStack",
    "TokenAndPositionEmbedding",
    "TransformerDecoder",
    "TransformerEncoder",
    "TransformerEncoderStack",
    "TransformerDecoderStack",
    "TubeletEmbedding",
]
