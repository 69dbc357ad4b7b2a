"""govgraph connectors."""
