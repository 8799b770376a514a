"""Figures to a printed Markdown table and to bench/results.json; the machine they ran on."""

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
        # Other work on the machine moves every figure: worth knowing when comparing runs.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    cold = results["cold_acceptance"]
    per = results["per_scenario"]
    scaling = results["scaling"]
    growth = results["growth"]
    load = results["load"]
    rows = [
        ("cold acceptance run (`make acceptance`, from nothing)", s(cold["wall_s"])),
        (
            "  of which embedded PostgreSQL start / stop",
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
        ("write", "POST /counters/{name}/increment (write)"),
    ):
        r = load[op]
        rows.append(
            (
                f"{label}, {load['clients']} clients: req/s, p50 / p95",
                f"{r['rps']:.0f}, {ms(r['p50_s'])} / {ms(r['p95_s'])}",
            )
        )
    rows += mutation_rows(results.get("mutation"))
    width = max(len(label) for label, _ in rows)
    lines = [f"| {'figure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {label.ljust(width)} | {value} |" for label, value in rows]
    lines.append("")
    lines.append(
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB RAM, "
        f"Python {m['python']}, load average {m['load_average_1m']} at the start, {m['date']}. "
        f"Each figure: median of {results['runs']} runs."
    )
    return "\n".join(lines)


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
