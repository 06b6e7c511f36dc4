#!/usr/bin/env python3
"""Writes a full-size SANA-Video model folder with RANDOM weights in the exact Hugging Face layout, with diffusers'
own save_pretrained, for bench/product_run.sh (the product command loading from disk).

    PYTHONPATH=<diffusers src> python3 bench/product_model.py DEST TOKENIZER_DIR [--shard-size 5GB]

The components are built from the full-size configs in tests/data/reference/full_size (those of the
SANA-Video 2B 480p checkpoint) as the SANA-Video example loads them: transformer and text encoder bf16, VAE fp32.
Weights are initialised on the GPU (torch.device("cuda") around the constructors, then cast on the GPU), so no
whole model passes through host memory; save_pretrained writes safetensors shards with their index as the Hub
checkpoints have them. The Gemma tokenizer is gated, so the tokenizer/ folder is copied from TOKENIZER_DIR
(`sanavideo make-demo-model`'s SentencePiece model): token ids stay within Gemma's vocabulary, prompts are padded
to the pipeline's max_sequence_length either way, so the text encoder's work is that of the real tokenizer.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

import torch

FULL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "reference", "full_size")


def read(rel):
    with open(os.path.join(FULL, rel)) as f:
        return json.load(f)


def build(dev):
    from diffusers import (AutoencoderKLWan, DPMSolverMultistepScheduler, SanaVideoPipeline,
                           SanaVideoTransformer3DModel)
    from transformers import Gemma2Config, Gemma2Model
    torch.manual_seed(0)
    with torch.device(dev):
        transformer = SanaVideoTransformer3DModel.from_config(read("transformer/config.json"))
        transformer = transformer.to(torch.bfloat16)
        text_encoder = Gemma2Model(Gemma2Config.from_dict(read("text_encoder/config.json"))).to(torch.bfloat16)
        vae = AutoencoderKLWan.from_config(read("vae/config.json")).to(torch.float32)
    scheduler = DPMSolverMultistepScheduler.from_config(read("scheduler/scheduler_config.json"))
    return SanaVideoPipeline(tokenizer=None, text_encoder=text_encoder, vae=vae, transformer=transformer,
                             scheduler=scheduler)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("tokenizer_dir", help="a tokenizer/ folder (tokenizer.model and its configs)")
    ap.add_argument("--shard-size", default="5GB", help="save_pretrained's max_shard_size")
    a = ap.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    t0 = time.perf_counter()
    pipe = build(dev)
    t1 = time.perf_counter()
    pipe.save_pretrained(a.dest, safe_serialization=True, max_shard_size=a.shard_size)
    t2 = time.perf_counter()
    # tokenizer=None leaves a [null, null] entry: name the Gemma tokenizer class as the Hub folder does.
    shutil.copytree(a.tokenizer_dir, os.path.join(a.dest, "tokenizer"), dirs_exist_ok=True)
    index_path = os.path.join(a.dest, "model_index.json")
    with open(index_path) as f:
        index = json.load(f)
    index["tokenizer"] = read("model_index.json")["tokenizer"]
    with open(index_path, "w") as f:
        json.dump(index, f, indent=2)
    sizes = {}
    for root, _, files in os.walk(a.dest):
        for name in files:
            sizes[os.path.relpath(os.path.join(root, name), a.dest)] = os.path.getsize(os.path.join(root, name))
    print(json.dumps({"device": dev, "build_s": round(t1 - t0, 2), "save_s": round(t2 - t1, 2),
                      "bytes": sum(sizes.values()),
                      "weight_files": sorted(k for k in sizes if k.endswith(".safetensors"))}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
