"""The hostile corpus: files built to break parsers, walks and rules, generated rather than committed.

``GENERIC`` attacks are fed to every loader under a name it claims; ``TREES`` are
multi-file attacks (include and module loops, format-specific bombs) written as
folders. ``python tests/hostile/corpus.py OUT`` writes the whole corpus to OUT,
for ``policyproof scan OUT``.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

NAMES = {
    "terraform": "main.tf",
    "terraform-plan": "plan.json",
    "kubernetes": "deploy.yaml",
    "compose": "docker-compose.yml",
    "dotenv": ".env",
    "cloudformation": "template.yaml",
    "nginx": "nginx.conf",
    "sql": "supabase/migrations/20240101000000_init.sql",
    "supabase-config": "supabase/config.toml",
    "subprocessor-register": "subprocessors.yaml",
    "pip-requirements": "requirements.txt",
    "pyproject": "pyproject.toml",
    "pipfile": "Pipfile",
    "poetry-lock": "poetry.lock",
    "package-json": "package.json",
    "package-lock": "package-lock.json",
    "go-mod": "go.mod",
    "gemfile": "Gemfile",
}


def name_for(fmt: str) -> str:
    return NAMES.get(fmt, f"input.{fmt}")


def _alias_bomb() -> bytes:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 10):
        bomb += f"{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 9) + "]\n"
    return ("apiVersion: v1\nkind: ConfigMap\n" + bomb).encode()


GENERIC: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "nul": lambda: b"key = \x00\x00\n",
    "invalid-utf8": lambda: b"name: \xff\xfe\xfd\n",
    "bom-crlf": lambda: b"\xef\xbb\xbfkey: value\r\nother: 1\r\n",
    "utf16": lambda: "apiVersion: v1\nkind: Secret\n".encode("utf-16"),
    "alias-bomb": _alias_bomb,
    "deep-brackets": lambda: b"x = " + b"[" * 20000 + b"]" * 20000 + b"\n",
    "deep-braces": lambda: b"{" * 20000 + b"}" * 20000,
    "deep-yaml": lambda: ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000))).encode(),
    "long-line": lambda: b"x = \"" + b"a" * 2_000_000 + b"\"\n",
    "many-lines": lambda: b"# c\n" * 200_000,
    "lone-cr": lambda: b"a = 1\rb = 2\r",
    "binary": lambda: bytes(range(256)) * 64,
    "python-tag": lambda: b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!python/object/apply:os.system ['true']\n",
}

TREES: dict[str, Callable[[], dict[str, bytes]]] = {
    "toml-nested-arrays": lambda: {"supabase/config.toml": b"x = " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
                                   "pyproject.toml": b"[project]\ndependencies = " + b"[" * 50_000 + b"]" * 50_000,
                                   "Pipfile": b"[packages]\nx = " + b"{a = " * 20_000 + b"1" + b"}" * 20_000,
                                   "poetry.lock": b"".join(b"[[package]]\nname = \"p%d\"\nversion = \"1\"\n" % i
                                                           for i in range(50_000))},
    "json-million": lambda: {
        name: b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "format_version": "1.2", '
              b'"terraform_version": "1.9.0", "dependencies": {}, "x": [' + b"0," * 999_999 + b"0]}"
        for name in ("template.json", "plan.json", "package.json", "package-lock.json")},
    "json-deep": lambda: {"plan.json": b'{"format_version": "1.2", "terraform_version": "1.9.0", "x": '
                                       + b"[" * 100_000 + b"]" * 100_000 + b"}"},
    "sql-100k-statements": lambda: {"supabase/migrations/20240101000000_init.sql": b"SELECT 1;\n" * 100_000},
    "sql-deep-expression": lambda: {
        "supabase/migrations/20240101000000_init.sql": b"SELECT " + b"(" * 50_000 + b"1" + b")" * 50_000 + b";\n"},
    "sql-unterminated": lambda: {"supabase/migrations/20240101000000_init.sql": b"CREATE FUNCTION f() AS $$ BEGIN\n"},
    "nginx-include-loop": lambda: {
        "nginx/nginx.conf": b"http {\n  include nginx.conf;\n  include a.conf;\n  include *.conf;\n}\n",
        "nginx/a.conf": b"server {\n  listen 443 ssl;\n  include nginx.conf;\n  include a.conf;\n}\n"},
    "nginx-deep-blocks": lambda: {"nginx.conf": b"http { server { " + b"location / { " * 10_000 + b"}" * 10_002},
    "terraform-module-loop": lambda: {
        "self/main.tf": b'module "self" {\n  source = "./"\n}\nresource "aws_s3_bucket" "b" {}\n',
        "a/main.tf": b'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": b'module "a" {\n  source = "../a"\n}\nresource "aws_s3_bucket" "b" {}\n'},
    "terraform-reference-cycles": lambda: {"main.tf": (
        b'locals {\n  a = local.b\n  b = local.a\n}\nvariable "v" {\n  default = var.v\n}\n'
        b'resource "aws_s3_bucket" "b" {\n  bucket = local.a\n}\n')},
    "terraform-deep-calls": lambda: {"main.tf": b'resource "aws_s3_bucket" "b" {\n  bucket = '
                                                + b"lower(" * 3000 + b'"x"' + b")" * 3000 + b"\n}\n"},
    "cloudformation-cycles": lambda: {"template.yaml": (
        b'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  P:\n    Type: String\n    Default: !Ref P\n'
        b"Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  Bk:\n    Type: AWS::S3::Bucket\n"
        b'    Condition: A\n    Properties:\n      BucketName: !If [A, !Ref P, !Sub "${Bk}"]\n')},
    "compose-nested-interpolation": lambda: {"docker-compose.yml": (
        b"services:\n  api:\n    image: x\n    environment:\n      A: \"" + b"${V:-" * 5000 + b"x" + b"}" * 5000
        + b"\"\n")},
    "dotenv-cycles": lambda: {".env": b"A=${B}\nB=${A}\n" + b"C=${C}${C}${C}\n" * 1000 + b'X="unterminated\n'},
}


def write(root: Path) -> int:
    """Write the corpus below ``root``; returns the number of files written."""
    count = 0
    for attack, make in GENERIC.items():
        data = make()
        for fmt in NAMES:
            _put(root / "generic" / attack / fmt / name_for(fmt), data)
            count += 1
    for attack, make_tree in TREES.items():
        for name, data in make_tree().items():
            _put(root / "trees" / attack / name, data)
            count += 1
    return count


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


if __name__ == "__main__":
    print(f"{write(Path(sys.argv[1]))} files written to {sys.argv[1]}")
