"""Errors a user can act on; the CLI turns them into a message and exit code 2."""
from __future__ import annotations


class CheckerError(Exception):
    """A problem with what the user gave us (a rule, a config, a command line), never a bug."""


class RuleError(CheckerError):
    def __init__(self, path: str, key: str, message: str) -> None:
        self.path, self.key, self.message = path, key, message
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {message}")


class ConfigError(CheckerError):
    def __init__(self, path: str, key: str, message: str) -> None:
        self.path, self.key, self.message = path, key, message
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {message}")
