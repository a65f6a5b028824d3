#!/usr/bin/env bash
# The Gainsight family's 64 OpenAPI 3.x clients generated into one workspace twice, with the
# runtime vendored into each crate and with the shared `openapi-rust-runtime` crate, then a cold
# debug `cargo build` of each workspace (fresh target folder, same lock file), timed.
# Not part of CI: it takes minutes. Results go in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${WORK:-$root/target/family-runtime}
cargo build --quiet -p openapi-rust-cli
cli=$root/target/debug/openapi-rust
rm -rf "$work"
for mode in vendored dependency; do
  ws=$work/$mode
  mkdir -p "$ws"
  members=()
  for spec in tests/fixtures/gainsight-family/*.yml; do
    # The one Swagger 2.0 document is left out: the comparison is over the 64 OpenAPI 3.x ones.
    if grep -q '^swagger:' "$spec"; then continue; fi
    name=$(basename "$spec" .yml | tr '_.' '--' | tr 'A-Z' 'a-z')
    args=(generate "$spec" --out "$ws/$name" --runtime "$mode")
    if [ "$mode" = dependency ]; then args+=(--runtime-path "$root/runtime"); fi
    "$cli" "${args[@]}" >/dev/null 2>"$ws/$name.log" || { cat "$ws/$name.log"; exit 1; }
    # Crate names must be unique in a workspace: name each after its file.
    sed -i "0,/^name = .*/s//name = \"family-$name\"/" "$ws/$name/Cargo.toml"
    members+=("\"$name\"")
  done
  (IFS=,; printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "${members[*]}") > "$ws/Cargo.toml"
  cp Cargo.lock "$ws/Cargo.lock"
  (cd "$ws" && cargo fetch --quiet)
  echo "$mode: ${#members[@]} crates, $(cat "$ws"/*/src/*.rs "$ws"/*/src/runtime/*.rs 2>/dev/null | wc -l) lines of Rust"
done
for mode in vendored dependency; do
  ws=$work/$mode
  start=$(date +%s.%N)
  (cd "$ws" && CARGO_TARGET_DIR="$ws/target" CARGO_INCREMENTAL=0 cargo build --quiet --offline)
  end=$(date +%s.%N)
  echo "$mode: cold cargo build $(echo "$end - $start" | bc) s, target $(du -sh "$ws/target" | cut -f1)"
done
