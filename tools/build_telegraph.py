"""Build src/cardocr/documents/checks/telegraph.tsv: Chinese commercial (telegraph) codes.

Source: Unihan_OtherMappings.txt(.bz2) of the Unicode Character Database, shipped by the
Debian package ``unicode-data`` at /usr/share/unicode/.  For each character the 4-digit
code is ``kTaiwanTelegraph`` (the code book used in Hong Kong and Taiwan); a character
that has only ``kMainlandTelegraph`` (mostly simplified forms) gets that one.

Regenerate:

    python tools/build_telegraph.py [--src /usr/share/unicode/Unihan_OtherMappings.txt.bz2] [--out PATH]

Output: ``#`` comment header, then one ``char<TAB>code`` line per character, sorted by
code then by code point.  A code may appear on two lines (a traditional character with
the Taiwan code and its simplified form with the same Mainland code).
"""

from __future__ import annotations

import argparse
import bz2
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_SRC = pathlib.Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
DEFAULT_OUT = ROOT / "src/cardocr/documents/checks/telegraph.tsv"


def _open(path: pathlib.Path):
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_codes(path: pathlib.Path) -> tuple[dict[str, str], dict[str, str]]:
    """Returns (codes char->code, meta with 'version' and 'date' when the file states them)."""
    taiwan: dict[str, str] = {}
    mainland: dict[str, str] = {}
    meta: dict[str, str] = {}
    with _open(path) as fh:
        for line in fh:
            if line.startswith("#"):
                m = re.match(r"#\s*Unicode version:\s*(\S+)", line)
                if m:
                    meta["version"] = m.group(1)
                m = re.match(r"#\s*Date:\s*(.+?)\s*$", line)
                if m:
                    meta["date"] = m.group(1)
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            cp, field, value = parts
            if field not in ("kTaiwanTelegraph", "kMainlandTelegraph"):
                continue
            ch = chr(int(cp[2:], 16))
            value = value.strip().split()[0]
            if not re.fullmatch(r"\d{4}", value):
                continue
            (taiwan if field == "kTaiwanTelegraph" else mainland)[ch] = value
    codes = {ch: (code, "M") for ch, code in mainland.items()}
    codes.update({ch: (code, "T") for ch, code in taiwan.items()})  # Taiwan (Hong Kong) code wins
    return codes, meta


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=pathlib.Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    codes, meta = read_codes(args.src)
    rows = sorted(codes.items(), key=lambda kv: (kv[1][0], ord(kv[0])))
    header = [
        f"# source: {args.src.name} (Unicode Character Database, Unihan"
        + (f", Unicode {meta['version']}" if "version" in meta else "")
        + (f", dated {meta['date']}" if "date" in meta else "") + "; Debian package unicode-data)",
        "# licence: Unicode License (Unicode, Inc. terms of use, https://www.unicode.org/license.txt)",
        "# field: kTaiwanTelegraph (the code book used in Hong Kong); "
        "kMainlandTelegraph only when a char has no Taiwan code",
        f"# built by tools/build_telegraph.py; {len(rows)} chars; format: char<TAB>code<TAB>book"
        " (T: kTaiwanTelegraph, M: kMainlandTelegraph), sorted by code",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(header) + "\n")
        for ch, (code, book) in rows:
            fh.write(f"{ch}\t{code}\t{book}\n")
    print(f"wrote {args.out} ({len(rows)} chars)")


if __name__ == "__main__":
    main()
