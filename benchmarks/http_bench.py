"""HTTP benchmark: the product beside a bare FastAPI app, same machine, same run, same load generator.

Both servers run as ``uvicorn`` processes on free loopback ports (the product through ``nakanaori serve``,
exactly as ``make run`` starts it, on SQLite in a temporary data dir). The load generator is ``wrk``
(Debian package, ``make system-deps``), a separate process. For each concurrency (8 and 32 connections)
it measures ``GET /healthz`` and ``POST /api/check`` on both apps and prints req/s, p50 and p99 and the
product/bare ratios.

``POST /api/check`` rotates through every labelled message of the repository (``corpus/batches.yaml``;
the texts are sent, never printed): each wrk connection walks the list from its own offset, so no two
consecutive requests carry the same text and a result cache could not be what is measured. The bare
app's ``POST /api/check`` parses the same JSON bodies into a pydantic model and answers a small JSON
object: the framework's floor for the same request.

    .venv/bin/python benchmarks/http_bench.py [--duration 10] [--workers N] [--json]

Prints figures only; nothing here is asserted (speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]

BARE_APP = """
from fastapi import FastAPI
from pydantic import BaseModel


class CheckRequest(BaseModel):
    text: str
    relationship: str | None = None
    stage: str | None = None


app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/check")
async def check(body: CheckRequest) -> dict[str, int]:
    return {"chars": len(body.text)}
"""

# Each connection (wrk runs one Lua state per thread) starts at its own offset and steps through the
# bodies one by one: consecutive requests always differ.
LUA_ROTATE = """
local bodies = {}
local n = 0
local i = 0
function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    bodies[n] = line
  end
  i = (tonumber(args[2]) or 0) % n
end
function request()
  i = i % n + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def labelled_messages() -> list[dict[str, Any]]:
    """Every labelled message of every batch in corpus/batches.yaml (and the shared dev set beside the
    checkout), texts unique, in file order. Only their count is ever printed."""
    batches = yaml.safe_load((ROOT / "corpus" / "batches.yaml").read_text(encoding="utf-8"))["batches"]
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for path in dict.fromkeys((ROOT / b["path"]).resolve() for b in batches):
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = row.get("text")
            if not isinstance(text, str) or not text.strip() or text in seen or len(text) > 5000:
                continue
            seen.add(text)
            body: dict[str, Any] = {"text": text}
            if row.get("relationship") in ("partner", "friend", "work", "family"):
                body["relationship"] = row["relationship"]
            out.append(body)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not m:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    m = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "requests_per_s": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": float(m.group(1)) if m else 0.0,
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU time of *root* and every process below it (Linux /proc), live processes only:
    on a machine shared with other work, CPU per request is the steadier figure than req/s."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def run_wrk(
    url: str, duration: int, connections: int, threads: int, script_args: list[str], server_pid: int
) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script_args:
        cmd += ["-s", script_args[0], url, "--", *script_args[1:]]
    else:
        cmd += [url]
    cpu0 = tree_cpu_seconds(server_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    cpu = tree_cpu_seconds(server_pid) - cpu0
    result = parse_wrk(out)
    result["server_cpu_ms_per_request"] = 1000 * cpu / max(result["requests"], 1.0)
    return result


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> float:
    t0 = time.perf_counter()
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"the server at {base} exited with {server.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - t0
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit(f"the server at {base} did not start")


def start_product(port: int, workers: int | None, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NAKANAORI_DATA_DIR": str(data_dir)}
    env.pop("NAKANAORI_DATABASE_URL", None)
    # no access log, as for the bare app: both apps are measured with the same logging
    cmd = [sys.executable, "-m", "nakanaori.cli", "serve", "--port", str(port), "--no-access-log"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_bare(port: int, workers: int, tmp: Path) -> subprocess.Popen[bytes]:
    (tmp / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    cmd = [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--workers", str(workers)]
    cmd += ["--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    ap.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None, help="product workers (default: what `nakanaori serve` picks)")
    ap.add_argument("--bare-workers", type=int, default=1, help="bare app workers (default 1)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.duration <= 120:
        ap.error("--duration must be 1–120 seconds")
    if shutil.which("wrk") is None:
        print("wrk が見つかりません。`make system-deps` で入れてください。", file=sys.stderr)
        return 2
    bodies = labelled_messages()
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="nakanaori-bench-") as tmp_name:
        tmp = Path(tmp_name)
        bodies_file = tmp / "bodies.jsonl"
        bodies_file.write_text(
            "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bodies),
            encoding="utf-8",
        )
        script = tmp / "rotate.lua"
        script.write_text(LUA_ROTATE, encoding="utf-8")
        apps = {
            "bare": (start_bare, args.bare_workers),
            "product": (start_product, args.workers),
        }
        startup: dict[str, float] = {}
        for name, (start, workers) in apps.items():
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            data = tmp / f"data-{name}"
            data.mkdir()
            server = start(port, workers, data) if name == "product" else start(port, workers, tmp)
            try:
                startup[name] = wait_ready(base, server)
                # one request of each kind before measuring (the product warms up at start; this only
                # proves the endpoint answers)
                httpx.post(base + "/api/check", json=bodies[0], timeout=30).raise_for_status()
                for c in args.connections:
                    offset = str(sum(map(ord, name)) % len(bodies))
                    results.setdefault(f"POST /api/check c{c}", {})[name] = run_wrk(
                        base + "/api/check",
                        args.duration,
                        c,
                        args.threads,
                        [str(script), str(bodies_file), offset],
                        server.pid,
                    )
                    results.setdefault(f"GET /healthz c{c}", {})[name] = run_wrk(
                        base + "/healthz", args.duration, c, args.threads, [], server.pid
                    )
            finally:
                stop(server)
    ratios = {
        key: {
            "rps": r["product"]["requests_per_s"] / r["bare"]["requests_per_s"],
            "p50": r["product"]["p50_ms"] / r["bare"]["p50_ms"],
            "p99": r["product"]["p99_ms"] / r["bare"]["p99_ms"],
            "cpu": r["product"]["server_cpu_ms_per_request"] / r["bare"]["server_cpu_ms_per_request"],
        }
        for key, r in results.items()
    }
    setup = {
        "duration_s": args.duration,
        "threads": args.threads,
        "product_workers": args.workers if args.workers is not None else "nakanaori serve default",
        "bare_workers": args.bare_workers,
        "messages": len(bodies),
        "cpus": os.cpu_count(),
        "load_generator": "wrk (separate process)",
        "startup_s": startup,
    }
    if args.json:
        print(json.dumps({"setup": setup, "results": results, "ratios": ratios}, ensure_ascii=False, indent=2))
        return 0
    print(
        f"wrk -t{args.threads}, {args.duration}s per run; {len(bodies)} labelled messages in rotation; "
        f"{os.cpu_count()} CPUs; product workers: {setup['product_workers']}, bare app workers: {args.bare_workers}"
    )
    print(f"ready after start: bare {startup['bare']:.2f}s, product {startup['product']:.2f}s")
    head = f"{'run':<22}{'app':<9}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>11}{'non-2xx':>9}"
    print(head)
    for key, r in results.items():
        for name in ("bare", "product"):
            x = r[name]
            print(
                f"{key:<22}{name:<9}{x['requests_per_s']:>10.1f}{x['p50_ms']:>9.2f}{x['p99_ms']:>9.2f}"
                f"{x['server_cpu_ms_per_request']:>11.3f}{int(x['non_2xx'] + x['socket_errors']):>9}"
            )
        q = ratios[key]
        print(f"{'':<22}{'ratio':<9}{q['rps']:>9.2f}×{q['p50']:>8.2f}×{q['p99']:>8.2f}×{q['cpu']:>10.2f}×")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures are only as quiet as the machine)")
    print("targets: /healthz ≥ 0.5× bare req/s; POST /api/check ≥ 0.3× bare req/s with p99 ≤ 20 ms at c8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
