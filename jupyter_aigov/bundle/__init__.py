"""Evidence bundles for audits: export a signed BagIt bag, verify one."""
