"""bench/RESULTS.md is made of sections under `## ` headings; a bench that measures one part
(the signals, the serving bench, the calibration) replaces its own section and leaves the rest."""

from __future__ import annotations

from pathlib import Path


def splice(path: Path, title: str, section: str) -> None:
    """`section` (which starts with `title`) in place of the results file's section under
    `title`, or appended when it has none."""
    text = path.read_text() if path.exists() else ""
    if title in text:
        head, rest = text.split(title, 1)
        nxt = rest.find("\n## ")
        text = head + section + ("\n" + rest[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
