#!/usr/bin/env python3
"""Writes the `seed-*` inputs of the `client_bytes` fuzz target (fuzz/corpus/client_bytes/)
from the camera exchanges in tests/data/cameras. The op encoding is documented in
fuzz/checks_client.rs: 0-2 server bytes (len, bytes), 3 clock jump (u16 x 10 ms),
4 datagram (selector, len, bytes), 5 intent (selector: low nibble % 11 = which, high
nibble % 5 = track), 6 send_rtp (len, bytes), 7 connection closed.

    python3 fuzz/seeds_client.py
"""
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
cam = os.path.join(root, "tests/data/cameras/")
out = os.path.join(root, "fuzz/corpus/client_bytes/")


def chunks(data, op=0):
    r = b""
    for i in range(0, len(data), 255):
        c = data[i:i + 255]
        r += bytes([op, len(c)]) + c
    return r


def intent(sel):
    return bytes([5, sel])


def jump(ms10):
    return bytes([3, ms10 >> 8, ms10 & 255])


def cseq(raw, n):
    lines = raw.split(b"\r\n")
    return b"\r\n".join(b"CSeq: %d" % n if l.lower().startswith(b"cseq:") else l for l in lines)


def rd(f):
    with open(cam + f, "rb") as fh:
        return fh.read()


def write(name, data):
    with open(out + name, "wb") as fh:
        fh.write(data)


# The Wowza session over TCP: DESCRIBE, two SETUPs, PLAY, media, TEARDOWN.
p = intent(1) + chunks(cseq(rd("bunny_describe.txt"), 1))
p += intent(2) + chunks(cseq(rd("bunny_setup.txt"), 2))
p += intent(2 | 16) + chunks(cseq(rd("bunny_setup.txt").replace(b"interleaved=0-1", b"interleaved=2-3"), 3))
p += intent(5) + chunks(cseq(rd("bunny_play.txt"), 4))
p += chunks(rd("bunny_session.rtsp")[:6000]) + jump(700) + chunks(rd("bunny_session.rtsp")[6000:9000])
p += intent(7) + chunks(b"RTSP/1.0 200 OK\r\nCSeq: 6\r\n\r\n")
write("seed-bunny-tcp-session", p)

# UDP with the H.264 DVR's SETUP reply, reordered datagrams, an SR, keep-alive timeouts.
p = intent(1) + chunks(cseq(rd("reolink_describe.txt"), 1)) + intent(3) + chunks(cseq(rd("h264dvr_setup_video.txt"), 2))
p += intent(5) + chunks(b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 231970\r\nRTP-Info: url=trackID=1;seq=0;rtptime=0\r\n\r\n")
for seq in [1, 3, 2, 4, 9]:
    pkt = bytes([0x80, 96, 0, seq, 0, 0, 0, seq, 0, 0, 0, 1, 0x09, 0xf0])
    p += bytes([4, 0, len(pkt)]) + pkt
sr = bytes([0x80, 200, 0, 6, 0, 0, 0, 1, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 14])
p += bytes([4, 1, len(sr)]) + sr + jump(3000) + jump(6000)
write("seed-udp-reorder-keepalive", p)

# Digest retry, a response without CSeq, Tapo's previous CSeq, unassigned channels,
# RTSP 2.0 server requests, garbage.
p = intent(1) + chunks(b'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="r", nonce="abc", qop="auth"\r\n\r\n')
p += chunks(b"RTSP/1.0 200 OK\r\n\r\n") + intent(0) + intent(8) + chunks(b"RTSP/1.0 400 Bad Request\r\nCSeq: 2\r\n\r\n")
p += chunks(b"$\x05\x00\x02ab\r\n$\x00\x00\x00")
p += chunks(b"PLAY_NOTIFY rtsp://x/ RTSP/2.0\r\nCSeq: 9\r\n\r\nREDIRECT rtsp://x/ RTSP/2.0\r\nCSeq: 10\r\nLocation: rtsp://y/\r\n\r\n")
p += chunks(b"\x00\xffgarbage")
write("seed-auth-cseq-quirks", p)

# ANNOUNCE, 461 fallback to UDP, send RTP, a 302, connection closed.
p = intent(9) + chunks(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n") + intent(4)
p += chunks(b"RTSP/1.0 461 Unsupported Transport\r\nCSeq: 2\r\n\r\n")
p += chunks(b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 5\r\nTransport: RTP/AVP;unicast;client_port=5002-5003;server_port=7000-7001\r\n\r\n")
pkt = bytes([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x09, 0xf0])
p += bytes([6, len(pkt)]) + pkt + intent(6) + chunks(b"RTSP/1.0 302 Found\r\nCSeq: 4\r\nLocation: rtsp://192.0.2.9/\r\n\r\n") + bytes([7])
write("seed-publish-fallback-redirect", p)

# Hikvision with an 8 s session timeout, then silence.
p = intent(1) + chunks(cseq(rd("hikvision_describe.txt"), 1)) + intent(2)
p += chunks(cseq(rd("hikvision_setup.txt").replace(b"timeout=60", b"timeout=8"), 2))
p += jump(500) + jump(500) + jump(1200) + bytes([7])
write("seed-hikvision-short-timeout", p)
