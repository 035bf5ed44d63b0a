"""Huey tasks of the sales domain; each calls the service of the same name."""
