#!/usr/bin/python3
"""GStreamer as an RTSP player for the interop tests.

    gst_play.py [--gst-* options] URL BUFFERS [RTSPSRC-PROPERTY=VALUE ...]

Plays URL with rtspsrc (latency 100 ms, then the given properties, set the way
gst-launch-1.0 sets them). rtspsrc's video pad goes to `queue ! decodebin`, whose raw
video goes to a fakesink that ends after BUFFERS buffers; the same for audio. Exits 0 once
both sinks ended (the pipeline posted EOS; 'Got EOS from element "pipeline0".' is
printed), 1 on an error, a stream of the wrong kind or a stream that does not decode (the
caller's deadline covers a stream that never comes).

Why not gst-launch-1.0 with `src. ! application/x-rtp,media=video ! ...` branches: its
delayed linking sometimes left one of rtspsrc's two pads unlinked ("Delayed linking
failed ... queue1") when the pads came from two streaming threads at once, and the
player hung until the deadline (seen with GStreamer 1.22, TCP and multicast). Here each
pad is linked by the `media` field of its caps, under a lock.
"""

import sys
import threading

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    args = Gst.init(sys.argv)
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, buffers, props = args[1], int(args[2]), args[3:]

    pipeline = Gst.Pipeline.new("pipeline0")
    src = Gst.ElementFactory.make("rtspsrc", "src")
    src.set_property("location", url)
    src.set_property("latency", 100)
    for prop in props:
        key, value = prop.split("=", 1)
        Gst.util_set_object_arg(src, key, value)
    pipeline.add(src)

    # One sink per kind, in the pipeline from the start: the pipeline's EOS then waits for
    # both, whichever stream starts first.
    sinks = {}
    for kind in ("video", "audio"):
        sink = Gst.ElementFactory.make("fakesink", f"{kind}sink")
        sink.set_property("sync", False)
        sink.set_property("num-buffers", buffers)
        pipeline.add(sink)
        sinks[kind] = sink

    loop = GLib.MainLoop()
    lock = threading.Lock()
    taken = set()
    result = {"code": 1}

    def fail(message):
        print(f"ERROR: {message}", flush=True)
        result["code"] = 1
        GLib.idle_add(loop.quit)

    def on_decoded_pad(_decodebin, pad, kind):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name() if caps and caps.get_size() else "?"
        print(f"{kind}: decoded to {name}", flush=True)
        if not name.startswith(f"{kind}/x-raw"):
            fail(f"the {kind} stream decoded to {name}")
            return
        if pad.link(sinks[kind].get_static_pad("sink")) != Gst.PadLinkReturn.OK:
            fail(f"cannot link the decoded {kind} stream")

    def on_rtp_pad(_src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        structure = caps.get_structure(0) if caps and caps.get_size() else None
        kind = structure.get_string("media") if structure else None
        print(f"rtspsrc pad {pad.get_name()}: {caps.to_string() if caps else None}", flush=True)
        with lock:
            if kind not in sinks or kind in taken:
                print(f"rtspsrc pad {pad.get_name()} ({kind}) not used", flush=True)
                return
            taken.add(kind)
        queue = Gst.ElementFactory.make("queue", f"{kind}queue")
        decodebin = Gst.ElementFactory.make("decodebin", f"{kind}decodebin")
        decodebin.connect("pad-added", on_decoded_pad, kind)
        pipeline.add(queue)
        pipeline.add(decodebin)
        queue.link(decodebin)
        decodebin.sync_state_with_parent()
        queue.sync_state_with_parent()
        if pad.link(queue.get_static_pad("sink")) != Gst.PadLinkReturn.OK:
            fail(f"cannot link rtspsrc's {kind} pad")

    src.connect("pad-added", on_rtp_pad)

    def on_message(_bus, message):
        if message.type == Gst.MessageType.EOS:
            print('Got EOS from element "pipeline0".', flush=True)
            result["code"] = 0
            loop.quit()
        elif message.type == Gst.MessageType.ERROR:
            err, debug = message.parse_error()
            print(f"ERROR: from element {message.src.get_path_string()}: {err.message}", flush=True)
            print(f"Additional debug info:\n{debug}", flush=True)
            result["code"] = 1
            loop.quit()
        elif message.type == Gst.MessageType.WARNING:
            warn, debug = message.parse_warning()
            print(f"WARNING: from element {message.src.get_path_string()}: {warn.message}", flush=True)
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    print("Setting pipeline to PLAYING ...", flush=True)
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        print("ERROR: pipeline doesn't want to play", flush=True)
        return 1
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    return result["code"]


if __name__ == "__main__":
    sys.exit(main())
