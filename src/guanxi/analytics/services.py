"""Writes of the analytics domain: <entity>_<action>(*, ...) functions."""
