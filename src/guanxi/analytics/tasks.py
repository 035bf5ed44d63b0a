"""Huey tasks of the analytics domain; each calls the service of the same name."""
