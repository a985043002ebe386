"""Run every benchmark with bounded settings (``make bench``); each prints a table and writes JSON.

The 1M-profile retrieval run is not part of this: run ``retrieval_bench.py --sizes 10000,100000,1000000``
by hand (about 40 minutes and 20 GB of RAM on 2 cores).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = [
    ["retrieval_bench.py", "--sizes", "10000", "--queries", "100"],
    ["turn_overhead.py"],
    ["webhook_bench.py"],
    ["ossbss_relay_bench.py"],
]


def main() -> int:
    failed = 0
    for script, *args in SCRIPTS:
        path = HERE / script
        if not path.exists():
            print(f"skip {script}: not present")
            continue
        print(f"== {script} {' '.join(args)}", flush=True)
        failed += subprocess.call([sys.executable, str(path), *args]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
