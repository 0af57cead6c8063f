"""The reader in PyTorch, for training: the same computation as ``bot.engine.ranking.reader`` runs in numpy.

BERT (post-LayerNorm, exact GELU) built from the bottom ``layers`` layers of all-MiniLM-L6-v2,
its word embeddings frozen (they are read from the installed package at run time, so they need not
ship), then BERT's pooler (dense + tanh on [CLS]) and a linear head giving one logit per pair, and
one learned "none of these" logit per model.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from bot.engine.ranking.reader import WORD_EMBEDDINGS

HEADS = 12
EPS = 1e-12
DROPOUT = 0.1


def _linear(tensors: dict[str, np.ndarray], name: str) -> nn.Linear:
    weight = torch.from_numpy(np.array(tensors[f"{name}.weight"], dtype=np.float32))
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(torch.from_numpy(np.array(tensors[f"{name}.bias"], dtype=np.float32)))
    return layer


def _norm(tensors: dict[str, np.ndarray], name: str) -> nn.LayerNorm:
    norm = nn.LayerNorm(tensors[f"{name}.weight"].shape[0], eps=EPS)
    with torch.no_grad():
        norm.weight.copy_(torch.from_numpy(np.array(tensors[f"{name}.weight"], dtype=np.float32)))
        norm.bias.copy_(torch.from_numpy(np.array(tensors[f"{name}.bias"], dtype=np.float32)))
    return norm


class Layer(nn.Module):
    def __init__(self, tensors: dict[str, np.ndarray], prefix: str) -> None:
        super().__init__()
        self.query = _linear(tensors, f"{prefix}.attention.self.query")
        self.key = _linear(tensors, f"{prefix}.attention.self.key")
        self.value = _linear(tensors, f"{prefix}.attention.self.value")
        self.attn_out = _linear(tensors, f"{prefix}.attention.output.dense")
        self.attn_ln = _norm(tensors, f"{prefix}.attention.output.LayerNorm")
        self.inter = _linear(tensors, f"{prefix}.intermediate.dense")
        self.out = _linear(tensors, f"{prefix}.output.dense")
        self.out_ln = _norm(tensors, f"{prefix}.output.LayerNorm")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, HEADS, dim // HEADS).transpose(1, 2)

        context = F.scaled_dot_product_attention(
            heads(self.query(x)), heads(self.key(x)), heads(self.value(x)),
            attn_mask=mask[:, None, None, :], dropout_p=DROPOUT if self.training else 0.0,
        )  # fmt: skip
        context = context.transpose(1, 2).reshape(batch, length, dim)
        x = self.attn_ln(x + F.dropout(self.attn_out(context), DROPOUT, self.training))
        inner = F.gelu(self.inter(x))
        return self.out_ln(x + F.dropout(self.out(inner), DROPOUT, self.training))


class CrossEncoder(nn.Module):
    def __init__(self, tensors: dict[str, np.ndarray], layers: int) -> None:
        super().__init__()
        self.register_buffer("word", torch.from_numpy(np.array(tensors[WORD_EMBEDDINGS], dtype=np.float32)))
        self.position = nn.Embedding.from_pretrained(
            torch.from_numpy(np.array(tensors["embeddings.position_embeddings.weight"], dtype=np.float32)), freeze=False
        )
        self.segment = nn.Embedding.from_pretrained(
            torch.from_numpy(np.array(tensors["embeddings.token_type_embeddings.weight"], dtype=np.float32)),
            freeze=False,
        )
        self.emb_ln = _norm(tensors, "embeddings.LayerNorm")
        self.layers = nn.ModuleList(Layer(tensors, f"encoder.layer.{i}") for i in range(layers))
        self.pooler = _linear(tensors, "pooler.dense")
        self.head = nn.Linear(self.pooler.out_features, 1)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)
        self.null = nn.Parameter(torch.zeros(()))

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1])[None, :]
        x = self.word[ids] + self.position(positions) + self.segment(types)
        x = F.dropout(self.emb_ln(x), DROPOUT, self.training)
        for layer in self.layers:
            x = layer(x, mask)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.head(pooled).squeeze(-1)

    def export(self) -> dict[str, np.ndarray]:
        """Everything but the frozen word embeddings, under the names ``bot.engine.ranking.reader`` reads."""
        out: dict[str, np.ndarray] = {}

        def put(name: str, module: nn.Module) -> None:
            for part in ("weight", "bias"):
                out[f"{name}.{part}"] = getattr(module, part).detach().numpy().astype(np.float32)

        out["embeddings.position_embeddings.weight"] = self.position.weight.detach().numpy().astype(np.float32)
        out["embeddings.token_type_embeddings.weight"] = self.segment.weight.detach().numpy().astype(np.float32)
        put("embeddings.LayerNorm", self.emb_ln)
        for i, layer in enumerate(self.layers):
            prefix = f"encoder.layer.{i}"
            put(f"{prefix}.attention.self.query", layer.query)
            put(f"{prefix}.attention.self.key", layer.key)
            put(f"{prefix}.attention.self.value", layer.value)
            put(f"{prefix}.attention.output.dense", layer.attn_out)
            put(f"{prefix}.attention.output.LayerNorm", layer.attn_ln)
            put(f"{prefix}.intermediate.dense", layer.inter)
            put(f"{prefix}.output.dense", layer.out)
            put(f"{prefix}.output.LayerNorm", layer.out_ln)
        put("pooler.dense", self.pooler)
        put("head", self.head)
        return out
