#!/usr/bin/env bash
# Regenerates the passphrase word lists of other languages (README.md names each list's source and
# licence). Needs python3, pip and npm (PyPI and the npm registry). Versions pinned here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# diceware 1.0.1 (its wordlists: de, fr, es, it and pt-br; COPYRIGHT gives each list's licence).
pip download --quiet --no-deps --no-binary :all: diceware==1.0.1
tar xzf diceware-1.0.1.tar.gz
# zxcvbn-ts's Dutch pack (MIT): Dutch has no diceware list with a licence that allows shipping it.
npm pack --silent @zxcvbn-ts/language-nl-be@3.0.2 >/dev/null
mkdir nl && tar xzf zxcvbn-ts-language-nl-be-3.0.2.tgz -C nl
python3 "$here/refresh.py" "$work" "$here"
cp diceware-1.0.1/COPYRIGHT "$here/COPYRIGHT-diceware"
cp nl/package/LICENSE.txt "$here/LICENSE-zxcvbn-ts"
