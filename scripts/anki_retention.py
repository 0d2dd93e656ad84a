#!/usr/bin/env python3
"""Anki's own figures for a desired retention, from Anki's library (`pip install anki`), for
recall's `simulate` test:

    python3 scripts/anki_retention.py '{"deck_size": 587, "days": 365, ...}'

The argument is a JSON object: deck_size (new cards), days, new_limit, review_limit,
learning_step_count, relearning_step_count and optionally params (FSRS parameters; empty or
missing: FSRS-6's defaults). In a new, empty collection (so no review log: the simulator's
default answer times and grades), with Anki's load balancer off, new cards outside the review
limit and the review order Anki's simulator leaves to the `fsrs` crate, it prints one JSON
object:

  workload           {"70": [memorized, seconds, answers], ..., "99": [...]}: Anki's
                     "Help me decide" simulation at each desired retention 0.70 to 0.99
  reviewless         cards remembered at the end with no study at all
  help_me_decide     the retention with the most (memorized - reviewless) per second, as the
                     "Help me decide" ratio graph shows it
  compute_optimal_retention
                     Anki's `compute_optimal_retention` for the same request (see
                     src/simulate.rs for why recall does not follow it)
"""
import json
import os
import sys
import tempfile

from anki import scheduler_pb2
from anki.collection import Collection
from anki.config import Config

# DeckConfig.Config.ReviewCardOrder: RELATIVE_OVERDUENESS, which Anki's simulator does not
# implement and leaves to the fsrs crate's default order.
RELATIVE_OVERDUENESS = 12


def main():
    args = json.loads(sys.argv[1])
    with tempfile.TemporaryDirectory() as folder:
        col = Collection(os.path.join(folder, "collection.anki2"))
        try:
            col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
            request = scheduler_pb2.SimulateFsrsReviewRequest(
                params=args.get("params", []),
                desired_retention=0.9,
                deck_size=args["deck_size"],
                days_to_simulate=args["days"],
                new_limit=args["new_limit"],
                review_limit=args["review_limit"],
                max_interval=36500,
                search="deck:current",
                new_cards_ignore_review_limit=True,
                easy_days_percentages=[1.0] * 7,
                review_order=RELATIVE_OVERDUENESS,
                historical_retention=0.9,
                learning_step_count=args["learning_step_count"],
                relearning_step_count=args["relearning_step_count"],
            )
            workload = col._backend.simulate_fsrs_workload(request)
            reviewless = workload.reviewless_end_memorized
            ratio = {
                dr: (workload.memorized[dr] - reviewless) / workload.cost[dr]
                for dr in workload.memorized
                if workload.cost[dr] > 0
            }
            print(
                json.dumps(
                    {
                        "workload": {
                            str(dr): [
                                workload.memorized[dr],
                                workload.cost[dr],
                                workload.review_count[dr],
                            ]
                            for dr in sorted(workload.memorized)
                        },
                        "reviewless": reviewless,
                        "help_me_decide": max(ratio, key=ratio.get) / 100,
                        "compute_optimal_retention": col._backend.compute_optimal_retention(
                            request
                        ),
                    }
                )
            )
        finally:
            col.close()


if __name__ == "__main__":
    main()
