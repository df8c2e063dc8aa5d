#!/usr/bin/env bash
# Fetches the accuracy reference again from its repository at a commit (default: the one shipped).
set -euo pipefail
cd "$(dirname "$0")"
commit=${1:-3479f1e42a3df4bf698062456d431b314b44c4ff}
base=https://raw.githubusercontent.com/RUB-SysSec/Password-Strength-Meter-Accuracy/$commit
for scenario in online offline; do
  curl -fsSL "$base/src/analyze/result_linkedin_$scenario.csv" -o "linkedin_$scenario.tsv"
done
curl -fsSL "$base/docs/LICENSE" -o LICENSE
echo "fetched at $commit; update the commit in README.md"
