"""A pytest plugin: each test's own time (setup + call + teardown) to the JSON file in
$BENCH_TIMINGS, in the order each worker ran them, with its keywords (the feature's tags).

Loaded with `-p bench.timing_plugin`. Under pytest-xdist the controller sees every report
and writes the file; the workers write nothing.
"""

import json
import os
from collections import defaultdict

import pytest

TIMINGS_ENV = "BENCH_TIMINGS"


class Timings:
    def __init__(self, path: str) -> None:
        self.path = path
        self.seconds: dict[str, float] = defaultdict(float)
        self.worker: dict[str, str] = {}
        self.markers: dict[str, list[str]] = {}
        self.failed: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] += report.duration
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        self.worker.setdefault(report.nodeid, node.gateway.id if node is not None else "main")
        self.markers.setdefault(report.nodeid, sorted(report.keywords))  # tags among them
        if report.failed:
            self.failed.append(report.nodeid)

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        tests = [
            {
                "nodeid": nodeid,
                "seconds": seconds,
                "worker": self.worker[nodeid],
                "markers": self.markers[nodeid],
            }
            for nodeid, seconds in self.seconds.items()
        ]
        with open(self.path, "w") as out:
            json.dump({"tests": tests, "failed": self.failed}, out)


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get(TIMINGS_ENV)
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Timings(path), "bench-timings")
