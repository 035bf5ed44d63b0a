"""Pages of the orders domain."""
