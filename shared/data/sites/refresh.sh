#!/usr/bin/env bash
# Downloads the known sites' password rules and shared credentials from Apple's
# password-manager-resources at a commit (default: main) and records the commit in SOURCE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=apple/password-manager-resources
ref=${1:-main}
commit=$(curl -fsSL -H 'Accept: application/vnd.github.sha' "https://api.github.com/repos/$repo/commits/$ref")
case $commit in
  [0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;;
  *) echo "refresh.sh: cannot resolve $ref in $repo" >&2; exit 1 ;;
esac
raw="https://raw.githubusercontent.com/$repo/$commit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL "$raw/quirks/password-rules.json" -o "$work/password-rules.json"
curl -fsSL "$raw/quirks/shared-credentials.json" -o "$work/shared-credentials.json"
curl -fsSL "$raw/LICENSE.md" -o "$work/LICENSE"
python3 -c 'import json, sys; [json.load(open(f)) for f in sys.argv[1:]]' \
  "$work/password-rules.json" "$work/shared-credentials.json"
cp "$work/password-rules.json" "$work/shared-credentials.json" "$work/LICENSE" "$here/"
echo "$repo $commit (refreshed $(date -u +%Y-%m-%d))" > "$here/SOURCE"
echo "sites: $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$here/password-rules.json") at $commit"
