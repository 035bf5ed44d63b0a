"""Writes of the loyalty domain: <entity>_<action>(*, ...) functions."""
