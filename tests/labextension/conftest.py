"""The registry the panel pushes to: the real one the registry client's tests start."""

from registry_client.conftest import registry  # noqa: F401 (a fixture, shared)
