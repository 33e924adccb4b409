import sys

from synth.exporters import main

sys.exit(main())
