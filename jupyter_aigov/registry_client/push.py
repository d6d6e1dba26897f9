"""Uploading an evidence bundle to the registry (`aigov push`, `%aigov push`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aigov_core.errors import RegistryError

from .http import URL_ENV, RegistryClient, RegistrySettings


@dataclass(frozen=True)
class PushResult:
    """A bundle the registry holds: its id, whether this upload stored it, and where to read it."""

    bundle_id: str
    created: bool
    api_url: str
    page_url: str

    def __str__(self) -> str:
        how = "stored" if self.created else "already held (nothing new stored)"
        return f"Bundle {self.bundle_id} {how}: {self.api_url}\n  page: {self.page_url}"


def push_bundle(bundle: Path | str, settings: RegistrySettings | None) -> PushResult:
    """Upload one bundle (a zip) as the raw body; RegistryError says why when the registry refuses it."""
    if settings is None:
        raise RegistryError(f"No registry to push to: set {URL_ENV} or pass --registry URL.")
    path = Path(bundle)
    if not path.is_file():
        raise RegistryError(f"{path} is not a file: give an evidence bundle written by `aigov export`.")
    client = RegistryClient(settings, timeout_s=300.0)
    try:
        data = path.read_bytes()  # bytes, not a file object: a retry must send the whole bundle again
        answer = client.request(
            "POST", "/api/v1/bundles", data=data, headers={"Content-Type": "application/zip"}, ok=(200, 201)
        )
    finally:
        client.close()
    bundle_id = str(answer.json()["id"])
    return PushResult(
        bundle_id,
        answer.status_code == 201,
        client.url(f"/api/v1/bundles/{bundle_id}"),
        client.url(f"/bundles/{bundle_id}"),  # the registry's web page of the bundle and its verification
    )
