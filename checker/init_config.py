"""The commented starting configuration that `policyproof init` writes."""
from __future__ import annotations

TEMPLATE = """\
# policyproof configuration. Every key is optional; the schema is
# policy_spec/schemas/config.schema.json in the policyproof package.

# The policy whose commitments are checked (default: the bundled BrainstormMSP policy).
# policy: compliance/privacy-policy.yaml

# Your own rule folders, added to the bundled rules; bundled_rules: false drops those.
# rules: [compliance/rules]
# bundled_rules: true

# Rule ids to run exclusively, or to skip.
# enable: []
# disable: []

# Paths (globs, relative to this file's folder) never read.
exclude:
  - ".terraform/*"

# Lowest severity of a failure that fails the gate: low, medium, high or critical.
fail_on: low
# Whether a file that cannot be read, or a value that cannot be determined, fails the gate.
fail_on_error: true

# Which platform defaults count as a kept promise when the code declares nothing:
# permanent (always-on ones), accept (also later ones, such as S3 default encryption), reject.
platform_defaults: permanent

# What holds personal data, for rules scoped to it (retention of customer data).
# personal_data:
#   tags: {data-classification: [personal, pii]}
#   name_patterns: ["(?i)customer"]

# Accepted exceptions, each with an owner, a reason and an expiry date.
# waivers: compliance/waivers.yaml

# Force or disable formats when detection by name and content is not what you want.
# formats:
#   force: {"deploy/*.yml": kubernetes}
#   disable: []
"""
