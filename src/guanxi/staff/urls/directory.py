"""Stores, staff members and the organisation settings."""

urlpatterns: list = []
