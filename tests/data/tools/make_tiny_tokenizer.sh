#!/usr/bin/env bash
# Rebuilds the tiny sentencepiece tokenizer used by the tests and by the demo model:
#   tests/data/tokenizer_tiny/corpus.txt     (tests/data/tools/make_tiny_corpus.py)
#   tests/data/tokenizer_tiny/tokenizer.model  and its copy resources/demo/tokenizer.model
# BPE, 512 pieces, byte fallback, Gemma's special ids (pad 0, eos 1, bos 2, unk 3), no dummy prefix, identity
# normalization, whitespace kept as is — the conventions of Gemma's tokenizer at toy size. Needs spm_train
# (Debian package `sentencepiece`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data/tokenizer_tiny
mkdir -p "$out" resources/demo
python3 tests/data/tools/make_tiny_corpus.py > "$out/corpus.txt"
spm_train --input="$out/corpus.txt" --model_prefix="$out/tokenizer" --vocab_size=512 --model_type=bpe \
  --byte_fallback=true --pad_id=0 --eos_id=1 --bos_id=2 --unk_id=3 \
  --pad_piece="<pad>" --eos_piece="<eos>" --bos_piece="<bos>" --unk_piece="<unk>" \
  --add_dummy_prefix=false --normalization_rule_name=identity --remove_extra_whitespaces=false \
  --split_digits=true --allow_whitespace_only_pieces=true --character_coverage=1.0 --num_threads=1 \
  --minloglevel=1
rm -f "$out/tokenizer.vocab"
cp "$out/tokenizer.model" resources/demo/tokenizer.model
echo "wrote $out/tokenizer.model and resources/demo/tokenizer.model"
