#!/usr/bin/env python3
"""Captures the RTP packets ffmpeg's own packetizers send, in the corpus's rtp.txt format.

Usage: capture_ffmpeg_rtp.py OUT.rtp.txt OUT.sdp FFMPEG-INPUT-AND-CODEC-ARGS...
Runs `ffmpeg <args> -f rtp -sdp_file OUT.sdp rtp://127.0.0.1:PORT` and records every
datagram that reaches PORT (RTCP goes to PORT+1 and is not recorded).
"""
import socket, subprocess, sys, time

out, sdp, args = sys.argv[1], sys.argv[2], sys.argv[3:]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
proc = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args,
                         "-f", "rtp", "-sdp_file", sdp, f"rtp://127.0.0.1:{port}?pkt_size=1200"])
sock.settimeout(0.5)
lines = ["# t dir transport chan stream kind len hex   (see README.md)"]
t0 = time.monotonic()
while True:
    try:
        data, src = sock.recvfrom(65536)
    except socket.timeout:
        if proc.poll() is not None:
            break
        continue
    lines.append(f"{time.monotonic() - t0:.6f} c2s udp {src[1]}>{port} 0 rtp {len(data)} {data.hex()}")
open(out, "w").write("\n".join(lines) + "\n")
sys.exit(proc.returncode)
