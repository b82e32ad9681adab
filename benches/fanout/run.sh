#!/bin/sh
# The fan-out benchmark of issue 6: gst-rtsp-server vs the tokio server example, N TCP players
# on loopback, in the same sitting. Arguments go to fanout.py (see README.md), e.g.
#   benches/fanout/run.sh --clients 500,1000,2000 --repeat 3
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
cargo build --release --example tokio_server
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 "$here/fanout.py" "$@"
