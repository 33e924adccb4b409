"""The test suite: a package, so `tests.conftest` is ours even where a dependency installs a top-level
`tests` (nemo-text-processing does)."""
