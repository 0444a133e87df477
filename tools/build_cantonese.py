"""Build src/cardocr/documents/checks/cantonese.tsv: the Cantonese readings (Jyutping) of the
characters that have a telegraph code (checks/telegraph.tsv), for tying a Hong Kong identity
card's English name to its Chinese one (documents/checks/hk_romanise.py).

Source: Unihan_Readings.txt(.bz2) of the Unicode Character Database, field ``kCantonese``,
shipped by the Debian package ``unicode-data`` at /usr/share/unicode/.

    python tools/build_cantonese.py [--src /usr/share/unicode/Unihan_Readings.txt.bz2] [--out PATH]

Output: ``#`` comment header, then ``char<TAB>reading reading ...`` (tones dropped, readings
in Unihan's order), in the telegraph file's order.
"""

from __future__ import annotations

import argparse
import bz2
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHECKS = ROOT / "src/cardocr/documents/checks"
DEFAULT_SRC = pathlib.Path("/usr/share/unicode/Unihan_Readings.txt.bz2")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", type=pathlib.Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=pathlib.Path, default=CHECKS / "cantonese.tsv")
    args = ap.parse_args()
    opener = bz2.open if args.src.suffix == ".bz2" else open
    readings: dict[str, list[str]] = {}
    with opener(args.src, "rt", encoding="utf-8") as f:
        for line in f:
            m = re.match(r"U\+([0-9A-F]+)\tkCantonese\t(.+)", line)
            if m:
                out: list[str] = []
                for r in m[2].split():
                    r = re.sub(r"\d$", "", r)
                    if r not in out:
                        out.append(r)
                readings[chr(int(m[1], 16))] = out
    chars: list[str] = []
    for line in (CHECKS / "telegraph.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            c = line.split("\t")[0]
            if c in readings and c not in chars:
                chars.append(c)
    head = ["# source: Unihan_Readings.txt.bz2 (Unicode Character Database, Unihan; Debian package unicode-data)",
            "# licence: Unicode License (Unicode, Inc. terms of use, https://www.unicode.org/license.txt)",
            "# field: kCantonese (Jyutping), tones dropped; characters of telegraph.tsv only",
            f"# built by tools/build_cantonese.py; {len(chars)} chars; format: char<TAB>readings"]
    args.out.write_text("\n".join(head + [f"{c}\t{' '.join(readings[c])}" for c in chars]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
