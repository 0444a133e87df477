"""A loggable record of which consistency checks a document passed.

A :class:`CheckReport` holds named boolean checks and a list of corrections.
A correction names the field and the reason only -- never the old or new
value -- so a report can be logged or returned without leaking personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CheckReport", "Correction"]


@dataclass(frozen=True)
class Correction:
    """A field was changed by a check; the values themselves are not kept."""

    field: str
    reason: str


@dataclass
class CheckReport:
    """Named boolean checks plus the corrections made.

    >>> r = CheckReport()
    >>> r.add("id_check_char", True)
    True
    >>> r.add("birth_matches_id", False)
    False
    >>> r.corrected("id_number", "repaired with check character")
    >>> r.passed("id_check_char"), r.passed("birth_matches_id"), r.passed("never_run")
    (True, False, False)
    >>> r.all_passed
    False
    >>> r.as_dict()["corrections"]
    [{'field': 'id_number', 'reason': 'repaired with check character'}]
    """

    checks: dict[str, bool] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)

    def add(self, name: str, ok: bool) -> bool:
        """Record check ``name``; returns ``ok`` for use in conditions.

        Recording the same name again keeps it failed if either run failed.
        """
        ok = bool(ok)
        self.checks[name] = self.checks.get(name, True) and ok
        return ok

    def passed(self, name: str) -> bool:
        """True only if check ``name`` was recorded and passed."""
        return self.checks.get(name, False)

    def ran(self, name: str) -> bool:
        """True if check ``name`` was recorded at all."""
        return name in self.checks

    @property
    def all_passed(self) -> bool:
        """True if every recorded check passed (also when none was recorded)."""
        return all(self.checks.values())

    @property
    def failed(self) -> list[str]:
        """Names of the recorded checks that failed, in recording order."""
        return [name for name, ok in self.checks.items() if not ok]

    def corrected(self, field: str, reason: str) -> None:
        """Record that ``field`` was changed, and why.  Pass no values here."""
        self.corrections.append(Correction(str(field), str(reason)))

    def as_dict(self) -> dict:
        """Plain JSON-ready form: checks, corrections and ``all_passed``."""
        return {
            "checks": dict(self.checks),
            "corrections": [{"field": c.field, "reason": c.reason} for c in self.corrections],
            "all_passed": self.all_passed,
        }
