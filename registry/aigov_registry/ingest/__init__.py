"""Receiving bundles: the upload, the content-addressed store, and what a verified bundle adds to the database."""
