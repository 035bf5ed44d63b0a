"""What the staff domain adds to the shell: navigation, capabilities, history sources."""
