"""Consistency checks for Chinese identity documents (pure Python).

Data files (``regions.tsv``) are read lazily on first use.
"""

from .dates import add_years, fmt, parse_date
from .ethnic import ETHNIC_GROUPS, HAN_NAMING, group_after_label, is_ethnic_group
from .idnumber import (
    birth_from_number,
    candidates_repairing_check,
    check_char,
    is_valid_check,
    region_known,
    region_name,
    sex_from_number,
)
from .report import CheckReport, Correction

__all__ = [
    "ETHNIC_GROUPS",
    "HAN_NAMING",
    "group_after_label",
    "CheckReport",
    "Correction",
    "add_years",
    "birth_from_number",
    "candidates_repairing_check",
    "check_char",
    "fmt",
    "is_ethnic_group",
    "is_valid_check",
    "parse_date",
    "region_known",
    "region_name",
    "sex_from_number",
]
