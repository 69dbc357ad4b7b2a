"""govgraph schema."""
