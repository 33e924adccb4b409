"""Generate a labelled speech corpus. Usage: python generate.py [hydra overrides]"""

from synth.cli import main

if __name__ == "__main__":
    main()
