"""
Plain-PyTorch definitions of the MMDuet parts that the ONNX contract needs (model-contract.md §3, §5;
protocol.md §1), plus a minimal safetensors reader/writer (no `safetensors` package is needed).

- SigLIP vision tower (patch-14 conv embedding, learned position embeddings, pre-LN encoder layers with
  GELU-tanh MLP); the last encoder layer of the architecture is dropped and there is no post-layernorm or
  pooling head (LLaVA-NeXT deletes `encoder.layers[-1:]`).
- mlp2x_gelu projector and 7x7 bilinear pooling of the 27x27 grid (align_corners=False, no antialias).
- Qwen2 decoder (RMSNorm, RoPE with explicit position ids, GQA, SiLU MLP, untied LM head) with a KV cache,
  the LM head on the last position only and the two MMDuet heads on every position (float32).

Weights are loaded by the real checkpoints' tensor names (LLaVA-OV: `model.layers.N...`,
`model.vision_tower.vision_tower.vision_model...`, `model.mm_projector.0/2`, `lm_head.weight`).
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import struct
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------
# safetensors: 8-byte little-endian header length, JSON header, raw little-endian tensor data.

_ST_DTYPES = {
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "F64": torch.float64,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
_ST_NAMES = {v: k for k, v in _ST_DTYPES.items()}


class SafetensorsFile:
    """Lazy reader: parses the header once, reads one tensor at a time (a 7B checkpoint never sits in memory twice)."""

    def __init__(self, path: str):
        self.path = path
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n).decode("utf-8"))
        self.data_start = 8 + n
        self.metadata = header.pop("__metadata__", {}) or {}
        self.entries: Dict[str, dict] = header

    def keys(self) -> List[str]:
        return list(self.entries)

    def get(self, name: str) -> torch.Tensor:
        e = self.entries[name]
        if e["dtype"] not in _ST_DTYPES:
            raise ValueError(f"{self.path}: tensor {name} has unsupported dtype {e['dtype']}")
        start, end = e["data_offsets"]
        with open(self.path, "rb") as f:
            f.seek(self.data_start + start)
            buf = bytearray(f.read(end - start))
        if len(buf) != end - start:
            raise ValueError(f"{self.path}: tensor {name} is truncated ({len(buf)} of {end - start} bytes)")
        dtype = _ST_DTYPES[e["dtype"]]
        if len(buf) == 0:
            return torch.zeros(e["shape"], dtype=dtype)
        return torch.frombuffer(buf, dtype=dtype).reshape(e["shape"])


class TensorStore:
    """Every `*.safetensors` file of a directory (sharded checkpoints included), addressed by tensor name."""

    def __init__(self, directory: str):
        files = sorted(f for f in os.listdir(directory) if f.endswith(".safetensors"))
        if not files:
            raise FileNotFoundError(f"{directory}: no .safetensors files")
        self.where: Dict[str, SafetensorsFile] = {}
        for name in files:
            st = SafetensorsFile(os.path.join(directory, name))
            for k in st.keys():
                self.where[k] = st

    def keys(self) -> List[str]:
        return list(self.where)

    def __contains__(self, name: str) -> bool:
        return name in self.where

    def get(self, name: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        if name not in self.where:
            raise KeyError(name)
        return self.where[name].get(name).to(dtype)


def save_safetensors(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs: List[bytes] = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": _ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------------------------------------------------
# Configuration


@dataclass
class VisionConfig:
    hidden_size: int = 1152
    intermediate_size: int = 4304
    num_attention_heads: int = 16
    #: layers of the architecture (so400m: 27); the last one is dropped, so `layers_used` = 26.
    num_hidden_layers: int = 27
    image_size: int = 384
    patch_size: int = 14
    layer_norm_eps: float = 1e-6

    @property
    def layers_used(self) -> int:
        return self.num_hidden_layers - 1

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


@dataclass
class TextConfig:
    hidden_size: int = 3584
    intermediate_size: int = 18944
    num_hidden_layers: int = 28
    num_attention_heads: int = 28
    num_key_value_heads: int = 4
    head_dim: int = 128
    vocab_size: int = 152064
    rope_theta: float = 1e6
    rms_norm_eps: float = 1e-6


@dataclass
class MMDuetConfig:
    text: TextConfig = field(default_factory=TextConfig)
    vision: VisionConfig = field(default_factory=VisionConfig)
    #: pooled grid side: ceil(27 / 4) = 7 (protocol.md §1).
    pool_size: int = 7


def config_from_base(cfg: dict) -> MMDuetConfig:
    """Qwen2 fields from the base config.json; the vision tower is SigLIP so400m unless `vision_config` says otherwise."""
    H = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    text = TextConfig(
        hidden_size=H,
        intermediate_size=int(cfg["intermediate_size"]),
        num_hidden_layers=int(cfg["num_hidden_layers"]),
        num_attention_heads=heads,
        num_key_value_heads=int(cfg.get("num_key_value_heads", heads)),
        head_dim=int(cfg.get("head_dim") or H // heads),
        vocab_size=int(cfg["vocab_size"]),
        rope_theta=float(cfg.get("rope_theta", 1e6)),
        rms_norm_eps=float(cfg.get("rms_norm_eps", 1e-6)),
    )
    if cfg.get("rope_scaling"):
        raise ValueError(f"config.json: rope_scaling {cfg['rope_scaling']!r} is not supported (MMDuet uses none)")
    v = cfg.get("vision_config") or {}
    vision = VisionConfig(**{k: type(getattr(VisionConfig, k))(v[k]) for k in VisionConfig.__dataclass_fields__ if k in v})
    pool = int(cfg.get("mm_pool_size") or math.ceil(vision.grid / int(cfg.get("mm_spatial_pool_stride") or 4)))
    return MMDuetConfig(text=text, vision=vision, pool_size=pool)


# ---------------------------------------------------------------------------------------------------------
# Vision: SigLIP encoder (last layer dropped) -> mlp2x_gelu projector -> 7x7 bilinear pooling

VISION_PREFIX = "model.vision_tower.vision_tower.vision_model."
PROJECTOR_PREFIX = "model.mm_projector."


class SiglipAttention(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.q_proj = nn.Linear(c.hidden_size, c.hidden_size)
        self.k_proj = nn.Linear(c.hidden_size, c.hidden_size)
        self.v_proj = nn.Linear(c.hidden_size, c.hidden_size)
        self.out_proj = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, t, _ = x.shape
        split = lambda y: y.view(n, t, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        att = torch.softmax((q @ k.transpose(-1, -2)).float() * self.head_dim ** -0.5, dim=-1).to(v.dtype)
        return self.out_proj((att @ v).transpose(1, 2).reshape(n, t, -1))


class SiglipMLP(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class SiglipLayer(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.self_attn = SiglipAttention(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.mlp = SiglipMLP(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class SiglipEmbeddings(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.patch_embedding = nn.Conv2d(3, c.hidden_size, kernel_size=c.patch_size, stride=c.patch_size)
        self.position_embedding = nn.Embedding(c.grid * c.grid, c.hidden_size)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = self.patch_embedding(pixels.to(self.patch_embedding.weight.dtype)).flatten(2).transpose(1, 2)
        return x + self.position_embedding.weight.unsqueeze(0)


class SiglipEncoder(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.layers = nn.ModuleList(SiglipLayer(c) for _ in range(c.layers_used))


class SiglipVisionModel(nn.Module):
    """Named like transformers' `vision_model` so state-dict keys match the checkpoint after the prefix."""

    def __init__(self, c: VisionConfig):
        super().__init__()
        self.embeddings = SiglipEmbeddings(c)
        self.encoder = SiglipEncoder(c)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(pixels)
        for layer in self.encoder.layers:
            x = layer(x)
        return x  # activations of the last remaining layer, no post-layernorm


class VisionEncoder(nn.Module):
    """pixel_values [n,3,R,R] -> image_features [n, pool², H] (model-contract.md §3 vision_encoder)."""

    def __init__(self, c: MMDuetConfig):
        super().__init__()
        self.grid = c.vision.grid
        self.pool = c.pool_size
        self.vision_model = SiglipVisionModel(c.vision)
        self.mm_projector = nn.Sequential(nn.Linear(c.vision.hidden_size, c.text.hidden_size), nn.GELU(), nn.Linear(c.text.hidden_size, c.text.hidden_size))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.mm_projector(self.vision_model(pixel_values))
        n, _, h = x.shape
        grid = x.view(n, self.grid, self.grid, h).permute(0, 3, 1, 2)
        pooled = F.interpolate(grid, size=(self.pool, self.pool), mode="bilinear", align_corners=False)
        return pooled.permute(0, 2, 3, 1).reshape(n, self.pool * self.pool, h)


# ---------------------------------------------------------------------------------------------------------
# Qwen2 decoder with KV cache and the two heads


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Qwen2Attention(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c.num_attention_heads, c.num_key_value_heads, c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, c.num_attention_heads * c.head_dim, bias=True)
        self.k_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=True)
        self.v_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=True)
        self.o_proj = nn.Linear(c.num_attention_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = self.heads // self.kv_heads
        kk = k.unsqueeze(2).expand(-1, -1, rep, -1, -1).flatten(1, 2)
        vv = v.unsqueeze(2).expand(-1, -1, rep, -1, -1).flatten(1, 2)
        scores = (q @ kk.transpose(-1, -2)).float() * self.head_dim ** -0.5
        scores = scores.masked_fill(~mask, torch.finfo(torch.float32).min)
        att = torch.softmax(scores, dim=-1).to(vv.dtype)
        out = (att @ vv).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(out), k, v


class Qwen2MLP(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Qwen2Layer(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.self_attn = Qwen2Attention(c)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = Qwen2MLP(c)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class Qwen2Model(nn.Module):
    """Named like transformers' `model` (Qwen2Model) so keys match `model.layers.N...`, `model.norm.weight`."""

    def __init__(self, c: TextConfig):
        super().__init__()
        self.layers = nn.ModuleList(Qwen2Layer(c) for _ in range(c.num_hidden_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class Decoder(nn.Module):
    """
    decoder_model_merged (model-contract.md §3): inputs_embeds, attention_mask, position_ids, past key/values
    (flat: key0, value0, key1, …) -> logits of the last position, informative/relevance logits of every
    position (float32), present key/values. Causality comes from the absolute position ids, so the graph
    makes no assumption on the past length (p = 0 works).
    """

    def __init__(self, c: TextConfig):
        super().__init__()
        self.config = c
        self.model = Qwen2Model(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.informative_head = nn.Linear(c.hidden_size, 2, bias=False)
        self.relevance_head = nn.Linear(c.hidden_size, 2, bias=False)
        d = c.head_dim
        self.register_buffer("inv_freq", 1.0 / (c.rope_theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)).float(), persistent=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        x = inputs_embeds.to(self.lm_head.weight.dtype)
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq  # [b, s, D/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = emb.cos().to(x.dtype).unsqueeze(1)
        sin = emb.sin().to(x.dtype).unsqueeze(1)
        key_pos = torch.cumsum(torch.ones_like(attention_mask), dim=1) - 1  # 0 … total-1, [b, total]
        causal = key_pos.unsqueeze(1) <= position_ids.unsqueeze(2)  # [b, s, total]
        mask = (causal & (attention_mask.unsqueeze(1) > 0)).unsqueeze(1)  # [b, 1, s, total]
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        h = self.model.norm(x)
        logits = self.lm_head(h[:, -1:, :]).float()
        return (logits, self.informative_head(h).float(), self.relevance_head(h).float(), *presents)


class EmbedTokens(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embed_tokens(input_ids)


# ---------------------------------------------------------------------------------------------------------
# Loading by checkpoint names


def vision_state_names(c: MMDuetConfig) -> Dict[str, str]:
    """VisionEncoder parameter name -> checkpoint tensor name."""
    names = {}
    for p, _ in VisionEncoder(_tiny_like(c)).named_parameters():
        if p.startswith("vision_model."):
            names[p] = VISION_PREFIX + p[len("vision_model."):]
        else:
            names[p] = PROJECTOR_PREFIX + p[len("mm_projector."):]
    return names


def _tiny_like(c: MMDuetConfig) -> MMDuetConfig:
    """Same structure (layer counts) with 1-wide tensors: used only to enumerate parameter names cheaply."""
    v = VisionConfig(hidden_size=1, intermediate_size=1, num_attention_heads=1, num_hidden_layers=c.vision.num_hidden_layers, image_size=c.vision.patch_size, patch_size=c.vision.patch_size)
    t = TextConfig(hidden_size=1, intermediate_size=1, num_hidden_layers=c.text.num_hidden_layers, num_attention_heads=1, num_key_value_heads=1, head_dim=2, vocab_size=1)
    return MMDuetConfig(text=t, vision=v, pool_size=1)


@contextlib.contextmanager
def skip_init():
    """Build modules without random initialisation (minutes for 7B on CPU); every parameter is then loaded, which load_params checks."""
    classes = (nn.Linear, nn.Embedding, nn.Conv2d, nn.LayerNorm)
    saved = {cls: cls.__dict__.get("reset_parameters") for cls in classes}
    for cls in classes:
        cls.reset_parameters = lambda self: None
    try:
        yield
    finally:
        for cls, fn in saved.items():
            if fn is None:
                delattr(cls, "reset_parameters")
            else:
                cls.reset_parameters = fn


def load_params(module: nn.Module, names: Dict[str, str], fetch) -> None:
    """Copies `fetch(checkpoint_name)` (None = absent) into every parameter; missing tensors and shape mismatches fail loudly."""
    params = dict(module.named_parameters())
    missing = []
    with torch.no_grad():
        for p, ck in names.items():
            t = fetch(ck)
            if t is None:
                missing.append(ck)
                continue
            if tuple(t.shape) != tuple(params[p].shape):
                raise ValueError(f"tensor {ck} has shape {list(t.shape)}, expected {list(params[p].shape)}")
            params[p].copy_(t.to(params[p].dtype))
    if missing:
        raise KeyError(f"checkpoint is missing {len(missing)} tensor(s), e.g. {', '.join(missing[:5])}")
