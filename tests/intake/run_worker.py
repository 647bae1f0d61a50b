"""A worker process for the resume test: processes one batch with the real processing code, and
after `--stall-after` chunks stops dead INSIDE the next chunk's transaction (its ledger entries
written, not committed), having touched `--ready` so the test knows when to SIGKILL it.

Run as `python -m tests.intake.run_worker BATCH_ID --chunk N [--stall-after K --ready FILE]`, with
the environment pointing at the test database (see test_resume.py).
"""

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("batch_id", type=int)
    parser.add_argument("--chunk", type=int, required=True)
    parser.add_argument("--stall-after", type=int, default=0)
    parser.add_argument("--ready", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
    import django

    django.setup()
    from xuefen.intake import processing

    if args.stall_after:
        real = processing.bulk.post_entries
        calls = {"n": 0}

        def post_then_stall(*a, **k):
            result = real(*a, **k)
            calls["n"] += 1
            if calls["n"] > args.stall_after:
                open(args.ready, "w").close()
                time.sleep(3600)  # killed here, mid-transaction
            return result

        processing.bulk.post_entries = post_then_stall
    processing.process_batch(args.batch_id, chunk_rows=args.chunk)


if __name__ == "__main__":
    main()
