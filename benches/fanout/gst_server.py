#!/usr/bin/python3
"""gst_server.py - the reference server of the fan-out benchmark: gst-rtsp-server (through
GObject introspection, so run it with a Python that has `gi`, e.g. Debian's /usr/bin/python3)
serving ONE shared live H.264 stream of about 300 kbit/s at rtsp://BIND:PORT/h264.

    /usr/bin/python3 gst_server.py --port 8554 [--bind 127.0.0.1] [--duration 600]

The pipeline is the one the issue's reference measurement used:
    videotestsrc is-live=true ! 320x240 I420 15 fps ! x264enc tune=zerolatency
    speed-preset=ultrafast bitrate=300 key-int-max=15 ! rtph264pay config-interval=-1
with `set_shared(True)` (one pipeline and one packetization for all players) and TCP only.
It logs nothing per client (the log would cost CPU at 2000 players). Prints `READY` once
listening; exits after --duration seconds or on SIGTERM/SIGINT.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

LAUNCH = ("( videotestsrc is-live=true pattern=smpte ! "
          "video/x-raw,format=I420,width=320,height=240,framerate=15/1 ! "
          "x264enc tune=zerolatency speed-preset=ultrafast bitrate=300 key-int-max=15 ! "
          "video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 )")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8554)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--duration", type=float, default=600.0)
    a = ap.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.bind)
    server.set_service(str(a.port))
    # the default backlog (5) refuses connections when players arrive by the hundred
    server.set_backlog(1024)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(LAUNCH)
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    server.get_mount_points().add_factory("/h264", factory)
    if server.attach(None) == 0:
        print("ERROR: cannot bind %s:%d" % (a.bind, a.port), flush=True)
        return 2
    loop = GLib.MainLoop()

    def cleanup():
        server.get_session_pool().cleanup()
        return True

    def stop(*_):
        loop.quit()
        return False

    GLib.timeout_add_seconds(2, cleanup)
    GLib.timeout_add(int(a.duration * 1000), stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    print("READY gst-rtsp-server %s rtsp://%s:%d/h264" % (Gst.version_string(), a.bind, a.port),
          flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
