#!/usr/bin/env python3
"""
Optional equivalence check of our plain-PyTorch modules (mmduet_model.py) against Hugging Face transformers'
Qwen2 and SigLIP on the same random weights. Skipped (exit 0, one line) when transformers is not importable.

  /usr/bin/python3 tools/export/check_transformers.py      # or any python with torch + transformers

Checks: Qwen2ForCausalLM last-position logits vs our Decoder, fed in one call and in two calls through the KV
cache; SiglipVisionModel hidden_states[-2] (the architecture minus its last layer) vs our SiglipVisionModel.
"""
from __future__ import annotations

import os
import sys

import torch

sys.dont_write_bytecode = True  # keep the checkout free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_export import tiny_config  # noqa: E402
from mmduet_model import Decoder, SiglipVisionModel  # noqa: E402

TOL = 1e-4


def report(label: str, diff: float) -> bool:
    ok = diff < TOL
    print(f"{'ok  ' if ok else 'FAIL'} {label}: max abs diff {diff:.3g} (tolerance {TOL:g})")
    return ok


def check_qwen2(transformers) -> bool:
    t = tiny_config(vocab_size=320).text
    hf_cfg = transformers.Qwen2Config(
        vocab_size=t.vocab_size, hidden_size=t.hidden_size, intermediate_size=t.intermediate_size, num_hidden_layers=t.num_hidden_layers,
        num_attention_heads=t.num_attention_heads, num_key_value_heads=t.num_key_value_heads, rope_theta=t.rope_theta, rms_norm_eps=t.rms_norm_eps,
        tie_word_embeddings=False, use_sliding_window=False,
    )
    hf_cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    hf = transformers.Qwen2ForCausalLM(hf_cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.normal_(0, 0.2)
    sd = {k: v for k, v in hf.state_dict().items() if not k.endswith("inv_freq")}
    embed = sd.pop("model.embed_tokens.weight")
    ours = Decoder(t).eval()
    missing, unexpected = ours.load_state_dict(sd, strict=False)
    if unexpected or sorted(missing) != ["informative_head.weight", "relevance_head.weight"]:
        print(f"FAIL Qwen2 names: missing {missing}, unexpected {unexpected}")
        return False
    ids = torch.randint(0, t.vocab_size, (1, 12), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = hf(input_ids=ids).logits[0, -1]
        x = embed[ids]
        empty = [torch.zeros(1, t.num_key_value_heads, 0, t.head_dim) for _ in range(2 * t.num_hidden_layers)]
        one = ours(x, torch.ones(1, 12, dtype=torch.int64), torch.arange(12).unsqueeze(0), *empty)[0][0, -1]
        first = ours(x[:, :7], torch.ones(1, 7, dtype=torch.int64), torch.arange(7).unsqueeze(0), *empty)
        two = ours(x[:, 7:], torch.ones(1, 12, dtype=torch.int64), torch.arange(7, 12).unsqueeze(0), *first[3:])[0][0, -1]
    return report("Qwen2 logits, one call", float((one - ref).abs().max())) & report("Qwen2 logits, two calls through the cache", float((two - ref).abs().max()))


def check_siglip(transformers) -> bool:
    v = tiny_config(vocab_size=320).vision
    hf_cfg = transformers.SiglipVisionConfig(hidden_size=v.hidden_size, intermediate_size=v.intermediate_size, num_attention_heads=v.num_attention_heads, num_hidden_layers=v.num_hidden_layers, image_size=v.image_size, patch_size=v.patch_size, layer_norm_eps=v.layer_norm_eps, hidden_act="gelu_pytorch_tanh")
    hf_cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    hf = transformers.SiglipVisionModel(hf_cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.normal_(0, 0.2)
    ours = SiglipVisionModel(v).eval()
    sd = {k[len("vision_model."):]: x for k, x in hf.state_dict().items() if k.startswith("vision_model.")}
    missing, unexpected = ours.load_state_dict(sd, strict=False)
    dropped = [k for k in unexpected if not (k.startswith(("post_layernorm.", "head.", "embeddings.position_ids")) or k.startswith(f"encoder.layers.{v.layers_used}."))]
    if missing or dropped:
        print(f"FAIL SigLIP names: missing {missing}, unexpected {dropped}")
        return False
    pixels = torch.rand(2, 3, 384, 384, generator=torch.Generator().manual_seed(2)) * 2 - 1
    with torch.no_grad():
        ref = hf(pixel_values=pixels, output_hidden_states=True).hidden_states[-2]
        out = ours(pixels)
    return report("SigLIP features (last layer dropped, no post-layernorm)", float((out - ref).abs().max()))


def main() -> int:
    try:
        import transformers
    except ImportError:
        print("skipped: transformers is not importable (pip install transformers to run this check)")
        return 0
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    ok = check_qwen2(transformers) & check_siglip(transformers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
