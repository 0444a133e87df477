"""Wire formats: one module per vendor API."""
