#!/usr/bin/env python3
"""fanout.py - the fan-out benchmark of issue 6: one live stream to N TCP-interleaved players
on loopback, gst-rtsp-server against this crate's tokio server example, in the same sitting.

For each N (--clients), each repetition (--repeat) and each server (--servers, alternating in
that order) it:
  1. starts the server on a free port (stdout/stderr to a log file in --out-dir);
  2. starts one "holder" player (rtsp_load.py --clients 1) so that the shared media runs
     (gst-rtsp-server builds the pipeline and encoder at the first player), waits --settle s
     and samples the baseline: RSS and CPU% with that one player;
  3. runs rtsp_load.py with N players (--ramp per second, each playing long enough that all
     N play together for --steady s), sampling the server's /proc/PID/stat (utime+stime of
     all its threads) and /proc/PID/status (VmRSS) every 0.5 s;
  4. over the load generator's steady window (all N playing) computes the server's CPU
     (% of one core) and median RSS; RSS per session = (steady RSS - baseline RSS) / N;
  5. stops the server.
Prints one line per run and, at the end, the table of medians; writes every run as JSON
lines to OUT_DIR/runs.jsonl. The machine's load average is recorded with each run.

    benches/fanout/fanout.py --clients 500,1000,2000 --repeat 3 --workers 2

Needs: rtsp_load.py (--loadgen), /usr/bin/python3 with the GStreamer RTSP server GI
bindings (--gst-python), the example built with
`cargo build --release --example tokio_server` (--tokio-bin).
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    """utime + stime of the whole process (every thread), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def describe_ok(url):
    """True when `url` answers DESCRIBE with 200 (the stream is there to be played)."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2) as s:
            s.sendall(("DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n"
                       % url).encode())
            return s.recv(64).startswith(b"RTSP/1.0 200")
    except OSError:
        return False


def make_bench_file(path):
    """The H.264 file the tokio server's publisher loops: 320x240, 15 fps, a keyframe every
    15 frames, ~300 kbit/s, baseline profile (the parameters of gst_server.py's pipeline)."""
    if os.path.exists(path):
        return
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=15:duration=20", "-c:v", "libx264",
                    "-profile:v", "baseline", "-preset", "ultrafast", "-tune", "zerolatency",
                    "-b:v", "300k", "-maxrate", "300k", "-bufsize", "300k", "-g", "15",
                    "-pix_fmt", "yuv420p", path], check=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Server:
    def __init__(self, kind, a, log_path):
        self.kind = kind
        self.port = free_port()
        if kind == "gst":
            cmd = [a.gst_python, os.path.join(HERE, "gst_server.py"), "--port", str(self.port),
                   "--duration", "3600"]
            self.url = "rtsp://127.0.0.1:%d/h264" % self.port
            ready = b"READY"
        else:
            # "tokio@MS": the same example with --coalesce-ms MS
            base, _, ms = kind.partition("@")
            cmd = [a.tokio_bin, "--bind", "127.0.0.1:%d" % self.port]
            if ms:
                cmd += ["--coalesce-ms", ms]
            path = "/test" if base == "tokio-test" else "/bench"
            self.url = "rtsp://127.0.0.1:%d%s" % (self.port, path)
            ready = b"listening on"
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        deadline = time.time() + 20
        while ready not in line:
            if not line or time.time() > deadline:
                self.stop()
                raise SystemExit("%s server did not start: %r" % (kind, line))
            line = self.proc.stdout.readline()
        self.log.write(line)
        # the rest of its stdout goes to the log (a thread-free pump: a child cat)
        self.pump = subprocess.Popen(["cat"], stdin=self.proc.stdout, stdout=self.log)
        self.proc.stdout.close()
        self.pid = self.proc.pid
        self.publisher = None
        if kind.partition("@")[0] == "tokio":
            # the live stream: a ~300 kbit/s H.264 file looped in real time by ffmpeg,
            # published over TCP and relayed by the server to every player of /bench
            self.publisher = subprocess.Popen(
                ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
                 "-i", a.bench_file, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp",
                 self.url], stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.time() + 15
        while not describe_ok(self.url):
            if time.time() > deadline:
                self.stop()
                raise SystemExit("%s: %s does not answer DESCRIBE with 200" % (kind, self.url))
            time.sleep(0.2)

    def stop(self):
        if getattr(self, "publisher", None) is not None and self.publisher.poll() is None:
            self.publisher.terminate()
            try:
                self.publisher.wait(5)
            except subprocess.TimeoutExpired:
                self.publisher.kill()
                self.publisher.wait()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "pump", None) is not None:
            try:
                self.pump.wait(5)
            except subprocess.TimeoutExpired:
                self.pump.kill()
        self.log.close()


def loadgen_cmd(a, url, clients, duration, workers, json_out):
    return [sys.executable, a.loadgen, "--url", url, "--clients", str(clients),
            "--ramp", str(a.ramp), "--duration", str(duration), "--workers", str(workers),
            "--json-out", json_out]


def sample(pid, samples):
    samples.append((time.time(), cpu_seconds(pid), rss_kb(pid)))


def window(samples, t0, t1):
    """(CPU % of one core, median RSS KB) over [t0, t1]."""
    pts = [s for s in samples if t0 <= s[0] <= t1]
    if len(pts) < 2:
        return None, None
    cpu = 100.0 * (pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0])
    return cpu, statistics.median(s[2] for s in pts)


def play_window(clients_jsonl, n):
    """The steady phase: from the time 90% of the N players play to the time the first 10%
    have stopped (rtsp_load.py's own window needs every single player, and a few slow
    set-ups on a loaded machine leave none)."""
    starts, ends = [], []
    with open(clients_jsonl) as f:
        for line in f:
            r = json.loads(line)
            if r.get("play_start"):
                starts.append(r["play_start"])
            if r.get("play_end"):
                ends.append(r["play_end"])
    if len(starts) < 0.9 * n or not ends:
        return None
    starts.sort()
    ends.sort()
    t0 = starts[int(0.9 * n) - 1]
    t1 = ends[int(0.1 * len(ends))]
    return (t0, t1) if t1 - t0 >= 3.0 else None


def run_one(a, kind, n, rep):
    tag = "%s-n%d-r%d" % (kind, n, rep)
    srv = Server(kind, a, os.path.join(a.out_dir, tag + ".server.log"))
    holder = None
    try:
        holder_json = os.path.join(a.out_dir, tag + ".holder.json")
        ramp_s = n / a.ramp
        duration = ramp_s + a.steady + 10
        holder = subprocess.Popen(
            loadgen_cmd(a, srv.url, 1, a.settle + duration + 30, 1, holder_json),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples = []
        t_end = time.time() + a.settle
        while time.time() < t_end:
            sample(srv.pid, samples)
            time.sleep(0.5)
        base_t0 = time.time() - a.settle / 2
        base_cpu, base_rss = window(samples, base_t0, time.time())
        out_json = os.path.join(a.out_dir, tag + ".json")
        clients_out = os.path.join(a.out_dir, tag + ".clients.jsonl")
        la0 = loadavg()
        lg = subprocess.Popen(
            loadgen_cmd(a, srv.url, n, duration, a.workers, out_json)
            + ["--clients-out", clients_out],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while lg.poll() is None:
            sample(srv.pid, samples)
            time.sleep(0.5)
        err = lg.stderr.read().decode(errors="replace").strip()
        la1 = loadavg()
        with open(out_json) as f:
            s = json.load(f)
        with open(os.path.join(a.out_dir, tag + ".samples.json"), "w") as f:
            json.dump(samples, f)
        cpu = rss = None
        steady = play_window(clients_out, n)
        if steady:
            cpu, rss = window(samples, steady[0] + 0.5, steady[1] - 0.5)
        rec = {
            "server": kind, "clients": n, "rep": rep, "url": srv.url,
            "setup_ok": s["setup_ok"], "setup_failed": s["setup_failed"],
            "dropped": s["dropped_after_play"], "stalled": s["stalled_clients"],
            "lost": s["rtp_lost"], "pass": s["pass"],
            "stream_kbit_s": s["stream_rate_kbit_s"],
            "pkts_per_client": s["rtp_pkts_per_client"]["median"],
            "play_s": duration,
            "steady_window_s": None if steady is None else round(steady[1] - steady[0], 1),
            "cpu_pct": None if cpu is None else round(cpu, 1),
            "rss_kb": rss, "base_rss_kb": base_rss,
            "base_cpu_pct": None if base_cpu is None else round(base_cpu, 1),
            "rss_per_session_kb": (None if rss is None or not s["setup_ok"]
                                   else round((rss - base_rss) / s["setup_ok"], 2)),
            "loadgen_cpu_pct_steady": s["loadgen"]["cpu_pct_steady"],
            "loadavg": [la0, la1],
            "errors": s["errors"], "loadgen_stderr": err[-500:],
        }
        return rec
    finally:
        if holder is not None and holder.poll() is None:
            holder.send_signal(signal.SIGTERM)
            try:
                holder.wait(5)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait()
        srv.stop()


def fmt(v, f="%s"):
    return "-" if v is None else f % v


def table(recs, servers, ns):
    lines = ["| server | N | runs | CPU % of one core (median; runs) | RSS/session KB (median; runs)"
             " | baseline RSS MB | set up | stalls | lost | kbit/s per player | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in ns:
        for kind in servers:
            rs = [r for r in recs if r["server"] == kind and r["clients"] == n]
            if not rs:
                continue
            cpus = [r["cpu_pct"] for r in rs if r["cpu_pct"] is not None]
            per = [r["rss_per_session_kb"] for r in rs if r["rss_per_session_kb"] is not None]
            lines.append("| %s | %d | %d | %s (%s) | %s (%s) | %s | %s | %s | %s | %s | %s |" % (
                kind, n, len(rs),
                fmt(statistics.median(cpus) if cpus else None, "%.1f"),
                ", ".join("%.1f" % c for c in cpus),
                fmt(statistics.median(per) if per else None, "%.1f"),
                ", ".join("%.1f" % p for p in per),
                ", ".join("%.1f" % (r["base_rss_kb"] / 1024) for r in rs),
                ", ".join("%d/%d" % (r["setup_ok"], n) for r in rs),
                ", ".join(str(r["stalled"]) for r in rs),
                ", ".join(str(r["lost"]) for r in rs),
                ", ".join("%.0f" % r["stream_kbit_s"] for r in rs),
                ", ".join("%.1f" % r["loadavg"][0] for r in rs)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--servers", default="gst,tokio",
                    help="gst, tokio (relaying a published ~300 kbit/s H.264 stream at /bench) "
                         "and/or tokio-test (the built-in /test: H.264 + PCMU), run in this "
                         "order; tokio@MS or tokio-test@MS run the example with --coalesce-ms MS")
    ap.add_argument("--clients", default="500,1000,2000")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--ramp", type=float, default=100.0, help="player starts per second")
    ap.add_argument("--steady", type=float, default=15.0,
                    help="seconds all N players play together")
    ap.add_argument("--settle", type=float, default=4.0,
                    help="seconds with the one holder player before the load")
    ap.add_argument("--workers", type=int, default=2, help="rtsp_load.py worker processes")
    ap.add_argument("--loadgen", default="/work/shared/loadgen/rtsp_load.py")
    ap.add_argument("--gst-python", default="/usr/bin/python3")
    ap.add_argument("--tokio-bin", default=os.path.join(ROOT, "target/release/examples/tokio_server"))
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "target/fanout"))
    ap.add_argument("--bench-file", default=None,
                    help="H.264 file the tokio server's publisher loops (default: made with "
                         "ffmpeg in OUT_DIR/bench_300k.mp4)")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    if a.bench_file is None:
        a.bench_file = os.path.join(a.out_dir, "bench_300k.mp4")
        make_bench_file(a.bench_file)
    servers = [s.strip() for s in a.servers.split(",") if s.strip()]
    ns = [int(x) for x in a.clients.split(",")]
    recs = []
    with open(os.path.join(a.out_dir, "runs.jsonl"), "a") as log:
        for rep in range(a.repeat):
            for n in ns:
                for kind in servers:
                    r = run_one(a, kind, n, rep)
                    recs.append(r)
                    log.write(json.dumps(r) + "\n")
                    log.flush()
                    print("%-5s N=%-5d rep %d: cpu %s%% rss %s KB/session (base %s MB, %s%% cpu "
                          "with 1 player) setup %d/%d stalled %d lost %d dropped %d pass %s "
                          "%s kbit/s %s pkts/player steady %s s loadgen %s%% load %.1f-%.1f" % (
                              kind, n, rep, fmt(r["cpu_pct"]), fmt(r["rss_per_session_kb"]),
                              fmt(r["base_rss_kb"] and round(r["base_rss_kb"] / 1024, 1)),
                              fmt(r["base_cpu_pct"]), r["setup_ok"], n, r["stalled"],
                              r["lost"], r["dropped"], r["pass"], r["stream_kbit_s"],
                              r["pkts_per_client"], r["steady_window_s"],
                              r["loadgen_cpu_pct_steady"],
                              r["loadavg"][0], r["loadavg"][1]), flush=True)
                    if r["errors"]:
                        print("      errors: %s" % json.dumps(r["errors"]), flush=True)
    print()
    print(table(recs, servers, ns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
