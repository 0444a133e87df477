"""The Tencent COS endpoint: buckets of objects and `?ci-process=IDCardOCR` on them (app.py),
their storage (storage.py, s3store.py), COS's request signatures (signing.py)."""
