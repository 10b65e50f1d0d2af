"""Answers measured end to end — the same as ``auskunft eval-answers`` (see
:mod:`search.evaluation.answers` and benchmarks/README.md):

    python benchmarks/eval_answers.py ../shared/data/eval/karlsruhe_anfragen \
        --mode keyword --questions 300 --report-dir benchmarks/results
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui.cli import cli

if __name__ == "__main__":
    sys.exit(cli(["eval-answers", *sys.argv[1:]], prog_name="eval_answers.py"))
