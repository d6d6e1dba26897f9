"""jupyter-aigov: AI governance in the notebook. The public face is the `aigov` package."""

__version__ = "0.1.0"
