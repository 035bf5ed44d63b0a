"""Huey tasks of the customers domain; each calls the service of the same name."""
