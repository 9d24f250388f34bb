"""PyTorch only: graph capture and replay, captured sampling."""
