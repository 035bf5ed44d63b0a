"""Huey tasks of the core domain; each calls the service of the same name."""
