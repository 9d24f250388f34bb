"""A load check of the served classifier: 200 requests from 8 concurrent clients.

No request fails, resident memory stays flat after a warm-up (it grew by
1.6 GB while the attention map compiled once per text length), and the
median and 99th-percentile latencies are printed (docs/serving.md, "Try a model
in the browser", quotes them).
"""

import concurrent.futures
import json
import resource
import time

import httpx
import numpy as np
import pytest

from keras_seq.cli.serve import build_app
from tests.serving.server import running

REQUESTS = 200
CLIENTS = 8


def _resident_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_two_hundred_requests_from_eight_clients(tmp_path):
    app = build_app("rotten_tomatoes")
    rng = np.random.default_rng(0)
    words = "a gripping funny moving dull flat long film story acting plot".split()
    texts = [" ".join(rng.choice(words, rng.integers(1, 40))) for _ in range(REQUESTS)]

    def ask(client, text):
        start = time.perf_counter()
        response = client.post("/api/classify", json={"text": text})
        return response.status_code, time.perf_counter() - start

    with running(app) as url:
        with httpx.Client(base_url=url, timeout=120) as client:
            # Warm-up: one text per length bucket (8, 16, 32, 64 tokens), not
            # per length, so a compilation per length would show as growth.
            for count in (4, 12, 24, 39):
                assert ask(client, " ".join(words[:1] * count))[0] == 200
        before = _resident_mb()
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            clients = [httpx.Client(base_url=url, timeout=120) for _ in range(CLIENTS)]
            futures = [
                pool.submit(ask, clients[i % CLIENTS], text)
                for i, text in enumerate(texts)
            ]
            results = [future.result(timeout=600) for future in futures]
            for client in clients:
                client.close()
        after = _resident_mb()
    statuses = [status for status, _ in results]
    latencies = np.array([seconds for _, seconds in results])
    summary = {
        "requests": REQUESTS,
        "clients": CLIENTS,
        "median_ms": round(1000 * float(np.median(latencies)), 1),
        "p99_ms": round(1000 * float(np.percentile(latencies, 99)), 1),
        "rss_mb_before": round(before, 1),
        "rss_mb_after": round(after, 1),
    }
    summary["failed"] = sum(status != 200 for status in statuses)
    (tmp_path / "load.json").write_text(json.dumps(summary))
    print("load check:", json.dumps(summary))
    assert statuses == [200] * REQUESTS
    assert after < before * 1.10, (before, after)
