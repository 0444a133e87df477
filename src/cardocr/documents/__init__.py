"""Document types: one module each, read top to bottom, ending in `DOCUMENT = DocumentType(...)`
(see contract.py). Adding a document adds its module and one line here; the pipeline, the
renderers, the API routes that serve it and the CLI take their choices from this registry."""

from __future__ import annotations

from . import cn_id_card, driver_license, hk_id_card
from .contract import DocumentType

REGISTRY: dict[str, DocumentType] = {doc.name: doc for doc in (
    cn_id_card.DOCUMENT,
    hk_id_card.DOCUMENT,
    driver_license.DOCUMENT,
)}
AUTO = "auto"  # not a document: the CLI's and batch's --type for "tell it from the card" (identify.py)

__all__ = ["AUTO", "REGISTRY", "DocumentType"]
