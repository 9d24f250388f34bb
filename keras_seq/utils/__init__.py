"""What every keras_seq package shares. Imports nothing of keras_seq."""
