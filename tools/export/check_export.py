#!/usr/bin/env python3
"""
End-to-end check of the exporter on a tiny random model with MMDuet's architecture (no real weights needed):

1. writes a fake LLaVA-OV base (bf16, two shards, real tensor names, an extra last vision layer that must be
   dropped, a base projector that the adapter's must replace) and a fake PEFT adapter (fp32 LoRA r 16 /
   alpha 32 on q/k/v/o/gate/up/down, projector, heads stored as `response_head` / `related_head`);
2. runs the exporter (export_mmduet_onnx.main) into OUT;
3. computes reference outputs with an independent PyTorch model (same module code, but weights taken from the
   in-memory random tensors by module name and the LoRA applied unmerged, as forward hooks) and writes
   OUT/reference.json plus OUT/reference_frames.f32 (the frames, little-endian float32 [n,3,384,384]).

  /usr/bin/python3 tools/export/check_export.py --out DIR [--inputs ids.json] [--seed N]
  /usr/bin/python3 tools/export/check_export.py --out DIR --missing-head relevance   # exporter must fail (exit 2)

`--inputs` is a JSON object {"prefix_ids": [...], "generation_prompt_ids": [...]} (the test tokenizes the
chat-template pieces with the model's tokenizer); without it fixed ids are used.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import Dict, List

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the checkout free of __pycache__
sys.path.insert(0, HERE)
import export_mmduet_onnx as exporter  # noqa: E402
from mmduet_model import (  # noqa: E402
    Decoder,
    MMDuetConfig,
    TextConfig,
    VisionConfig,
    VisionEncoder,
    save_safetensors,
    vision_state_names,
)

DEFAULT_TOKENIZER_DIR = os.path.join(HERE, "..", "..", "fixtures", "tiny-model")
N_FRAMES = 4
MAX_NEW_TOKENS = 4
LORA_R, LORA_ALPHA = 16, 32
DEFAULT_IDS = {"prefix_ids": [198, 294, 300, 198, 72, 105, 295, 198, 294, 301, 198], "generation_prompt_ids": [295, 198, 294, 302, 198]}


def tiny_config(vocab_size: int) -> MMDuetConfig:
    text = TextConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8, vocab_size=vocab_size, rope_theta=10000.0, rms_norm_eps=1e-6)
    vision = VisionConfig(hidden_size=24, intermediate_size=48, num_attention_heads=2, num_hidden_layers=3, image_size=384, patch_size=14)
    return MMDuetConfig(text=text, vision=vision, pool_size=7)


def bf16_round(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.bfloat16).to(torch.float32)


def random_tensors(cfg: MMDuetConfig, g: torch.Generator) -> Dict[str, torch.Tensor]:
    """Base checkpoint tensors by their LLaVA-OV names, rounded to bf16 (what the real checkpoint stores)."""
    def rnd(*shape, std=0.2, mean=0.0):
        return bf16_round(mean + std * torch.randn(*shape, generator=g))

    out: Dict[str, torch.Tensor] = {}
    t, v = cfg.text, cfg.vision
    # One vision layer more than used: the architecture's last layer is in the checkpoint and must be ignored.
    with_last = MMDuetConfig(text=t, vision=VisionConfig(**{**v.__dict__, "num_hidden_layers": v.num_hidden_layers + 1}), pool_size=cfg.pool_size)
    full = VisionEncoder(with_last)
    names = vision_state_names(with_last)
    params = dict(full.named_parameters())
    for p, ck in names.items():
        norm = "layer_norm" in p
        out[ck] = rnd(*params[p].shape, std=0.1 if norm else 0.2, mean=1.0 if norm and p.endswith("weight") else 0.0)
    out["model.vision_tower.vision_tower.vision_model.post_layernorm.weight"] = rnd(v.hidden_size)
    out["model.image_newline"] = rnd(t.hidden_size)
    dec = Decoder(t)
    for p, prm in dec.named_parameters():
        if p.endswith("_head.weight") and p != "lm_head.weight":
            continue
        norm = p.endswith("layernorm.weight") or p == "model.norm.weight"
        out[p] = rnd(*prm.shape, std=0.1 if norm else 0.2, mean=1.0 if norm else 0.0)
    out["model.embed_tokens.weight"] = rnd(t.vocab_size, t.hidden_size, std=1.0)
    return out


def adapter_tensors(cfg: MMDuetConfig, g: torch.Generator, missing_head: str) -> Dict[str, torch.Tensor]:
    """PEFT-style names; the heads under the adapter config's names (response/related), one with the modules_to_save infix."""
    t = cfg.text
    dims = {"q_proj": (t.hidden_size, t.num_attention_heads * t.head_dim), "k_proj": (t.hidden_size, t.num_key_value_heads * t.head_dim), "v_proj": (t.hidden_size, t.num_key_value_heads * t.head_dim), "o_proj": (t.num_attention_heads * t.head_dim, t.hidden_size), "gate_proj": (t.hidden_size, t.intermediate_size), "up_proj": (t.hidden_size, t.intermediate_size), "down_proj": (t.intermediate_size, t.hidden_size)}
    out: Dict[str, torch.Tensor] = {}
    for i in range(t.num_hidden_layers):
        for mod, (fan_in, fan_out) in dims.items():
            block = "self_attn" if mod.endswith(("q_proj", "k_proj", "v_proj", "o_proj")) else "mlp"
            stem = f"base_model.model.model.layers.{i}.{block}.{mod}"
            out[f"{stem}.lora_A.weight"] = 0.1 * torch.randn(LORA_R, fan_in, generator=g)
            out[f"{stem}.lora_B.weight"] = 0.05 * torch.randn(fan_out, LORA_R, generator=g)
    H, V = t.hidden_size, cfg.vision.hidden_size
    out["base_model.model.model.mm_projector.0.weight"] = 0.2 * torch.randn(H, V, generator=g)
    out["base_model.model.model.mm_projector.0.bias"] = 0.1 * torch.randn(H, generator=g)
    out["base_model.model.model.mm_projector.2.weight"] = 0.2 * torch.randn(H, H, generator=g)
    out["base_model.model.model.mm_projector.2.bias"] = 0.1 * torch.randn(H, generator=g)
    if missing_head != "informative":
        out["base_model.model.response_head.weight"] = 0.3 * torch.randn(2, H, generator=g)
    if missing_head != "relevance":
        out["base_model.model.related_head.modules_to_save.default.weight"] = 0.3 * torch.randn(2, H, generator=g)
    return out


def write_fake_checkpoints(work: str, cfg: MMDuetConfig, base: Dict[str, torch.Tensor], adapter: Dict[str, torch.Tensor], tokenizer_dir: str) -> tuple:
    base_dir, adapter_dir = os.path.join(work, "base"), os.path.join(work, "adapter")
    for d in (base_dir, adapter_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    t, v = cfg.text, cfg.vision
    base_cfg = {
        "architectures": ["LlavaQwenForCausalLM"], "model_type": "llava", "hidden_size": t.hidden_size, "intermediate_size": t.intermediate_size,
        "num_hidden_layers": t.num_hidden_layers, "num_attention_heads": t.num_attention_heads, "num_key_value_heads": t.num_key_value_heads,
        "vocab_size": t.vocab_size, "rope_theta": t.rope_theta, "rms_norm_eps": t.rms_norm_eps, "rope_scaling": None, "tie_word_embeddings": False,
        "bos_token_id": 294, "eos_token_id": 295, "max_position_embeddings": 32768, "mm_projector_type": "mlp2x_gelu", "mm_spatial_pool_stride": 4,
        "mm_spatial_pool_mode": "bilinear", "mm_vision_tower": "tiny-siglip (random)",
        # The real base has no vision_config (so400m defaults apply); the tiny tower declares its sizes.
        "vision_config": {**{k: getattr(v, k) for k in VisionConfig.__dataclass_fields__}, "num_hidden_layers": v.num_hidden_layers},
    }
    with open(os.path.join(base_dir, "config.json"), "w") as f:
        json.dump(base_cfg, f, indent=2)
    text = {k: x.to(torch.bfloat16) for k, x in base.items() if "vision_tower" not in k}
    vis = {k: x.to(torch.bfloat16) for k, x in base.items() if "vision_tower" in k}
    save_safetensors(text, os.path.join(base_dir, "model-00001-of-00002.safetensors"), {"format": "pt"})
    save_safetensors(vis, os.path.join(base_dir, "model-00002-of-00002.safetensors"), {"format": "pt"})
    for name in exporter.TOKENIZER_REQUIRED:
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(base_dir, name))
    save_safetensors(adapter, os.path.join(adapter_dir, "adapter_model.safetensors"), {"format": "pt"})
    adapter_cfg = {"peft_type": "LORA", "r": LORA_R, "lora_alpha": LORA_ALPHA, "lora_dropout": 0.05, "target_modules": list(exporter.LORA_TARGETS), "modules_to_save": ["connector", "mm_projector", "response_head", "related_head"], "fan_in_fan_out": False, "bias": "none"}
    with open(os.path.join(adapter_dir, "adapter_config.json"), "w") as f:
        json.dump(adapter_cfg, f, indent=2)
    return base_dir, adapter_dir


def reference_model(cfg: MMDuetConfig, base: Dict[str, torch.Tensor], adapter: Dict[str, torch.Tensor]):
    """Independent of the exporter's loader: weights by module name, projector and heads from the adapter dict, LoRA unmerged (hooks)."""
    vision = VisionEncoder(cfg).eval()
    with torch.no_grad():
        for p, prm in vision.named_parameters():
            if p.startswith("mm_projector."):
                prm.copy_(adapter["base_model.model.model." + p])
            else:
                prm.copy_(base["model.vision_tower.vision_tower." + p])
        dec = Decoder(cfg.text).eval()
        for p, prm in dec.named_parameters():
            if p == "informative_head.weight":
                prm.copy_(adapter["base_model.model.response_head.weight"])
            elif p == "relevance_head.weight":
                prm.copy_(adapter["base_model.model.related_head.modules_to_save.default.weight"])
            else:
                prm.copy_(base[p])
    scale = LORA_ALPHA / LORA_R
    for name, module in dec.named_modules():
        a = adapter.get(f"base_model.model.{name}.lora_A.weight")
        if a is None:
            continue
        b = adapter[f"base_model.model.{name}.lora_B.weight"]
        module.register_forward_hook(lambda _m, inp, out, a=a, b=b: out + scale * (inp[0] @ a.T @ b.T))
    return vision, dec, base["model.embed_tokens.weight"]


def run_decoder(dec: Decoder, embeds: torch.Tensor):
    """One full forward from an empty cache over [1, T, H]; returns (logits_last, informative [T,2], relevance [T,2])."""
    t = dec.config
    T = embeds.shape[1]
    past = [torch.zeros(1, t.num_key_value_heads, 0, t.head_dim) for _ in range(2 * t.num_hidden_layers)]
    out = dec(embeds, torch.ones(1, T, dtype=torch.int64), torch.arange(T).unsqueeze(0), *past)
    return out[0][0, -1], out[1][0], out[2][0]


def greedy(dec: Decoder, embed_w: torch.Tensor, prefix: torch.Tensor, prompt_ids: List[int], stop_id: int) -> List[int]:
    """Greedy tokens after `prefix` + generation prompt, recomputing the whole sequence each step (no cache)."""
    seq = torch.cat([prefix, embed_w[prompt_ids].unsqueeze(0)], dim=1)
    tokens: List[int] = []
    while len(tokens) < MAX_NEW_TOKENS:
        logits, _, _ = run_decoder(dec, seq)
        tok = int(torch.argmax(logits))
        tokens.append(tok)
        if tok == stop_id:
            break
        seq = torch.cat([seq, embed_w[[tok]].unsqueeze(0)], dim=1)
    return tokens


def softmax_pos(logits: torch.Tensor) -> List[float]:
    return torch.softmax(logits.double(), dim=-1)[:, 1].tolist()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="export a tiny random MMDuet and write PyTorch reference outputs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--inputs", help="JSON with prefix_ids and generation_prompt_ids")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--tokenizer-from", default=DEFAULT_TOKENIZER_DIR)
    ap.add_argument("--missing-head", choices=["informative", "relevance"], help="drop this head from the adapter: the export must fail")
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    tok = json.load(open(os.path.join(a.tokenizer_from, "tokenizer.json"), encoding="utf-8"))
    max_id = max([*tok["model"]["vocab"].values(), *(t["id"] for t in tok.get("added_tokens", []))])
    cfg = tiny_config(vocab_size=(max_id // 32 + 1) * 32)
    stop_id = exporter.im_end_id(tok, a.tokenizer_from)
    g = torch.Generator().manual_seed(a.seed)
    base = random_tensors(cfg, g)
    adapter = adapter_tensors(cfg, g, a.missing_head or "")
    work = a.out.rstrip("/") + ".work"
    base_dir, adapter_dir = write_fake_checkpoints(work, cfg, base, adapter, a.tokenizer_from)
    rc = exporter.main(["--base", base_dir, "--adapter", adapter_dir, "--out", a.out, "--base-id", "tiny random LLaVA-OV (check_export.py)", "--adapter-id", "tiny random MMDuet adapter (check_export.py)"])
    if a.missing_head or rc != 0:
        return rc

    ids = json.load(open(a.inputs)) if a.inputs else DEFAULT_IDS
    vision, dec, embed_w = reference_model(cfg, base, adapter)
    pixels = torch.rand(N_FRAMES, 3, 384, 384, generator=g) * 2 - 1
    pixels.numpy().astype("<f4").tofile(os.path.join(a.out, "reference_frames.f32"))
    F = cfg.pool_size * cfg.pool_size
    with torch.no_grad():
        feats = vision(pixels)  # [n, 49, H]
        prefix = embed_w[ids["prefix_ids"]]
        seq = torch.cat([prefix, feats.reshape(-1, cfg.text.hidden_size)], dim=0).unsqueeze(0)
        logits, inf, rel = run_decoder(dec, seq)
        rows = [len(ids["prefix_ids"]) + F * (k + 1) - 1 for k in range(N_FRAMES)]
        gen = [greedy(dec, embed_w, seq[:, : rows[k] + 1], ids["generation_prompt_ids"], stop_id) for k in range(N_FRAMES)]
    ref = {
        "n_frames": N_FRAMES,
        "frames_file": "reference_frames.f32",
        "frame_shape": [3, 384, 384],
        "hidden_size": cfg.text.hidden_size,
        "vocab_size": cfg.text.vocab_size,
        "stop_token_id": stop_id,
        "prefix_ids": ids["prefix_ids"],
        "generation_prompt_ids": ids["generation_prompt_ids"],
        "image_features": feats.reshape(-1).tolist(),
        "frame_last_rows": rows,
        "informative_probs": softmax_pos(inf[rows]),
        "relevance_probs": softmax_pos(rel[rows]),
        "last_logits": logits.tolist(),
        "max_new_tokens": MAX_NEW_TOKENS,
        "greedy_tokens": gen,
        "torch_version": torch.__version__,
    }
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump(ref, f)
    print(f"reference written: {N_FRAMES} frames, informative {['%.4f' % p for p in ref['informative_probs']]}, relevance {['%.4f' % p for p in ref['relevance_probs']]}, greedy {gen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
