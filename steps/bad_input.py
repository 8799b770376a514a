"""Bad input: placeholder."""
