"""Express copy: package, publish and import in one job."""
