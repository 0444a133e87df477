"""cardocr: self-hosted identity-document OCR speaking the cloud vendors' wire formats."""

__version__ = "0.1.0"
