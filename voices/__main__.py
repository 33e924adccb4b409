"""``python -m voices``: the voice listing (voices/listing.py), run by synth with its engines'
availability check. An entry point, which nothing imports: the one module of this package that
may import the layer above it (tests/test_layers.py holds both rules).
"""

import sys

from synth.voice_selection import voices_command

if __name__ == "__main__":
    sys.exit(voices_command())
