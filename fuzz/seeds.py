#!/usr/bin/env python3
"""Regenerates the committed seed corpora in fuzz/corpus/ (see fuzz/README.md).

Usage: python3 fuzz/seeds.py /path/to/shared/corpus

Only files named `seed-*` are written (and old `seed-*` files removed first); inputs the
fuzzer found and regression inputs (named after what they broke) are left alone.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

# Real messages: (session directory, message file) from messages/.
MESSAGES = [
    ("ffmpeg_tcp__gst_secure_digest", "0001_c2s_OPTIONS_cseq1.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0002_s2c_resp-200_cseq1.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0004_s2c_resp-401_cseq2.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0005_c2s_DESCRIBE_cseq3.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0006_s2c_resp-200_cseq3.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0007_c2s_SETUP_cseq4.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0008_s2c_resp-200_cseq4.rtsp"),
    ("ffmpeg_tcp__gst_secure_digest", "0010_s2c_resp-200_cseq5.rtsp"),
    ("ffmpeg_tcp__gst_secure_basic", "0005_c2s_DESCRIBE_cseq3.rtsp"),
    ("ffmpegpub_tcp__ffmpeg_listen", "0003_c2s_ANNOUNCE_cseq2.rtsp"),
    ("ffmpegpub_tcp__ffmpeg_listen", "0006_s2c_resp-200_cseq3.rtsp"),
    ("ffmpegpub_tcp__ffmpeg_listen", "0012_s2c_resp-501_cseqx.rtsp"),
    ("gst2_tcp__gst_av", "0005_c2s_SETUP_cseq3.rtsp"),
    ("gst2_tcp__gst_av", "0010_s2c_resp-200_cseq5.rtsp"),
    ("gst_tcp__gst_av", "0009_c2s_PLAY_cseq5.rtsp"),
    ("gst_tcp__gst_av", "0011_c2s_PAUSE_cseq6.rtsp"),
]

# Real camera/server messages (cameras/*.txt), small ones.
CAMERAS = [
    "dahua_options.txt",
    "dahua_describe_h264_aac_onvif.txt",
    "hikvision_play.txt",
    "hikvision_setup.txt",
    "reolink_teardown.txt",
    "reolink_play.txt",
    "luckfox_rkipc_setup_tcp.txt",
    "h264dvr_setup_video.txt",
    "gw_main_play.txt",
    "foscam_describe.txt",
    "wowza_request.txt",
    "wowza_response.txt",
    "bunny_play.txt",
]

# Short slices of whole TCP streams (RTSP text and `$` frames): (session, file, start, len).
SLICES = [
    ("ffmpeg_tcp__gst_pcmu", "tcp/conn1_s2c.bin", 0, 3000),
    ("ffmpeg_tcp__gst_pcmu", "tcp/conn1_c2s.bin", 0, 4000),
    ("ffmpeg_tcp__gst_h264", "tcp/conn1_s2c.bin", 1200, 3000),
    ("gst_tcp__gst_av", "tcp/conn1_c2s.bin", 0, 4000),
    ("gst2_tcp__gst_av", "tcp/conn1_s2c.bin", 0, 4000),
    ("ffmpegpub_tcp__gst_record", "tcp/conn1_c2s.bin", 1500, 2500),
    ("cameras", "bunny_session.rtsp", 0, 3000),
]

# Hand-made nasty inputs.
NASTY = {
    "huge-content-length": b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 99999999999999999\r\n\r\nx",
    "content-length-u64-max": b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 18446744073709551615\r\n\r\n",
    "content-length-over-limit": b"ANNOUNCE * RTSP/1.0\r\nContent-Length: 262145\r\n\r\nv=0\r\n",
    "content-length-conflict": b"RTSP/1.0 200 OK\r\nContent-Length: 4\r\ncontent-length: 5\r\n\r\nabcde",
    "content-length-negative": b"RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",
    "content-length-truncated-body": b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 40\r\n\r\nv=0\r\no=- 0 0 IN IP4",
    "nul-in-header": b"OPTIONS * RTSP/1.0\r\nCSeq: 1\x002\r\n\r\n",
    "nul-in-uri": b"OPTIONS rtsp://a/\x00b RTSP/1.0\r\nCSeq: 1\r\n\r\n",
    "nul-in-reason": b"RTSP/1.0 200 O\x00K\r\nCSeq: 1\r\n\r\n",
    "folded-lines": b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS,\r\n DESCRIBE,\r\n\tSETUP\r\nX-Empty:\r\n  cont\r\n\r\n",
    "fold-first-line": b"RTSP/1.0 200 OK\r\n folded\r\nCSeq: 1\r\n\r\n",
    "lone-dollar": b"$",
    "dollar-short-header": b"$\x00\x00",
    "dollar-zero-length": b"$\x01\x00\x00$\x00\x00\x02hi",
    "dollar-max-length": b"$\x00\xff\xff\x80\x60",
    "dollar-then-message": b"\r\n$\x00\x00\x04\x80\x60\x00\x01RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n",
    "bare-lf": b"OPTIONS * RTSP/1.0\nCSeq: 1\n\nRTSP/1.0 200 OK\nCSeq: 1\n\n",
    "mixed-line-ends": b"RTSP/1.0 200 OK\r\nCSeq: 1\n\r\nOPTIONS * RTSP/1.0\nCSeq: 2\r\n\n",
    "trailing-whitespace": b"RTSP/1.0 200 OK \r\nCSeq: 2 \r\nSession : 1234 \t\r\n\r\n",
    "no-reason": b"RTSP/1.0 200\r\nCSeq: 1\r\n\r\n",
    "rtsp-3": b"RTSP/3.0 200 OK\r\nCSeq: 1\r\n\r\nOPTIONS * RTSP/3.0\r\n\r\n",
    "http-request": b"GET / HTTP/1.1\r\nHost: x\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
    "garbage-then-message": b"\x00\xff\x80garbage\r\nmore garbage\nDESCRIBE rtsp://h/ RTSP/1.0\r\nCSeq: 2\r\n\r\n",
    "long-start-line": b"OPTIONS rtsp://" + b"a" * 5000 + b" RTSP/1.0\r\n\r\n",
    "too-many-headers": b"OPTIONS * RTSP/1.0\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(70)) + b"\r\n",
    "head-too-large": b"OPTIONS * RTSP/1.0\r\nX-Big: " + b"b" * 17000 + b"\r\n\r\n",
    "non-utf8-value": b"RTSP/1.0 200 OK\r\nServer: \xff\xfe\r\n\r\n",
    "utf8-uri": "OPTIONS rtsp://h/caf\u00e9 RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode(),
    "only-crlf": b"\r\n\r\n\r\n\n\n",
    "lone-cr": b"\r\rOPTIONS * RTSP/1.0\r\r\n\r\n",
    "status-four-digits": b"RTSP/1.0 2000 OK\r\n\r\n",
    "missing-colon": b"RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n",
    "space-before-colon": b"RTSP/1.0 200 OK\r\nCSeq : 1\r\n\r\n",
    "extension-method": b"X-FOO rtsp://h/ RTSP/2.0\r\nCSeq: 1\r\n\r\n",
    "pipelined": b"SETUP rtsp://h/s=0 RTSP/2.0\r\nCSeq: 3\r\n\r\nSETUP rtsp://h/s=1 RTSP/2.0\r\nCSeq: 4\r\n\r\n",
}

# Header values for the `headers` target: selector byte + value. The selector order is
# the list in checks.rs: 0 CSeq, 1 Content-Length, then (planned, in this order)
# 2 Transport, 3 Session, 4 Range, 5 RTP-Info, 6 WWW-Authenticate, 7 Authorization,
# 8 Public. Until those exist, the selector wraps around onto the types that do.
HEADER_SELECTORS = {
    "cseq": 0,
    "content-length": 1,
    "transport": 2,
    "session": 3,
    "range": 4,
    "rtp-info": 5,
    "www-authenticate": 6,
    "authorization": 7,
    "public": 8,
}
HEADER_NASTY = [
    (0, b""),
    (0, b"4294967295"),
    (0, b"4294967296"),
    (0, b" 007 "),
    (0, b"-1"),
    (1, b"18446744073709551615"),
    (1, b"18446744073709551616"),
    (1, b"+5"),
    (1, b"\xff\xfe5"),
    (2, b"RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=DEADBEEF;mode=\"PLAY\""),
    (2, b"RTP/AVP;multicast;destination=[::1];port=5000-5001;ttl=300,RTP/AVP;unicast"),
    (3, b"abc;timeout=99999999999999999999"),
    (4, b"npt=-"),
    (4, b"clock=19961108T142300Z-19961108T143520.25Z"),
    (5, b'url="rtsp://h/a;b,c";seq=65536;rtptime=4294967296'),
    (6, b'Digest realm="a\\"b", nonce="", algorithm=SHA-256, qop="auth,auth-int", stale=TRUE'),
    (7, b'Digest username="user", realm="r", uri="rtsp://h/", response="00"'),
    (8, b",,OPTIONS,,  ,DESCRIBE,"),
]


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def header_values(msg):
    """(name, value) pairs of a message's header section."""
    head = msg.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.split(b"\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            yield name.strip().lower().decode("ascii", "replace"), value.strip()


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus"
    for target in ("decoder", "split", "headers"):
        d = os.path.join(OUT, target)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.remove(os.path.join(d, f))

    stream_seeds = {}
    for session, f in MESSAGES:
        m = re.match(r"\d+_(c2s|s2c)_(.*)\.rtsp", f)
        stream_seeds["msg-%s-%s" % (session.split("__")[0], m.group(2))] = read(src, session, "messages", f)
    for f in CAMERAS:
        stream_seeds["camera-" + f[: -len(".txt")]] = read(src, "cameras", f)
    for session, f, start, n in SLICES:
        data = read(src, session, f)[start : start + n]
        name = os.path.basename(f).rsplit(".", 1)[0]
        stream_seeds["slice-%s-%s-%d" % (session.split("__")[0], name, start)] = data
    for name, data in NASTY.items():
        stream_seeds["nasty-" + name] = data

    for name, data in stream_seeds.items():
        write("decoder", name, data)
    # split: control byte (see check_split), then the stream. Alternate byte-at-a-time,
    # odd chunk sizes, and small limits.
    controls = [b"\x00", b"\x03\x02\x10\x40", b"\x0b\x00\x06\x20", b"\x09\x04"]
    for i, (name, data) in enumerate(sorted(stream_seeds.items())):
        write("split", name, controls[i % len(controls)] + data)

    # headers: every distinct value of the selected headers in the real messages.
    seen = set()
    for session, f in MESSAGES:
        msg = read(src, session, "messages", f)
        for name, value in header_values(msg):
            if name in HEADER_SELECTORS and (name, value) not in seen:
                seen.add((name, value))
    for f in CAMERAS:
        for name, value in header_values(read(src, "cameras", f)):
            if name in HEADER_SELECTORS and (name, value) not in seen:
                seen.add((name, value))
    counts = {}
    for name, value in sorted(seen):
        counts[name] = counts.get(name, 0) + 1
        write("headers", "%s-%d" % (name, counts[name]), bytes([HEADER_SELECTORS[name]]) + value)
    for i, (sel, value) in enumerate(HEADER_NASTY):
        write("headers", "nasty-%d" % i, bytes([sel]) + value)


if __name__ == "__main__":
    main()
