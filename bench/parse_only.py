"""The floor a scan is compared with: read every .tf/.tfvars file under a folder and parse it with tree-sitter.

    .venv/bin/python bench/parse_only.py DIR

One process, as a scan is: interpreter start, imports, reading, parsing; no conversion, no rules.
"""
from __future__ import annotations

import os
import sys

import tree_sitter
import tree_sitter_hcl


def main() -> int:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    files = errors = 0
    for folder, _, names in os.walk(sys.argv[1]):
        for name in names:
            if name.endswith((".tf", ".tfvars")):
                with open(os.path.join(folder, name), "rb") as handle:
                    errors += parser.parse(handle.read()).root_node.has_error
                files += 1
    print(f"{files} files, {errors} with syntax errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
