"""Live checks: resources read from running services rather than from files."""
