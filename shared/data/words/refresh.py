"""Writes one passphrase word list per language: NFC, lower case, letters only, each word once,
sorted; prints what each step removed. Called by refresh.sh with its work and output folders."""
import json
import sys
import unicodedata
from pathlib import Path

work, out = Path(sys.argv[1]), Path(sys.argv[2])
lists = work / "diceware-1.0.1" / "diceware" / "wordlists"


def words_of(path):
    """The words of a diceware list: a word per line, after its dice numbers when it has them."""
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            yield parts[1]
        elif len(parts) == 1:
            yield parts[0]


def dutch():
    """7,776 words the diceware way from zxcvbn-ts's Dutch common words (most frequent first):
    4 to 8 letters a-z, none of the pack's first names or surnames."""
    src = work / "nl" / "package" / "src"
    names = set()
    for f in ("girlsFirstnames", "boysFirstnames", "lastnames"):
        names.update(w.lower() for w in json.loads((src / f"{f}.json").read_text()))
    kept, seen = [], set()
    for w in json.loads((src / "commonWords.json").read_text()):
        w = unicodedata.normalize("NFC", w).lower()
        if 4 <= len(w) <= 8 and all("a" <= c <= "z" for c in w) and w not in names and w not in seen:
            seen.add(w)
            kept.append(w)
        if len(kept) == 7776:
            break
    return kept


sources = {
    "de": words_of(lists / "wordlist_de.txt"),
    "fr": words_of(lists / "wordlist_fr.txt"),
    "es": words_of(lists / "wordlist_es.txt"),
    "it": words_of(lists / "wordlist_it.txt"),
    "pt": words_of(lists / "wordlist_pt-br.txt"),
    "nl": dutch(),
}
for code, words in sources.items():
    words = list(words)
    normal = [unicodedata.normalize("NFC", w).lower() for w in words]
    letters = [w for w in normal if w.isalpha()]
    unique = sorted(set(letters))
    (out / f"{code}.txt").write_text("".join(w + "\n" for w in unique), encoding="utf-8")
    print(
        f"{code}: {len(words)} read, {len(normal) - len(letters)} not letters only, "
        f"{len(letters) - len(unique)} repeated after NFC and lower case, {len(unique)} kept"
    )
