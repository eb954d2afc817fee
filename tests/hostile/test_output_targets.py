"""``-o`` against targets that are not plain files: FIFOs, symlinks, devices, full disks.

The atomic write (temporary file + rename) is right for a regular file and wrong for
everything else: renaming over a FIFO or ``/dev/full`` replaces the special file with
a regular one (as root this replaced a device node). A special file is written
through, as a shell redirection would; a symlink is refused with one line, because
renaming over it would silently cut the link.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.hostile._cli import one_line_error, run

CMD = ("rules", "list", "--format", "json")


def test_regular_file_is_replaced_atomically_and_keeps_its_mode(tmp_path):
    target = tmp_path / "rules.json"
    target.write_text("old")
    target.chmod(0o640)
    proc = run(*CMD, "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(target.read_text())["rules"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["rules.json"]  # no temporary file left


def test_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run(*CMD, "-o", str(fifo), timeout=30)
    reader.join(10)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a regular file"
    assert json.loads(got[0].decode())["rules"]


def test_symlink_is_refused_in_one_line_and_left_alone(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    err = one_line_error(run(*CMD, "-o", str(link)))
    assert "symlink" in err.lower() or "symbolic" in err.lower(), err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_dev_stdout_is_written_through(tmp_path):
    """/dev/stdout is a symlink (to /proc/self/fd/1); it is the caller's stream, not a file to refuse."""
    proc = run(*CMD, "-o", "/dev/stdout")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rules"]
    target = tmp_path / "out.json"
    with target.open("w") as fh:
        proc = run(*CMD, "-o", "/dev/stdout", stdout=fh)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(target.read_text())["rules"]


def _device(tmp_path, name: str, major: int, minor: int):
    """A private copy of a character device: a buggy run replaces this one, never the real /dev node."""
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("creating device nodes needs root (CAP_MKNOD)")
    return path


def test_null_device_is_written_through_and_stays_a_device(tmp_path):
    null = _device(tmp_path, "null", 1, 3)
    proc = run(*CMD, "-o", str(null))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(null.lstat().st_mode) and null.lstat().st_rdev == os.makedev(1, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_full_device_gives_one_line_and_the_device_survives(tmp_path):
    """As root the old code renamed a regular file over /dev/full."""
    full = _device(tmp_path, "full", 1, 7)
    err = one_line_error(run(*CMD, "-o", str(full)))
    assert str(full) in err
    assert stat.S_ISCHR(full.lstat().st_mode) and full.lstat().st_rdev == os.makedev(1, 7)
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


@pytest.mark.parametrize(
    "args", [CMD, ("rules", "check", "src/osslever/data/rules"), ("--help",)], ids=["emit", "echo", "help"]
)
def test_stdout_on_a_full_disk_gives_one_line(args):
    with open("/dev/full", "w") as full:  # only our stdout points at the device; nothing can rename it
        proc = run(*args, stdout=full, cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert len(err.splitlines()) == 1 and err.startswith("osslever: "), err


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, when this machine lets the test mount one (root in a container)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); /dev/full covers ENOSPC")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def test_full_disk_keeps_the_old_file_and_leaves_no_temporary(tiny_disk):
    target = tiny_disk / "rules.json"
    target.write_text("previous report")
    (tiny_disk / "filler").write_bytes(b"x" * (64 * 1024 - 8192))  # leave less room than the report needs
    err = one_line_error(run(*CMD, "-o", str(target)))
    assert str(target) in err
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "rules.json"]
