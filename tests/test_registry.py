"""One registry style (seams.Registry) for engines, augment steps, export formats and executors:
a misspelt name gets a did-you-mean from the real table, and a part registers without editing it."""

import pytest

from augment import AugmentConfigError
from augment.step import STEPS
from seams import Registry
from synth.engines.base import ENGINES, EngineError, create_engine
from synth.executors.base import EXECUTORS, create_executor
from synth.exporters import EXPORTERS, ExportError, check_formats, exporter
from tests.test_augment_support import only, prepare


def test_each_kind_of_part_says_did_you_mean():
    with pytest.raises(EngineError, match=r"unknown engine 'espek'; did you mean 'espeak'\?; known: espeak, mbrola"):
        create_engine("espek")
    with pytest.raises(ValueError, match=r"unknown executor 'jobib'; did you mean 'joblib'\?; known: joblib, dask"):
        create_executor("jobib", 1)
    with pytest.raises(ExportError, match=r"unknown export format 'webdatset'; did you mean 'webdataset'\?"):
        check_formats(["webdatset"])
    with pytest.raises(
        AugmentConfigError, match=r"augment\.steps\.rom: unknown step type 'rom'; did you mean 'room'\?"
    ):
        prepare(only({"rom": {}}))


def test_every_registered_part_resolves_to_what_its_kind_needs():
    for name in ENGINES:  # a module that imports (or not, for a missing backend) with a class in it
        module, _, cls = ENGINES.target(name).partition(":")
        assert module.startswith("synth.engines.") and cls.endswith("Engine")
    for name in EXECUTORS:
        assert callable(EXECUTORS.load(name).map)
    for name in EXPORTERS:
        assert exporter(name).name == name and callable(exporter(name).check)
    for name in STEPS:
        assert callable(STEPS.load(name).prepare)
    assert "probe" not in STEPS  # the test-only step is registered by the tests that use it


def test_a_test_registers_its_own_step(probe_step, tmp_path):
    log = tmp_path / "builds.log"
    prepared = prepare(only({"probe": {"log": str(log)}}))
    assert prepared.specs[0].factory == "tests.augment_probe.BuildProbe"
    assert log.read_text().split()  # built once by the start-up check
    with pytest.raises(ValueError, match="registered already"):
        STEPS.register("probe", "tests.augment_probe:BuildProbe")


def test_entries_must_be_module_colon_attr():
    with pytest.raises(ValueError, match=r"registry entry 'x': 'a\.b\.C' is not 'module:attr'"):
        Registry("thing", {"x": "a.b.C"})
