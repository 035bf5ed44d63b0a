"""Huey tasks of the orders domain; each calls the service of the same name."""
