"""The writer beside bench/load.py's "just changed" runs: posts one entry for the demo learner (in
unit CZJ01 and the county, so their personal page and both roll-ups change) every INTERVAL seconds
through the one writer, for DURATION seconds; prints how many it posted.

    python bench/_writer.py INTERVAL DURATION
"""

import datetime as dt
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")

import django

django.setup()

from xuefen.accounts.models import User  # noqa: E402
from xuefen.ledger.actions import post_entry  # noqa: E402


def main() -> None:
    interval, duration = float(sys.argv[1]), float(sys.argv[2])
    office = User.objects.get(username="office")
    learner = User.objects.select_related("person").get(username="learner").person
    assert learner is not None
    stop = time.monotonic() + duration
    posted = 0
    while time.monotonic() < stop:
        began = time.monotonic()
        post_entry(
            office, learner, last_day=dt.date.today(), categories=["required", "offline"],
            amount=1, unit="hours", source_type="bench", source_id=f"{time.time_ns()}",
            description="压力测试",
        )  # fmt: skip
        posted += 1
        time.sleep(max(0.0, interval - (time.monotonic() - began)))
    print(posted)


if __name__ == "__main__":
    main()
