#!/usr/bin/env bash
# Fills fuzz/corpus/generate with the project's specs (fixtures, the seed spec, the Gainsight family).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/generate
for spec in tests/fixtures/*/* spec/gainsight-cta.yaml ../shared/specs/gainsight-family/*.yml; do
  [ -f "$spec" ] && cp "$spec" "fuzz/corpus/generate/$(basename "$spec")"
done
ls fuzz/corpus/generate | wc -l
