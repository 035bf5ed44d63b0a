"""Writes of the orders domain: <entity>_<action>(*, ...) functions."""
