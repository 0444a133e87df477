"""Serving at scale: the inference front (bounded queue, deadline), its worker processes and
the metrics an operator reads (README, "Operating cardocr")."""
