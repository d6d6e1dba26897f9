"""Evidence bundles: their layout, the zip read safely, the signed attestation, verifying one."""
