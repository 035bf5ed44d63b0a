"""Writes of the service domain: <entity>_<action>(*, ...) functions."""
