"""govgraph gateway."""
