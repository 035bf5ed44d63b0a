"""Writes of the customers domain: <entity>_<action>(*, ...) functions."""
