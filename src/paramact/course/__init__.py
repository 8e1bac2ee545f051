"""Course pipeline: release chapters from the master notebooks, check the build for leaks, autograde."""
