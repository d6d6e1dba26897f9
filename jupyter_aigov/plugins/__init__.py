"""Plugins: distributions registered under the entry-point group `aigov`, loaded when the policy lists them.

The hooks are in hookspecs.py, on one screen; loading.py finds, imports and registers the listed plugins.
"""

from jupyter_aigov.plugins.hookspecs import GROUP, hookimpl
from jupyter_aigov.plugins.loading import NO_PLUGINS, LoadedPlugins, Plugin, load_plugins

__all__ = ["GROUP", "NO_PLUGINS", "LoadedPlugins", "Plugin", "hookimpl", "load_plugins"]
