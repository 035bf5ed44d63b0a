"""Pages of the loyalty domain."""
