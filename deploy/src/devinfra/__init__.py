"""devinfra."""
