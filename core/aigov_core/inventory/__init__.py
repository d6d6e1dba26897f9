"""Inventory records: model registrations and assessments, as the notebook writes them and the registry keeps them."""
