"""`speechforge audit CORPUS`: an independent listener for a finished corpus.

Every label of a row is a claim about its audio; this package measures the audio again, with tools
that did not write the label, and says which claims are false beyond a stated tolerance
(tolerances.py holds every threshold and why it is what it is).

    files.py       the file itself: exists, decodes, sample rate, duration, sha256, qc.rms_dbfs
    alignment.py   pocketsphinx forced alignment with scores: the transcript against impostors
    silence.py     digital-silence gaps where the aligner needs speech (MBROLA's missing diphones)
    boundaries.py  engine word times against the aligner's
    prosody.py     pitch, rate and volume factors against a neutral re-render of the same text
    snr.py         the delivered file's SNR, re-estimated by least squares from the clean pair
    reverb.py      RT60 of the applied RIR (from its bank), against the label and the configured range
    rows.py        one row through every check that applies to it
    report.py      tables per engine, voice and device; the failing rows; group verdicts
    command.py     the command line
"""
