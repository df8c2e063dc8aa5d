#!/usr/bin/env bash
# The curl lines and the shell script of the four pages, as written but for the base URL and the
# key (pbcopy, a macOS clipboard, becomes a file): documented.sh <base URL> <api key> <email>.
set -euo pipefail
BASE=$1
KEY=$2
EMAIL=$3
check() { # check <jq filter> <json>: the filter must hold
  jq -e "$1" <<<"$2" >/dev/null || { echo "FAILED: $1 on $2" >&2; exit 1; }
}

# PassGeni: the smallest possible request.
out=$(curl -s -X POST $BASE/api/v1/generate -H "Content-Type: application/json" -d '{}')
check '(.passwords | length) == 1 and (.passwords[0] | length) == 18 and .count == 1' "$out"

# TinyFn: the request of "Using the Password Generator API", and the alphanumeric and PIN examples.
out=$(curl -s "$BASE/v1/generate/password?length=16" -H "X-API-Key: $KEY")
check '.length == 16 and (.password | length) == 16 and (.entropy_bits | type) == "number" and (.strength | type) == "string"' "$out"
out=$(curl -s "$BASE/v1/generate/password?length=20&symbols=false" -H "X-API-Key: $KEY")
check '(.password | test("^[A-Za-z0-9]{20}$"))' "$out"
out=$(curl -s "$BASE/v1/generate/password?length=6&uppercase=false&lowercase=false&symbols=false" -H "X-API-Key: $KEY")
check '(.password | test("^[0-9]{6}$"))' "$out"

# TinyFn: "Shell Script - Quick Password".
TINYFN_KEY=$KEY
clipboard=$(mktemp)
pbcopy() { cat >"$clipboard"; }
curl -s "$BASE/v1/generate/password?length=20" \
-H "X-API-Key: $TINYFN_KEY" | jq -r '.password' | pbcopy
echo "Password copied to clipboard!"
test "$(tr -d '\n' <"$clipboard" | wc -c)" -eq 20

# TinyFn: its MCP URL, as an MCP client configured with it calls it.
out=$(curl -s -X POST "$BASE/mcp/generate/" -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"8"}}}')
check '.result.serverInfo.name == "passwordapi"' "$out"

# Bunny: the cURL example, and its 401 without a key.
out=$(curl -s -X POST $BASE/api/v1/random-password/generate \
  -H "X-API-Key: $KEY" \
  -H "Content-Type: application/json" \
  -d '{"length": 16, "uppercase": true, "lowercase": true, "numbers": true, "symbols": true}')
check '(.password | length) == 16 and .length == 16 and .charset_size == 94 and .entropy_bits == 104' "$out"
out=$(curl -s -X POST $BASE/api/v1/random-password/generate -H "Content-Type: application/json" -d '{}')
check '.detail == "Missing API key. Include X-API-Key header."' "$out"

# Bastion: register, evaluate (and without the breach check), usage, regenerate.
out=$(curl -s -X POST $BASE/v1/keys/register \
 -H "Content-Type: application/json" \
 -d "{\"email\": \"$EMAIL\"}")
check '(.api_key | startswith("pwa_live_")) and (.regen_token | startswith("pwa_regen_"))' "$out"
BASTION_KEY=$(jq -r .api_key <<<"$out")
REGEN=$(jq -r .regen_token <<<"$out")
out=$(curl -s -X POST $BASE/v1/evaluate \
 -H "Authorization: Bearer $BASTION_KEY" \
 -H "Content-Type: application/json" \
 -d '{"password": "hunter2"}')
check '.score <= 1 and .breached == true and (.crack_times | keys | length) == 4' "$out"
out=$(curl -s -X POST "$BASE/v1/evaluate?hibp=false" \
 -H "Authorization: Bearer $BASTION_KEY" \
 -H "Content-Type: application/json" \
 -d '{"password": "correct-horse-battery-staple"}')
check '.breached == null and .breach_count == null' "$out"
out=$(curl -s $BASE/v1/keys/usage \
 -H "Authorization: Bearer $BASTION_KEY")
check '.usage == 2 and .limit == 100 and .hard_limit == null and (.reset_at | type) == "number"' "$out"
out=$(curl -s -X POST $BASE/v1/keys/regenerate \
 -H "Content-Type: application/json" \
 -d "{\"email\": \"$EMAIL\", \"regen_token\": \"$REGEN\"}")
check '(.api_key | startswith("pwa_live_")) and .api_key != "'"$BASTION_KEY"'"' "$out"
echo "curl examples: ok"
