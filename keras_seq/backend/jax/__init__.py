"""JAX only: the platform JAX runs on, the trainer state after a failed call."""
