"""Writes of the sales domain: <entity>_<action>(*, ...) functions."""
