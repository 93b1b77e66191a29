"""Pictures: checking and re-encoding uploads (`images.py`), where the files live (`store.py`:
a local folder or S3-compatible storage) and the attachments of posts."""
