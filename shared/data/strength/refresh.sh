#!/usr/bin/env bash
# Regenerates the estimator's dictionaries and keyboard graphs from the npm packages (versions
# pinned here; README.md names them and their licences).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund zxcvbn@4.4.2 \
  @zxcvbn-ts/language-common@4.1.3 @zxcvbn-ts/language-en@4.1.1 @zxcvbn-ts/language-de@3.0.2 \
  @zxcvbn-ts/language-fr@4.1.2 @zxcvbn-ts/language-es-es@4.1.2 @zxcvbn-ts/language-it@3.0.2 \
  @zxcvbn-ts/language-nl-be@3.0.2 @zxcvbn-ts/language-pt-br@4.1.1
for p in zxcvbn @zxcvbn-ts/language-{common,en,de,fr,es-es,it,nl-be,pt-br}; do
  echo "$p $(node -p "require('./node_modules/$p/package.json').version")"
done
rm -rf "$here"/*.tsv "$here"/*.lists "$here"/*.idx
node "$here/refresh.mjs" "$work/node_modules" "$here"
cp node_modules/zxcvbn/LICENSE.txt "$here/LICENSE-zxcvbn"
cp node_modules/@zxcvbn-ts/language-common/LICENSE.txt "$here/LICENSE-zxcvbn-ts"
rm -f "$here"/NOTICE-*.md
for pair in en:en fr:fr es:es-es pt:pt-br; do
  code=${pair%%:*} pkg=${pair#*:}
  cp "node_modules/@zxcvbn-ts/language-$pkg/NOTICE.md" "$here/NOTICE-$code.md"
done
node "$here/reference.cjs" "$work/node_modules" > "$here/zxcvbn-4.4.2.tsv"
