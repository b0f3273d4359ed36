"""Reading a source file: its bytes exactly, in as few system calls as it takes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.sources import open_regular, read_file, read_to_end


@pytest.mark.parametrize("expected", [0, 10, 99_999, 100_000, 100_001, 5_000_000])
def test_a_file_is_read_to_its_end_whatever_size_was_expected(tmp_path: Path, expected: int) -> None:
    data = os.urandom(100_000)
    (tmp_path / "main.tf").write_bytes(data)
    fd, _ = open_regular(str(tmp_path / "main.tf"))
    try:
        assert read_to_end(fd, expected) == data
    finally:
        os.close(fd)


def test_the_rest_is_read_after_a_first_part(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes(b"head" + b"-" * 5000)
    fd, _ = open_regular(str(tmp_path / "main.tf"))
    try:
        assert os.read(fd, 4) + read_to_end(fd, 5000) == b"head" + b"-" * 5000
    finally:
        os.close(fd)


def test_an_empty_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.tf").write_bytes(b"")
    assert read_file(str(tmp_path / "empty.tf")) == b""


def test_a_fifo_is_refused_rather_than_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.tf")
    with pytest.raises(OSError):
        read_file(str(tmp_path / "main.tf"))
