"""License scans of hostile working trees: FIFOs, symlink loops, links out of the tree,
huge and binary LICENSE files. The scan must finish quickly, never block on a FIFO,
never read through a symlink to a file outside the tree, and still find the real license.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.hostile._cli import run_inproc as run

MIT = """MIT License

Copyright (c) 2024 Example

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def _scan(folder) -> dict:
    proc = run("license", str(folder), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "LICENSE.md").write_text(MIT)
    return root


@pytest.mark.parametrize("name", ["LICENSE", "COPYING", "LICENSE.txt"])
def test_a_fifo_named_like_a_license_does_not_block_the_scan(tree, name):
    os.mkfifo(tree / name)
    doc = _scan(tree)
    assert doc["license"]["spdx"] == "MIT"


def test_symlink_loops_do_not_hang(tree):
    (tree / "loop").symlink_to(tree / "loop")
    (tree / "sub").mkdir()
    (tree / "sub" / "up").symlink_to(tree)
    (tree / "a").symlink_to(tree / "b")
    (tree / "b").symlink_to(tree / "a")
    (tree / "LICENSE").symlink_to(tree / "LICENSE")
    assert _scan(tree)["license"]["spdx"] == "MIT"


def test_a_license_symlinked_out_of_the_tree_is_not_read(tree, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GNU GENERAL PUBLIC LICENSE Version 3 " + "TOP-SECRET " * 50)
    (tree / "LICENSE").symlink_to(secret)
    doc = _scan(tree)
    assert doc["license"]["spdx"] == "MIT"
    assert "TOP-SECRET" not in json.dumps(doc)


def test_a_200_mb_license_is_skipped_with_a_note(tree):
    huge = tree / "LICENSE"
    with huge.open("wb") as fh:
        fh.write(MIT.encode())
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
    doc = _scan(tree)
    assert doc["license"]["spdx"] == "MIT"


def test_a_binary_license_file_is_not_detected_as_text(tree):
    (tree / "LICENSE").write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(4096))
    assert _scan(tree)["license"]["spdx"] == "MIT"


def test_a_device_named_license_is_not_read(tree):
    try:
        os.mknod(tree / "LICENSE", 0o020666, os.makedev(1, 5))  # a private /dev/zero
    except PermissionError:
        pytest.skip("creating device nodes needs root (CAP_MKNOD)")
    assert _scan(tree)["license"]["spdx"] == "MIT"
