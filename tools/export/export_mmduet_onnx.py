#!/usr/bin/env python3
"""
Exports MMDuet (LLaVA-OneVision-7B + the `wangyueqian/MMDuet` PEFT adapter) to the ONNX model directory of
model-contract.md: onnx/vision_encoder, onnx/embed_tokens, onnx/decoder_model_merged (+ external data),
config.json with the `mmduet` block, tokenizer files.

  /usr/bin/python3 tools/export/export_mmduet_onnx.py --base BASE_DIR --adapter ADAPTER_DIR --out MODEL_DIR \
      [--dtype fp32|fp16] [--opset 17] [--device cpu|cuda] [--base-id ID] [--adapter-id ID]

Exit code 2 with a one-line `error:` message when the inputs are not what MMDuet needs (missing head, no
LoRA tensors, unknown LoRA target, shape mismatch...).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
from typing import Callable, Dict, List, Optional, Tuple

import torch

sys.dont_write_bytecode = True  # keep the checkout free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mmduet_model import (  # noqa: E402
    Decoder,
    EmbedTokens,
    MMDuetConfig,
    PROJECTOR_PREFIX,
    TensorStore,
    VisionEncoder,
    config_from_base,
    load_params,
    skip_init,
    vision_state_names,
)

EXPORTER = "mmduet-eval tools/export/export_mmduet_onnx.py"
EXPORTER_VERSION = "1"
SYSTEM_PROMPT = (
    "A multimodal AI assistant is helping users with some activities. Below is their conversation, "
    "interleaved with the list of video frames received by the assistant."
)
#: Stored head names: the adapter config says response/related, the model code informative/relevance (protocol.md §1).
HEAD_ALIASES = {"informative": ("informative_head", "response_head"), "relevance": ("relevance_head", "related_head")}
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TOKENIZER_REQUIRED = ("tokenizer.json", "tokenizer_config.json")
TOKENIZER_OPTIONAL = ("vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json", "generation_config.json")
DTYPE_SUFFIX = {"fp32": "", "fp16": "_fp16"}
#: Initializers at least this big go to `<graph>.onnx_data` (onnx's own default threshold).
EXTERNAL_THRESHOLD = 1024


#: torch >= 2.5 has a `dynamo` switch (the default from 2.9); the graphs here are traced with the TorchScript exporter.
TORCH_VERSION = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2])
TORCHSCRIPT_EXPORTER = {"dynamo": False} if TORCH_VERSION >= (2, 5) else {}


class ExportError(Exception):
    """Input that cannot give a correct MMDuet export; printed as one line, exit code 2."""


def read_json(path: str) -> dict:
    if not os.path.isfile(path):
        raise ExportError(f"{path}: file not found")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------------------
# Adapter: PEFT names -> plain module names


def normalise_adapter_name(name: str) -> str:
    """`base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight` -> `model.layers.0.self_attn.q_proj.lora_A.weight`."""
    if name.startswith("base_model.model."):
        name = name[len("base_model.model."):]
    return name.replace(".modules_to_save.default.", ".").replace(".original_module.", ".").replace(".default.weight", ".weight")


class Adapter:
    def __init__(self, directory: str, log: Callable[[str], None]):
        self.dir = directory
        cfg = read_json(os.path.join(directory, "adapter_config.json"))
        if not any(f.endswith(".safetensors") for f in os.listdir(directory)):
            raise ExportError(f"{directory}: no adapter_model.safetensors (a .bin adapter must be converted to safetensors first)")
        self.store = TensorStore(directory)
        self.names: Dict[str, str] = {}
        for original in self.store.keys():
            n = normalise_adapter_name(original)
            if n in self.names:
                raise ExportError(f"{directory}: tensors {self.names[n]} and {original} both map to {n}")
            self.names[n] = original
        r = cfg.get("r")
        alpha = cfg.get("lora_alpha")
        if not isinstance(r, int) or r <= 0 or not isinstance(alpha, (int, float)):
            raise ExportError(f"{directory}/adapter_config.json: expected integer `r` and number `lora_alpha`, found r={r!r} lora_alpha={alpha!r}")
        self.r, self.alpha = r, float(alpha)
        self.scale = self.alpha / (r ** 0.5) if cfg.get("use_rslora") else self.alpha / r
        if cfg.get("fan_in_fan_out"):
            raise ExportError(f"{directory}/adapter_config.json: fan_in_fan_out=true is not supported")
        self.used: set = set()
        self.log = log

    def get(self, name: str) -> Optional[torch.Tensor]:
        original = self.names.get(name)
        if original is None:
            return None
        self.used.add(name)
        return self.store.get(original)

    def lora_pairs(self) -> Dict[str, Tuple[str, str]]:
        """module path -> (lora_A name, lora_B name)."""
        pairs: Dict[str, Tuple[str, str]] = {}
        for n in self.names:
            m = re.fullmatch(r"(.+)\.lora_A\.weight", n)
            if not m:
                continue
            b = f"{m.group(1)}.lora_B.weight"
            if b not in self.names:
                raise ExportError(f"{self.dir}: {self.names[n]} has no matching lora_B tensor")
            pairs[m.group(1)] = (n, b)
        return pairs

    def head(self, which: str) -> Tuple[str, torch.Tensor]:
        aliases = HEAD_ALIASES[which]
        found = [n for n in self.names if n.endswith(".weight") and n[: -len(".weight")].split(".")[-1] in aliases]
        if not found:
            others = sorted(o for n, o in self.names.items() if ".lora_" not in n)
            raise ExportError(
                f"{self.dir}: the adapter has no {which} head: looked for a tensor named *{aliases[0]}.weight or *{aliases[1]}.weight; "
                f"non-LoRA tensors present: {', '.join(others) or 'none'}. Refusing to export random heads."
            )
        biases = [self.names[n] for n in self.names if n.endswith(".bias") and n[: -len(".bias")].split(".")[-1] in aliases]
        if biases:
            raise ExportError(f"{self.dir}: the {which} head has a bias ({', '.join(biases)}); MMDuet's heads are Linear(H, 2, bias=False)")
        if len(found) > 1:
            raise ExportError(f"{self.dir}: ambiguous {which} head: {', '.join(self.names[n] for n in found)}")
        return self.names[found[0]], self.get(found[0])  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------------
# Loading and merging


class Loaded:
    def __init__(self, cfg: MMDuetConfig, vision: VisionEncoder, embed: EmbedTokens, decoder: Decoder, report: dict):
        self.cfg, self.vision, self.embed, self.decoder, self.report = cfg, vision, embed, decoder, report


def _fetcher(store: TensorStore):
    return lambda name: store.get(name) if name in store else None


def load_mmduet(base_dir: str, adapter_dir: str, log: Callable[[str], None] = print) -> Loaded:
    base_cfg = read_json(os.path.join(base_dir, "config.json"))
    try:
        cfg = config_from_base(base_cfg)
    except (KeyError, ValueError, TypeError) as e:
        raise ExportError(f"{base_dir}/config.json: {e}") from e
    base = TensorStore(base_dir)
    adapter = Adapter(adapter_dir, log)
    base_fetch = _fetcher(base)

    # Vision tower + projector (the projector from the adapter when it was saved there: it was retrained).
    projector_names = [n for n in adapter.names if n.startswith(PROJECTOR_PREFIX)]
    projector_source = "adapter" if projector_names else "base"
    if projector_names and len(projector_names) != 4:
        raise ExportError(f"{adapter_dir}: partial projector in the adapter: {', '.join(sorted(projector_names))} (expected 0.weight, 0.bias, 2.weight, 2.bias)")

    def vision_fetch(name: str) -> Optional[torch.Tensor]:
        return adapter.get(name) if name.startswith(PROJECTOR_PREFIX) and projector_source == "adapter" else base_fetch(name)

    with skip_init():
        vision = VisionEncoder(cfg).eval()
        embed = EmbedTokens(cfg.text).eval()
        decoder = Decoder(cfg.text).eval()
    head_names = {}
    try:
        load_params(vision, vision_state_names(cfg), vision_fetch)
        load_params(embed, {"embed_tokens.weight": "model.embed_tokens.weight"}, base_fetch)
        decoder_names = {p: p for p, _ in decoder.named_parameters() if not p.endswith("_head.weight") or p == "lm_head.weight"}
        load_params(decoder, decoder_names, base_fetch)
        for which in ("informative", "relevance"):
            stored, w = adapter.head(which)
            head_names[which] = stored
            load_params(getattr(decoder, f"{which}_head"), {"weight": "w"}, lambda _n, w=w: w)
    except (KeyError, ValueError) as e:
        raise ExportError(str(e).strip("'\"")) from e

    # LoRA merge: W += scale * B @ A, in float32.
    params = dict(decoder.named_parameters())
    pairs = adapter.lora_pairs()
    if not pairs:
        raise ExportError(f"{adapter_dir}: no lora_A/lora_B tensors found: nothing to merge (is this the MMDuet adapter?)")
    merged: Dict[str, int] = {t: 0 for t in LORA_TARGETS}
    with torch.no_grad():
        for module, (a_name, b_name) in sorted(pairs.items()):
            target = params.get(f"{module}.weight")
            if target is None:
                raise ExportError(f"{adapter_dir}: LoRA target {module} is not a decoder linear layer this exporter knows")
            A, B = adapter.get(a_name), adapter.get(b_name)
            if A.shape[0] != adapter.r or B.shape[1] != adapter.r or (B.shape[0], A.shape[1]) != tuple(target.shape):
                raise ExportError(f"{adapter_dir}: LoRA {module}: A {list(A.shape)} B {list(B.shape)} do not fit weight {list(target.shape)} with r={adapter.r}")
            target.add_((adapter.scale * (B.float() @ A.float())).to(target.dtype))
            kind = module.split(".")[-1]
            merged[kind] = merged.get(kind, 0) + 1
    ignored = sorted(adapter.names[n] for n in adapter.names if n not in adapter.used)
    if ignored:
        log(f"note: {len(ignored)} adapter tensor(s) not used by the export: {', '.join(ignored[:10])}{' …' if len(ignored) > 10 else ''}")
    layers_in_ckpt = len({k.split(".")[6] for k in base.keys() if k.startswith("model.vision_tower.vision_tower.vision_model.encoder.layers.")})
    report = {
        "lora_merged": True,
        "lora_r": adapter.r,
        "lora_alpha": adapter.alpha,
        "lora_scale": adapter.scale,
        "lora_modules_merged": merged,
        "heads_from": head_names,
        "projector_from": projector_source,
        "vision_layers_used": cfg.vision.layers_used,
        "vision_layers_in_checkpoint": layers_in_ckpt,
        "adapter_tensors_ignored": ignored,
    }
    log(f"loaded: {sum(merged.values())} LoRA modules merged (scale {adapter.scale:g}), heads {head_names}, projector from {projector_source}, vision layers {cfg.vision.layers_used} of {layers_in_ckpt} in checkpoint")
    return Loaded(cfg, vision, embed, decoder, report)


# ---------------------------------------------------------------------------------------------------------
# ONNX export


def _export_graph(module: torch.nn.Module, args: tuple, final_path: str, input_names: List[str], output_names: List[str], dynamic_axes: dict, opset: int) -> bool:
    """Exports through a scratch folder, then re-saves with every large initializer in one `<graph>.onnx_data`."""
    import onnx

    with tempfile.TemporaryDirectory(dir=os.path.dirname(final_path)) as scratch:
        tmp = os.path.join(scratch, "graph.onnx")
        with torch.no_grad():
            torch.onnx.export(module, args, tmp, input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True, **TORCHSCRIPT_EXPORTER)
        model = onnx.load(tmp, load_external_data=True)
    for out in model.graph.output:
        if out.name == "logits":  # the LM head runs on the last position only: k = 1, not a traced symbol
            out.type.tensor_type.shape.dim[1].dim_value = 1
    data_name = os.path.basename(final_path) + "_data"
    data_path = os.path.join(os.path.dirname(final_path), data_name)
    for stale in (final_path, data_path):
        if os.path.exists(stale):
            os.remove(stale)  # onnx appends to an existing external-data file
    onnx.save_model(model, final_path, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=EXTERNAL_THRESHOLD)
    onnx.checker.check_model(final_path)
    return os.path.exists(data_path)


def export_graphs(m: Loaded, onnx_dir: str, dtype: str, opset: int, device: str) -> Dict[str, bool]:
    t = m.cfg.text
    torch_dtype = torch.float16 if dtype == "fp16" else torch.float32
    for mod in (m.vision, m.embed, m.decoder):
        mod.to(device=device, dtype=torch_dtype)
    suffix = DTYPE_SUFFIX[dtype]
    external: Dict[str, bool] = {}
    R = m.cfg.vision.image_size

    def path(graph: str) -> str:
        return os.path.join(onnx_dir, f"{graph}{suffix}.onnx")

    pixels = torch.zeros(1, 3, R, R, dtype=torch_dtype, device=device)
    external[f"vision_encoder{suffix}.onnx"] = _export_graph(
        m.vision, (pixels,), path("vision_encoder"), ["pixel_values"], ["image_features"], {"pixel_values": {0: "batch_size"}, "image_features": {0: "batch_size"}}, opset
    )
    ids = torch.tensor([[1, 2, 3]], dtype=torch.int64, device=device)
    external[f"embed_tokens{suffix}.onnx"] = _export_graph(
        m.embed, (ids,), path("embed_tokens"), ["input_ids"], ["inputs_embeds"], {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}}, opset
    )
    # Traced with a non-empty past (p = 2, s = 3); the graph has no shape assumptions, so p = 0 runs too.
    p, s = 2, 3
    past = []
    in_names = ["inputs_embeds", "attention_mask", "position_ids"]
    out_names = ["logits", "informative_logits", "relevance_logits"]
    axes = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size"},
        "informative_logits": {0: "batch_size", 1: "sequence_length"},
        "relevance_logits": {0: "batch_size", 1: "sequence_length"},
    }
    for i in range(t.num_hidden_layers):
        for kind in ("key", "value"):
            past.append(torch.zeros(1, t.num_key_value_heads, p, t.head_dim, dtype=torch_dtype, device=device))
            in_names.append(f"past_key_values.{i}.{kind}")
            axes[in_names[-1]] = {0: "batch_size", 2: "past_sequence_length"}
    for i in range(t.num_hidden_layers):
        for kind in ("key", "value"):
            out_names.append(f"present.{i}.{kind}")
            axes[out_names[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    args = (
        torch.zeros(1, s, t.hidden_size, dtype=torch_dtype, device=device),
        torch.ones(1, p + s, dtype=torch.int64, device=device),
        torch.arange(p, p + s, dtype=torch.int64, device=device).unsqueeze(0),
        *past,
    )
    external[f"decoder_model_merged{suffix}.onnx"] = _export_graph(m.decoder, args, path("decoder_model_merged"), in_names, out_names, axes, opset)
    return external


# ---------------------------------------------------------------------------------------------------------
# config.json and tokenizer


def im_end_id(tokenizer_json: dict, where: str) -> int:
    for tok in tokenizer_json.get("added_tokens", []):
        if tok.get("content") == "<|im_end|>":
            return int(tok["id"])
    vocab = (tokenizer_json.get("model") or {}).get("vocab") or {}
    if "<|im_end|>" in vocab:
        return int(vocab["<|im_end|>"])
    raise ExportError(f"{where}: no <|im_end|> token (the stop token, protocol.md §4)")


def copy_tokenizer(base_dir: str, out_dir: str) -> int:
    for name in TOKENIZER_REQUIRED:
        if not os.path.isfile(os.path.join(base_dir, name)):
            raise ExportError(f"{base_dir}: missing {name} (model-contract.md §1 needs both tokenizer.json and tokenizer_config.json)")
    for name in TOKENIZER_REQUIRED + TOKENIZER_OPTIONAL:
        src = os.path.join(base_dir, name)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(out_dir, name))
    return im_end_id(read_json(os.path.join(base_dir, "tokenizer.json")), os.path.join(base_dir, "tokenizer.json"))


def write_config(base_dir: str, out_dir: str, m: Loaded, external: Dict[str, bool], stop_id: int, dtype: str, sources: dict) -> dict:
    base_cfg = read_json(os.path.join(base_dir, "config.json"))
    t = m.cfg.text
    cfg = {
        "architectures": base_cfg.get("architectures", ["LlavaQwenForCausalLM"]),
        "model_type": "qwen2",
        "hidden_size": t.hidden_size,
        "intermediate_size": t.intermediate_size,
        "num_hidden_layers": t.num_hidden_layers,
        "num_attention_heads": t.num_attention_heads,
        "num_key_value_heads": t.num_key_value_heads,
        "head_dim": t.head_dim,
        "vocab_size": t.vocab_size,
        "bos_token_id": base_cfg.get("bos_token_id"),
        "eos_token_id": base_cfg.get("eos_token_id", stop_id),
        "rope_theta": t.rope_theta,
        "rms_norm_eps": t.rms_norm_eps,
        "max_position_embeddings": base_cfg.get("max_position_embeddings"),
        "torch_dtype": {"fp32": "float32", "fp16": "float16"}[dtype],
        "transformers.js_config": {
            "use_external_data_format": {name: 1 for name, has in external.items() if has},
            "dtype": dtype,
        },
        "mmduet": {
            "frame_resolution": m.cfg.vision.image_size,
            "frame_num_tokens": m.cfg.pool_size * m.cfg.pool_size,
            "image_mean": [0.5, 0.5, 0.5],
            "image_std": [0.5, 0.5, 0.5],
            "pad_value": 0,
            "heads": {"informative": "informative_logits", "relevance": "relevance_logits", "positive_index": 1},
            "system_prompt": SYSTEM_PROMPT,
            "generation": {"max_new_tokens": 200, "stop_token_id": stop_id, "greedy": True},
            "export": {
                **sources,
                **m.report,
                "exporter": EXPORTER,
                "exporter_version": EXPORTER_VERSION,
                "torch_version": torch.__version__,
                "export_date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        },
    }
    with open(os.path.join(out_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    return cfg


def export(base_dir: str, adapter_dir: str, out_dir: str, dtype: str = "fp32", opset: int = 17, device: str = "cpu", base_id: Optional[str] = None, adapter_id: Optional[str] = None, log: Callable[[str], None] = print) -> dict:
    if dtype not in DTYPE_SUFFIX:
        raise ExportError(f"--dtype {dtype}: expected one of {', '.join(DTYPE_SUFFIX)}")
    if dtype == "fp16" and device != "cuda":
        raise ExportError("--dtype fp16 needs --device cuda: PyTorch cannot run (trace) half-precision matmuls on CPU")
    if device == "cuda" and not torch.cuda.is_available():
        raise ExportError("--device cuda: torch.cuda.is_available() is false")
    if opset > 17 and TORCH_VERSION < (2, 0):
        raise ExportError(f"--opset {opset}: torch {torch.__version__} exports at most opset 17")
    if TORCH_VERSION >= (2, 5):
        log(f"warning: torch {torch.__version__}: the TorchScript exporter of torch >= 2.5 is known to fail on graphs over 2 GB "
            "('The serialized model is larger than the 2GiB limit'); the 7B decoder needs torch 1.13-2.4")
    m = load_mmduet(base_dir, adapter_dir, log)
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    stop_id = copy_tokenizer(base_dir, out_dir)
    external = export_graphs(m, os.path.join(out_dir, "onnx"), dtype, opset, device)
    sources = {"base": base_id or os.path.abspath(base_dir), "adapter": adapter_id or os.path.abspath(adapter_dir), "opset": opset}
    cfg = write_config(base_dir, out_dir, m, external, stop_id, dtype, sources)
    log(f"exported {dtype} MMDuet ONNX model to {out_dir}")
    return cfg


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--base", required=True, help="LLaVA-OV base directory (config.json, *.safetensors, tokenizer files)")
    ap.add_argument("--adapter", required=True, help="MMDuet PEFT adapter directory (adapter_config.json, adapter_model.safetensors)")
    ap.add_argument("--out", required=True, help="model directory to write")
    ap.add_argument("--dtype", default="fp32", choices=sorted(DTYPE_SUFFIX))
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--base-id", help="source id recorded in config.json (e.g. lmms-lab/llava-onevision-qwen2-7b-ov)")
    ap.add_argument("--adapter-id", help="source id recorded in config.json (e.g. wangyueqian/MMDuet)")
    a = ap.parse_args(argv)
    try:
        export(a.base, a.adapter, a.out, a.dtype, a.opset, a.device, a.base_id, a.adapter_id)
    except (ExportError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
