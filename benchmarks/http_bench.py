"""HTTP benchmark: ``POST /api/check`` against the trivial ``GET /healthz`` of the same app, same run.

Starts the app with uvicorn on a free loopback port (SQLite in a temporary data dir), drives it
with ``wrk`` (Debian package; ``make system-deps``) and prints requests/s and p50/p99 latency for
both endpoints and their ratio. Loopback only; each run lasts ``--duration`` seconds.

    .venv/bin/python benchmarks/http_bench.py [--duration 10] [--connections 8] [--threads 2] [--json]
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

import httpx

DRAFT = (
    "昨日は約束の時間に遅れて、本当にごめんね😢 待たせて不安にさせたよね。"
    "でも電車が遅れたから仕方なかったんだ。次からは15分早く家を出るね🙏 話を聞いてくれてありがとう。"
)

LUA_POST = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


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


def run_wrk(url: str, duration: int, connections: int, threads: int, script: Path | None) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    return parse_wrk(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.duration <= 120:
        ap.error("--duration must be 1–120 seconds")
    if shutil.which("wrk") is None:
        print("wrk が見つかりません。`make system-deps` で入れてください。", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="nakanaori-bench-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "NAKANAORI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "nakanaori.web.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit("the app did not start")
            body = json.dumps({"text": DRAFT, "relationship": "partner"}, ensure_ascii=False)
            warm = httpx.post(base + "/api/check", content=body.encode(), headers={"content-type": "application/json"})
            warm.raise_for_status()  # also loads Sudachi and the rules before measuring
            script = Path(tmp) / "post_check.lua"
            script.write_text(LUA_POST.format(body=body), encoding="utf-8")
            check = run_wrk(base + "/api/check", args.duration, args.connections, args.threads, script)
            health = run_wrk(base + "/healthz", args.duration, args.connections, args.threads, None)
        finally:
            server.terminate()
            server.wait(timeout=15)
    result = {
        "setup": {
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "workers": 1,
            "draft_chars": len(DRAFT),
            "cpus": os.cpu_count(),
        },
        "POST /api/check": check,
        "GET /healthz": health,
        "check_vs_healthz_rps_ratio": check["requests_per_s"] / health["requests_per_s"],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(
        f"wrk {args.threads} threads × {args.connections} connections, {args.duration}s per endpoint, "
        f"1 uvicorn worker, {os.cpu_count()} CPUs, draft of {len(DRAFT)} chars"
    )
    print(f"{'endpoint':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
    for name in ("POST /api/check", "GET /healthz"):
        r = result[name]
        print(f"{name:<18}{r['requests_per_s']:>10.1f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{int(r['non_2xx']):>9}")
    print(f"/api/check throughput = {result['check_vs_healthz_rps_ratio']:.3f} × /healthz")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
