"""Every error the registry answers with, each carrying its HTTP status and a sentence saying what to do.

RegistryError                 base: ``status`` and ``detail``
 +-- NotAuthenticated         401: no token, or one the registry does not know (or revoked)
 +-- Forbidden                403: the token's role does not allow this
 +-- NotFound                 404: nothing of that id in the token's team
 +-- BadRequest               400: a query parameter or cursor cannot be read
 +-- UnsupportedUpload        415: the upload is not a raw zip body
 +-- UploadTooLarge           413: the upload is over the registry's limit
 +-- BundleRefused            422: the bundle failed verification or holds something that cannot be ingested
 +-- Conflict                 409: a concurrent change got there first; retrying is safe
"""

from __future__ import annotations


class RegistryError(Exception):
    """An error answered as ``{"detail": ...}`` with ``status``."""

    status = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAuthenticated(RegistryError):
    status = 401


class Forbidden(RegistryError):
    status = 403


class NotFound(RegistryError):
    status = 404


class BadRequest(RegistryError):
    status = 400


class UnsupportedUpload(RegistryError):
    status = 415


class UploadTooLarge(RegistryError):
    status = 413


class BundleRefused(RegistryError):
    status = 422


class Conflict(RegistryError):
    status = 409
