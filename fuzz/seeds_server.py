#!/usr/bin/env python3
"""Writes the seed scripts of the `server_bytes` fuzz target into fuzz/corpus/server_bytes.

The script language is read by `check_server_bytes` in fuzz/checks_server.rs: one flags
byte (bit 0: Digest/Basic authentication on; the rest seeds the RNG), then operations
whose low nibble is the action and high nibble an argument `k`.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "corpus", "server_bytes")
M = dict(OPTIONS=0, DESCRIBE=1, SETUP=2, PLAY=3, PAUSE=4, TEARDOWN=5, GET_PARAMETER=6,
         RECORD=7, ANNOUNCE=8, SET_PARAMETER=9)
U = {"/a": 0, "/a/t0": 1, "/a/t1": 2, "/b/": 3, "/new": 4, "*": 5}
V2, SESSION, PIPELINED, BODY = 0x80, 0x40, 0x20, 0x10
TCP, TCP_REC, UDP, UDP_REC, MCAST, UDP2 = range(6)


def accept(k=0):
    return bytes([0x08 | (k << 4)])


def req(method, url, t=0, k=0):
    return bytes([0x02 | (k << 4), M[method], U[url], t])


def answer(*how):
    return bytes([0x05]) + bytes(how)


def wait_ms(n, k=0):
    return bytes([0x04 | (k << 4), n])


def wait_s(n):
    return bytes([0x14, n])


def frame(k=0, track=0, n=20):
    return bytes([0x06 | (k << 4) | (track << 7), n])


def datagram(port_index, rtcp, payload):
    k = port_index | (8 if rtcp else 0)
    return bytes([0x07 | (k << 4), len(payload)]) + payload


def raw(data, k=0):
    out = b""
    while data:
        chunk, data = data[:1020], data[1020:]
        pad = (-len(chunk)) % 4
        chunk += b"\r\n" * (pad // 2) + b" " * (pad % 2)
        out += bytes([0x00 | (k << 4), len(chunk) // 4]) + chunk
    return out


RTP = bytes([0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0xAA])
RR = bytes([0x80, 201, 0, 1, 0, 0, 0, 1])

play_tcp = (accept() + req("OPTIONS", "/a") + req("DESCRIBE", "/a") + answer(1)
            + req("SETUP", "/a/t0", TCP) + answer(3) + req("SETUP", "/a/t1", SESSION | TCP)
            + answer(3) + req("PLAY", "/a", SESSION) + answer(3)
            + frame() + frame(track=1) + wait_ms(200) + frame() + wait_s(3) + frame()
            + req("GET_PARAMETER", "/a", SESSION) + req("TEARDOWN", "/a", SESSION))
seeds = {
    "play_tcp": play_tcp,
    "play_udp_rr": accept() + req("SETUP", "/a/t0", UDP) + answer(3)
    + req("PLAY", "/a", SESSION) + answer(3) + frame() + wait_s(8)
    + datagram(1, True, RR) + wait_s(8) + datagram(1, True, RR) + frame(),
    "record_udp": accept() + req("ANNOUNCE", "/new") + answer(3)
    + bytes([0x02, M["SETUP"], U["/new"], UDP_REC]) + answer(3)
    + req("RECORD", "/new", SESSION) + answer(3)
    + datagram(2, False, RTP) + wait_s(9) + datagram(2, False, RTP),
    "record_tcp": accept() + req("ANNOUNCE", "/new") + answer(3)
    + req("SETUP", "/new", TCP_REC) + answer(3) + req("RECORD", "/new", SESSION)
    + answer(3) + raw(b"$\x02\x00\x0d" + RTP + b"$\x03\x00\x08" + RR),
    "rtsp2_pipelined": accept() + req("SETUP", "/a/t0", V2 | PIPELINED | TCP)
    + req("SETUP", "/a/t1", V2 | PIPELINED | TCP) + answer(3, 3)
    + req("PLAY", "/a", V2 | SESSION) + answer(3) + frame() + bytes([0x0A]),
    "multicast": accept() + accept(1) + req("SETUP", "/b/", MCAST) + answer(3)
    + req("PLAY", "/b/", SESSION) + answer(3)
    + req("SETUP", "/b/", MCAST, k=1) + answer(3) + req("PLAY", "/b/", SESSION, k=1)
    + answer(3) + frame(k=1) + frame(k=1),
    "udp_rtsp2_dest_addr": accept() + req("SETUP", "/a/t0", V2 | UDP2) + answer(3)
    + req("PLAY", "/a", V2 | SESSION) + answer(3) + frame(),
    "slow_reader": play_tcp[:-8] + bytes([0x0B]) + frame(n=250) * 120,
    "state_errors": accept() + req("PLAY", "/a") + req("RECORD", "/a", SESSION)
    + req("SETUP", "/a/t0", UDP_REC) + answer(0) + req("SETUP", "/a/t0", TCP)
    + answer(3) + req("RECORD", "/a", SESSION) + req("PLAY", "/a/t1", SESSION)
    + req("PAUSE", "/a", SESSION) + answer(3) + req("SET_PARAMETER", "/a", BODY | SESSION)
    + answer(2) + req("GET_PARAMETER", "*", BODY) + answer(2),
    "close_while_pending": accept() + accept(1) + req("DESCRIBE", "/a") + req("SETUP", "/a/t0", TCP)
    + bytes([0x09]) + answer(1, 3) + req("SETUP", "/a/t0", TCP, k=0) + answer(3),
    "timeout": play_tcp[:-8] + wait_s(30) + frame() + wait_s(30),
    "remove_mount_playing": play_tcp[:-8] + bytes([0x0A, 0x1A]) + frame(),
    "garbage": accept() + raw(b"\x00\xff$\x05\xff\xffPLAY * RTSP/1.0\r\n\r\nSETUP rtsp://x RTSP/9.9\r\nCSeq: 1\r\n\r\n" * 20),
}
for sess in ["ffmpeg_tcp__gst_av", "gst2_tcp__gst_av", "ffmpegpub_tcp__gst_record"]:
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "sessions", sess, "tcp", "conn1_c2s.bin")
    with open(path, "rb") as f:
        seeds["capture_" + sess] = accept() + raw(f.read()[:6000]) + answer(1, 3, 3, 3, 3)

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b"\x00" + data)  # flags: no authentication, RNG seed 0
with open(os.path.join(OUT, "auth"), "wb") as f:
    f.write(b"\x01" + play_tcp)  # authentication on: requests without credentials get 401
print(len(seeds), "seeds")
