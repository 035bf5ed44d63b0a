"""Huey tasks of the catalog domain; each calls the service of the same name."""
