"""What this domain adds to the shell: navigation, dashboard panels, history sources."""
