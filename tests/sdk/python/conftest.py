"""Makes the harness importable for both pytest directories."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# The SDK would rewrite hostnames for a region or edge; never here.
for var in ("TWILIO_REGION", "TWILIO_EDGE"):
    os.environ.pop(var, None)
