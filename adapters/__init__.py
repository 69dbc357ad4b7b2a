"""govgraph adapters."""
