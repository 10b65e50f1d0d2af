"""Search side of Auskunft: settings, stores, hybrid retrieval, citations.

Importing this package switches off every network side channel of the libraries we use
(telemetry, analytics pings, model hub look-ups) before any of them is imported: personal
data is processed on local systems only, and no host the admin did not configure is called.
"""

import os as _os

for _name, _value in {
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    _os.environ.setdefault(_name, _value)
