"""Where a profiled training step spends its time, by kind of operation.

Reads the folder `profile_encoder.py --trace` wrote and prints the total
time of each kind of operation (names without their numeric suffix, so
`ynn_fusion.34` and `ynn_fusion.35` add up), largest first, as a share
of all the operations' time. Events that only hold or wait on others
(`SPANS`: Python frames, executors, dispatch) are left out.

- JAX writes `*.trace.json.gz`, read directly.
- TensorFlow writes only `*.xplane.pb`; XProf converts it (`pip install
  xprof`, best in a virtual environment of its own, since it pins its
  own protobuf).
- PyTorch's table (`torch_ops.txt`) is printed as it is.

    .venv/bin/python benchmarks/probes/profile_summary.py /tmp/profile/jax
"""

import argparse
import collections
import gzip
import json
import pathlib
import re


def trace_events(folder):
    """The complete ('X') events of the trace in `folder`."""
    traces = sorted(folder.glob("plugins/profile/*/*.trace.json.gz"))
    if traces:
        with gzip.open(traces[-1]) as file:
            trace = json.load(file)
    else:
        from xprof.convert import raw_to_tool_data

        xspace = sorted(folder.glob("plugins/profile/*/*.xplane.pb"))[-1]
        data, _ = raw_to_tool_data.xspace_to_tool_data(
            [str(xspace)], "trace_viewer", {}
        )
        trace = json.loads(data)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    return [event for event in events if event.get("ph") == "X"]


def kind(name):
    """`ynn_fusion.34` -> `ynn_fusion`; `MatMul:MatMul` -> `MatMul`."""
    return re.sub(r"[._]?\d+$", "", name.split(":")[-1])


# Events that hold others or wait on them, not work of their own: Python
# frames, XLA's thunk executor, TensorFlow's eager dispatch, its function
# call and the thread-pool regions that run inside a kernel.
SPANS = re.compile(
    r"^(\$|ThunkExecutor|Await|Region|Process$|Eager|Run$|TFE_|multi_step|\s*__inference)"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--rows", type=int, default=15)
    args = parser.parse_args(argv)
    table = args.folder / "torch_ops.txt"
    if table.exists():
        print(table.read_text())
        return
    totals = collections.Counter()
    for event in trace_events(args.folder):
        name = event["name"]
        if not (SPANS.match(name) or SPANS.match(kind(name))):
            totals[kind(name)] += event.get("dur", 0)
    everything = sum(totals.values())
    for name, microseconds in totals.most_common(args.rows):
        share = 100 * microseconds / everything
        print(f"{microseconds / 1e3:9.0f} ms {share:5.1f} %  {name}")


if __name__ == "__main__":
    main()
