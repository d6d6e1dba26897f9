"""jupyter-aigov: AI governance in the notebook. The public face is the `aigov` package."""

__version__ = "0.1.0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension (`jupyter labextension develop` links it from here)."""
    return [{"src": "labextension", "dest": "jupyter-aigov"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The Jupyter server extension serving the notebook's evidence to the JupyterLab extension."""
    return [{"module": "jupyter_aigov.server"}]
