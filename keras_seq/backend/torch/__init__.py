"""PyTorch only: graph capture and replay, captured sampling, writes in place."""
