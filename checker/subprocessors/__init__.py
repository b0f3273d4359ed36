"""Subprocessor disclosure: which vendors the repository sends data to, against the register."""
