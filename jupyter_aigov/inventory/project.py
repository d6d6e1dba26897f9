"""The model inventory of the project a notebook belongs to: opened on first use, off the path of %load_ext."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .enforcement import RegistrationCheck
    from .store import Inventory


class ProjectInventory:
    """Opens the inventory of the notebook in `notebook_dir` (the project's policy file marks its folder)."""

    def __init__(self, notebook_dir: Path, project_policy: Path | None) -> None:
        self.notebook_dir = notebook_dir
        self.project_policy = project_policy  # the policy file that marks the project folder; a registry's is not
        self._lock = threading.Lock()
        self._inventory: Inventory | None = None
        self._registrations: RegistrationCheck | None = None

    @property
    def inventory(self) -> Inventory:
        """The model inventory of this notebook's project."""
        with self._lock:
            if self._inventory is None:
                from .location import inventory_dir_for
                from .store import Inventory

                self._inventory = Inventory(inventory_dir_for(self.notebook_dir, os.environ, self.project_policy))
            return self._inventory

    @property
    def registrations(self) -> RegistrationCheck:
        """What require_registered_model asks of the inventory, indexed once per change."""
        if self._registrations is None:
            from .enforcement import RegistrationCheck

            self._registrations = RegistrationCheck(self.inventory)
        return self._registrations

    def close(self) -> None:
        if self._inventory is not None:
            self._inventory.close()
