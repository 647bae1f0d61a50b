"""The writer beside bench/load.py's "just changed" runs: posts one entry for the demo learner (in
unit CZJ01 and the county, so their personal page and both roll-ups change) every INTERVAL seconds
through the one writer, for DURATION seconds; prints how many it posted. With FLAG, it posts only
while the file FLAG exists (bench/load.py switches it on for the just-changed passes of each round).

    python bench/_writer.py INTERVAL DURATION [FLAG]
"""

import datetime as dt
import os
import signal
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")

import django

django.setup()

from xuefen.accounts.models import User  # noqa: E402
from xuefen.ledger.actions import post_entry  # noqa: E402


def main() -> None:
    interval, duration = float(sys.argv[1]), float(sys.argv[2])
    flag = sys.argv[3] if len(sys.argv) > 3 else None
    office = User.objects.get(username="office")
    learner = User.objects.select_related("person").get(username="learner").person
    assert learner is not None
    stop = time.monotonic() + duration
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped early: still says how many
    try:
        _loop(office, learner, interval, stop, flag, counter := [0])
    finally:
        print(counter[0], flush=True)


def _loop(office, learner, interval, stop, flag, counter) -> None:  # type: ignore[no-untyped-def]
    while time.monotonic() < stop:
        began = time.monotonic()
        if flag is not None and not os.path.exists(flag):
            time.sleep(0.1)
            continue
        post_entry(
            office, learner, last_day=dt.date.today(), categories=["required", "offline"],
            amount=1, unit="hours", source_type="bench", source_id=f"{time.time_ns()}",
            description="压力测试",
        )  # fmt: skip
        counter[0] += 1
        time.sleep(max(0.0, interval - (time.monotonic() - began)))


if __name__ == "__main__":
    main()
