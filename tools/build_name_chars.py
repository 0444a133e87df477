"""Build src/cardocr/documents/checks/name_chars.tsv: how often each character is borne in
Chinese personal names, and how often it is written in running text.

Sources (neither package is a dependency of the service):
- names: the character counts of the PyPI package ``ngender`` 0.1.1 (MIT), ``charfreq.csv``:
  per character, how many men's and women's names in its corpus of Chinese given names carry
  it (9,442 characters, ~32 million occurrences); summed here.
- text: the word frequencies of the PyPI package ``jieba`` 0.42.1 (MIT), ``dict.txt``
  (349,046 words of modern Chinese text with their counts); each CJK character's count is the
  sum over the words that contain it (~12,000 characters).

The recogniser's posteriors carry the prior of the text it was trained on; a name's characters
follow another (昊 is common in names and rare in text, 吴 the reverse). checks.names weighs
a name's characters by the ratio of the two (evidence only: see there).

Regenerate:

    pip download --no-deps --no-binary :all: ngender==0.1.1 jieba==0.42.1
    tar xzf ngender-0.1.1.tar.gz && tar xzf jieba-0.42.1.tar.gz
    python tools/build_name_chars.py --names ngender-0.1.1/ngender/charfreq.csv \\
        --text jieba-0.42.1/jieba/dict.txt

Output: a ``#`` comment header, then ``character<TAB>names<TAB>text`` a line, by names count
then text count, commonest first.
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cardocr" / "documents" / "checks" / "name_chars.tsv"
CJK = re.compile("[\u3400-\u9fff]")


def name_counts(src: pathlib.Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with src.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):  # char,male,female
            if CJK.fullmatch(row["char"]):
                counts[row["char"]] = counts.get(row["char"], 0) + int(row["male"]) + int(row["female"])
    return counts


def text_counts(src: pathlib.Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in src.read_text(encoding="utf-8").splitlines():
        parts = line.split()  # word count [part of speech]
        if len(parts) >= 2:
            for ch in CJK.findall(parts[0]):
                counts[ch] = counts.get(ch, 0) + int(parts[1])
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", type=pathlib.Path, required=True, help="ngender's charfreq.csv")
    ap.add_argument("--text", type=pathlib.Path, required=True, help="jieba's dict.txt")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    names, text = name_counts(args.names), text_counts(args.text)
    rows = sorted(((c, names.get(c, 0), text.get(c, 0)) for c in names.keys() | text.keys()),
                  key=lambda r: (-r[1], -r[2], r[0]))
    header = ("# Chinese characters: in how many given names of a corpus each is borne (PyPI ngender\n"
              "# 0.1.1, MIT, charfreq.csv, men and women summed) and how often it is written in text\n"
              "# (PyPI jieba 0.42.1, MIT, dict.txt word counts summed per character);\n"
              "# built by tools/build_name_chars.py. character<TAB>names<TAB>text\n")
    args.out.write_text(header + "".join(f"{c}\t{n}\t{t}\n" for c, n, t in rows), encoding="utf-8")
    print(f"{len(rows)} characters -> {args.out}")


if __name__ == "__main__":
    main()
