"""Figures to a printed Markdown table and to bench/results.json; the machine they ran on."""

import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.pg_cluster import PostgresNotFound, find_bindir

RESULTS = Path(__file__).resolve().parent / "results.json"


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            ln.split(":", 1)[1].strip()
            for ln in cpuinfo.read_text().splitlines()
            if ln.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gib = round(total_kib / 1024**2, 1)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "postgresql": postgresql_version(),
        # Other work on the machine moves every figure: worth knowing when comparing runs.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def postgresql_version() -> str:
    """The embedded cluster's server version (what the bench ran on without TEST_DATABASE_URL)."""
    if os.environ.get("TEST_DATABASE_URL"):
        return "TEST_DATABASE_URL's server"
    try:
        postgres = find_bindir() / "postgres"
        done = subprocess.run([str(postgres), "--version"], capture_output=True, text=True)
    except (PostgresNotFound, OSError):
        return "unknown"
    return done.stdout.strip().removeprefix("postgres (PostgreSQL) ") or "unknown"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The issue's figures: (figure, measured, target, met)."""
    cold = results["cold_acceptance"]
    per = results["per_scenario"]
    growth = results["growth"]
    load = results["load"]
    small, large = (str(size) for size in growth["sizes"])
    growth_ratio = growth[large]["own_median_s"] / growth[small]["own_median_s"]
    wall_growth = growth[large]["wall_per_scenario_s"] / growth[small]["wall_per_scenario_s"]
    worst = cold["over_1s"][0] if cold["over_1s"] else None
    over = f"{len(cold['over_1s'])} of {cold['concurrency_failures']} over 1 s" + (
        f" (slowest {s(worst['seconds'])})" if worst else ""
    )
    return [
        (
            f"`make acceptance` from nothing, {cold['scenarios']} scenarios ({cold['chosen']})",
            s(cold["wall_s"]),
            "<= 10 s",
            _met(cold["wall_s"] <= 10),
        ),
        (
            "plain scenario own time (savepoint mode), median",
            ms(per["savepoint"]["median_s"]),
            "<= 10 ms",
            _met(per["savepoint"]["median_s"] <= 0.010),
        ),
        (
            "concurrency and fault scenarios, own time (serial run)",
            over,
            "none over 1 s",
            _met(not cold["over_1s"]),
        ),
        (
            "the suite serial / `-n 2` / as `make acceptance` chooses",
            f"{s(cold['serial_s'])} / {s(cold['n2_s'])} / {s(cold['wall_s'])}",
            "chosen <= serial; -n 2 <= serial",
            _met(cold["wall_s"] <= cold["serial_s"] * 1.05 and cold["n2_s"] <= cold["serial_s"]),
        ),
        (
            f"per-scenario cost, {large} vs {small} scenarios (own median; wall per scenario)",
            f"{growth_ratio:.2f}x; {wall_growth:.2f}x",
            "<= 1.1x",
            _met(growth_ratio <= 1.1),
        ),
        (
            f"GET /users req/s vs a raw driver loop of its statements, {load['clients']} clients",
            f"{100 * load['read_vs_raw']:.0f}% ({load['read']['rps']:.0f} vs "
            f"{load['raw_read']['rps']:.0f} req/s)",
            ">= 25%",
            _met(load["read_vs_raw"] >= 0.25),
        ),
    ]


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    cold = results["cold_acceptance"]
    per = results["per_scenario"]
    scaling = results["scaling"]
    growth = results["growth"]
    load = results["load"]
    targets = target_rows(results)
    widths = [max(len(row[i]) for row in targets) for i in range(4)]
    head = ("figure (issue 15)", "measured", "target", "met")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in targets
    ]
    lines.append("")
    rows = [
        (
            "embedded PostgreSQL start / stop",
            f"{s(cold['pg_start_s'])} / {s(cold['pg_stop_s'])}",
        ),
    ]
    for mode, label in (
        ("floor", "no database (the floor)"),
        ("savepoint", "savepoint mode"),
        ("committed", "committed-data mode"),
    ):
        rows.append(
            (
                f"scenario own time, {label}: median / p95",
                f"{ms(per[mode]['median_s'])} / {ms(per[mode]['p95_s'])}",
            )
        )
    rows.append(
        (
            f"{scaling['scenarios']} savepoint scenarios: serial / `-n 2` (speed-up)",
            f"{s(scaling['serial_s'])} / {s(scaling['parallel_s'])} ({scaling['ratio']:.2f}x)",
        )
    )
    for size in growth["sizes"]:
        g = growth[str(size)]
        rows.append(
            (
                f"{size} no-database scenarios: wall per scenario / own median",
                f"{ms(g['wall_per_scenario_s'])} / {ms(g['own_median_s'])}",
            )
        )
    for op, label in (
        ("read", "GET /users (tenant-scoped read)"),
        ("raw_read", "raw driver loop, GET /users' statements"),
        ("write", "POST /counters/{name}/increment (write)"),
    ):
        r = load[op]
        rows.append(
            (
                f"{label}, {load['clients']} clients: req/s, p50 / p95",
                f"{r['rps']:.0f}, {ms(r['p50_s'])} / {ms(r['p95_s'])}",
            )
        )
    rows += tenancy_rows(results.get("tenancy"))
    rows.append(
        ("statements per GET /users (replayed by the raw loop)", str(len(load["read_statements"])))
    )
    rows += mutation_rows(results.get("mutation"))
    width = max(len(label) for label, _ in rows)
    lines += [f"| {'other figure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {label.ljust(width)} | {value} |" for label, value in rows]
    if cold["over_1s"]:
        lines.append("")
        lines.append("Concurrency and fault scenarios over 1 s (own time, serial):")
        lines += [f"- {t['nodeid'].split('::')[-1]}: {s(t['seconds'])}" for t in cold["over_1s"]]
    lines.append("")
    lines.append(
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB RAM, "
        f"Python {m['python']}, PostgreSQL {m.get('postgresql', '?')}, "
        f"load average {m['load_average_1m']} at the start, {m['date']}. "
        f"Each figure: median of {results['runs']} runs."
    )
    return "\n".join(lines)


def tenancy_rows(modes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Shared rows (RLS) against a schema per tenant, one figure per line: rows | schemas."""
    if not modes:
        return []
    rows, schemas = modes["rows"], modes["schemas"]
    return [
        (
            "tenant_isolation scenario own time, median: rows | schemas",
            f"{ms(rows['scenario_median_s'])} | {ms(schemas['scenario_median_s'])}",
        ),
        (
            "creating a tenant (schemas: role, schema, migrations): rows | schemas",
            f"{ms(rows['tenant_creation_median_s'])} | {ms(schemas['tenant_creation_median_s'])}",
        ),
        (
            "GET /users req/s, p95: rows | schemas",
            f"{rows['read_rps']:.0f}, {ms(rows['read_p95_s'])} | "
            f"{schemas['read_rps']:.0f}, {ms(schemas['read_p95_s'])}",
        ),
    ]


def mutation_rows(score: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The mutation score of `make mutation`'s last run, when there is one."""
    if not score:
        return [("mutation score (`make mutation`)", "no results: not run here")]
    rows = []
    modules = sorted(score["modules"].items(), key=lambda item: item[0] != "all")
    for module, m in modules:
        label = "mutation score, all modules" if module == "all" else f"  mutation score, {module}"
        # Of the mutants judged: a run cut short (or one module's) leaves the rest unjudged.
        judged = m.get("judged", m["total"])
        percent = 100 * m["killed"] / judged if judged else 0.0
        value = f"{m['killed']} / {judged} killed ({percent:.1f}%)"
        if judged < m["total"]:
            value += f", {m['total'] - judged} of {m['total']} not judged"
        rows.append((label, value))
    run = score.get("run")
    if run:
        rows.append(("  `make mutation` wall time, one mutant at a time", s(run["wall_s"])))
    return rows


def write(results: dict[str, Any]) -> Path:
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return RESULTS
