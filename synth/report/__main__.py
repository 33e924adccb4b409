import sys

from synth.report import main

sys.exit(main())
