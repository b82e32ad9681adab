#!/usr/bin/python3
"""A GStreamer RTSP server (gst-rtsp-server through GObject introspection) for the client
interop tests (tests/interop_client.rs).

    python3 gst_rtsp_server.py [--duration SECS] [--user U --password P]

Binds 127.0.0.1 on a free port (service "0") and prints `PORT <n>` once listening, then one
`MOUNT /<name>` line per mount:

    /h264    H.264 (x264enc, in-band SPS/PPS)      /h265   H.265 (x265enc, when installed)
    /aac     AAC mpeg4-generic (avenc_aac)         /pcmu   G.711 mu-law, PT 0
    /mjpeg   JPEG, PT 26                           /av     H.264 + AAC in one session
    /secure  H.264, Digest authentication only (user/password from the arguments)
    /udponly H.264 over UDP only: a TCP SETUP gets 461 Unsupported Transport

Unicast UDP server ports are ephemeral (no address pool), so several servers can run in
parallel. Exits after --duration seconds (default 60), on SIGTERM/SIGINT, or as soon as
the process that started it has gone (its parent id changes), so a test binary that never
drops its server leaves nothing behind.
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

VIDEO = "videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=15/1"
AUDIO = "audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample"


def have(name):
    return Gst.ElementFactory.find(name) is not None


def h264(pay):
    return (f"{VIDEO} ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=300 key-int-max=15 "
            f"! video/x-h264,profile=baseline ! rtph264pay name={pay} pt=96 config-interval=-1")


def aac(pay):
    enc = "avenc_aac" if have("avenc_aac") else "voaacenc" if have("voaacenc") else None
    if enc is None:
        return None
    return (f"{AUDIO} ! audio/x-raw,rate=44100,channels=1 ! {enc} bitrate=64000 ! aacparse "
            f"! rtpmp4gpay name={pay} pt=97")


def launches():
    out = {"h264": h264("pay0"), "secure": h264("pay0"), "udponly": h264("pay0"),
           "pcmu": f"{AUDIO} ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay0 pt=0",
           "mjpeg": ("videotestsrc is-live=true pattern=ball ! "
                     "video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! "
                     "jpegenc quality=50 ! rtpjpegpay name=pay0 pt=26")}
    if have("x265enc"):
        out["h265"] = (f"{VIDEO} ! x265enc tune=zerolatency speed-preset=ultrafast bitrate=300 "
                       "key-int-max=15 ! rtph265pay name=pay0 pt=96 config-interval=-1")
    a = aac("pay0")
    if a is not None:
        out["aac"] = a
        out["av"] = h264("pay0") + "  " + aac("pay1")
    return {k: f"( {v} )" for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="pass")
    args = ap.parse_args()
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")
    mounts = server.get_mount_points()

    auth = GstRtspServer.RTSPAuth()
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    anonymous = GstRtspServer.RTSPToken.new()
    anonymous.set_string("media.factory.role", "anonymous")
    auth.set_default_token(anonymous)
    user = GstRtspServer.RTSPToken.new()
    user.set_string("media.factory.role", "user")
    auth.add_digest(args.user, args.password, user)
    server.set_auth(auth)

    def role(factory, name, construct):
        factory.add_role_from_structure(Gst.Structure.new_from_string(
            f"{name}, media.factory.access=(boolean)true, "
            f"media.factory.construct=(boolean){'true' if construct else 'false'}"))

    names = []
    for name, launch in launches().items():
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(launch)
        f.set_shared(False)
        if name == "udponly":
            f.set_protocols(GstRtsp.RTSPLowerTrans.UDP)
        else:
            f.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
        if name == "secure":
            role(f, "user", True)
            # Anonymous may see the mount but not build it: 401, not 404.
            role(f, "anonymous", False)
        else:
            role(f, "user", True)
            role(f, "anonymous", True)
        mounts.add_factory("/" + name, f)
        names.append(name)

    if server.attach(None) == 0:
        print("ERROR cannot listen", flush=True)
        return 2
    print(f"PORT {server.get_bound_port()}", flush=True)
    for n in names:
        print(f"MOUNT /{n}", flush=True)
    print("READY", flush=True)

    loop = GLib.MainLoop()

    def cleanup():
        server.get_session_pool().cleanup()
        return True

    def stop(*_):
        loop.quit()
        return False

    parent = os.getppid()

    def orphaned():
        if os.getppid() != parent:
            loop.quit()
            return False
        return True

    GLib.timeout_add_seconds(2, cleanup)
    GLib.timeout_add(500, orphaned)
    GLib.timeout_add(int(args.duration * 1000), stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
