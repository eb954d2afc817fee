"""A Spark standalone cluster for the tests: one master, N workers, all on 127.0.0.1.

Started from the installed PySpark's ``spark-class`` (no download, no Hadoop),
each daemon in its own process group so that stopping kills the JVM and
anything it forked (executors) — no orphans. The master's web UI JSON
(``/json``) tells when every worker has registered.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyspark

SRC = Path(__file__).resolve().parents[1] / "src"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def spark_class() -> str:
    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


class Cluster:
    """``start()`` → ``url`` is ``spark://127.0.0.1:P``; ``stop()`` ends every process."""

    def __init__(self, folder: Path, cores: int = 1, memory: str = "1g") -> None:
        self.folder = folder
        self.cores = cores
        self.memory = memory
        self.port = free_port()
        self.ui_port = free_port()
        self.url = f"spark://{HOST}:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def env(self) -> dict[str, str]:
        """What the daemons (and the executors they fork) see: loopback only, this Python."""
        env = dict(os.environ)
        env.update(
            SPARK_LOCAL_IP=HOST,
            SPARK_HOME=str(Path(pyspark.__file__).parent),
            PYSPARK_PYTHON=sys.executable,
            PYTHONPATH=os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p),
            SPARK_LOG_DIR=str(self.folder / "logs"),
        )
        return env

    def _spawn(self, name: str, *args: str) -> None:
        log = self.folder / f"{name}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            self.processes.append(
                subprocess.Popen(
                    [spark_class(), *args],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=self.env(),
                    cwd=self.folder,
                    start_new_session=True,  # its own process group: killed as one
                )
            )

    def start(self, workers: int = 2, timeout: float = 180.0) -> None:
        master = "org.apache.spark.deploy.master.Master"
        self._spawn("master", master, "--host", HOST, "--port", str(self.port), "--webui-port", str(self.ui_port))
        self._wait(lambda doc: doc.get("status") == "ALIVE", timeout, "master")
        for n in range(workers):
            work = self.folder / f"work-{n}"
            work.mkdir()
            self._spawn(
                f"worker-{n}",
                "org.apache.spark.deploy.worker.Worker",
                self.url,
                "--host",
                HOST,
                "--port",
                str(free_port()),
                "--webui-port",
                str(free_port()),
                "--cores",
                str(self.cores),
                "--memory",
                self.memory,
                "--work-dir",
                str(work),
            )
        self._wait(lambda doc: len(self.alive_workers(doc)) >= workers, timeout, "workers")

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://{HOST}:{self.ui_port}/json", timeout=5) as response:  # noqa: S310
            return json.load(response)

    @staticmethod
    def alive_workers(doc: dict) -> list[dict]:
        return [w for w in doc.get("workers", []) if w.get("state") == "ALIVE"]

    def _wait(self, ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc, log in zip(self.processes, self.logs, strict=True):
                if proc.poll() is not None:
                    raise RuntimeError(f"Spark {log.stem} exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
            try:
                if ready(self.status()):
                    return
            except OSError:
                pass  # the web UI is not listening yet
            time.sleep(0.5)
        tails = "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in self.logs if log.exists())
        raise RuntimeError(f"Spark {what} not ready after {timeout:.0f} s\n{tails}")

    def stop(self) -> None:
        """SIGTERM to each process group, SIGKILL to what is left after 15 s."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.processes:  # the group too: an executor may outlive its worker
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.processes.clear()
