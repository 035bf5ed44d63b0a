"""Writes of the catalog domain: <entity>_<action>(*, ...) functions."""
