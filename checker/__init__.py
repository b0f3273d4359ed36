"""policyproof: check a privacy policy's promises against the infrastructure that runs the service."""
from __future__ import annotations

__version__ = "0.1.0"
