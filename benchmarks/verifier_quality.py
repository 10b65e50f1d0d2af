"""How often the answer verifier flags a wrong claim — the labelled set and its figures are
built by :mod:`search.evaluation.verifier_quality` (``auskunft eval-answers`` prints them too).

    python benchmarks/verifier_quality.py [--data ../shared/data/eval] [--seed 7]
        [--per-kind 600] [--json out.json] [--show N]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.evaluation.verifier_quality import main

if __name__ == "__main__":
    sys.exit(main())
