"""The cyclic garbage collector is paused while a part is indexed and validated and while an
export is converted (each chunk of a stream), and on again everywhere else."""

from __future__ import annotations

import gc

import pytest

import ssevalidate
from ssevalidate.engines.fast import parts
from ssevalidate.gcpause import each_item_paused, gc_paused
from ssevalidate.importers import convert
from ssevalidate.importers.conversion import TableReader
from ssevalidate.importers.streaming import stream_table


def test_the_collector_is_paused_for_the_block_and_restored_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the outer pause decides
            pass
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_each_item_is_produced_paused_and_consumed_with_the_collector_on():
    seen = []

    @each_item_paused
    def produce():
        for n in range(3):
            seen.append(("producing", gc.isenabled()))
            yield n

    for _ in produce():
        seen.append(("consuming", gc.isenabled()))
    assert seen == [("producing", False), ("consuming", True)] * 3
    assert gc.isenabled()


def test_conversions_and_the_engine_run_paused(tmp_path, monkeypatch):
    states = []
    add_row = TableReader.add_row
    monkeypatch.setattr(
        TableReader,
        "add_row",
        lambda self, *args: states.append(("row", gc.isenabled())) or add_row(self, *args),
    )
    evaluate = parts._evaluate
    monkeypatch.setattr(
        parts,
        "_evaluate",
        lambda *args, **kwargs: (
            states.append(("part", gc.isenabled())) or evaluate(*args, **kwargs)
        ),
    )
    table = tmp_path / "export.csv"
    table.write_text("Identifier,Name\n1,Bakery\n2,Bikes\n", encoding="utf-8")

    convert(table.read_bytes(), name=str(table))
    for _ in stream_table(table):
        states.append(("between chunks", gc.isenabled()))
    ssevalidate.validate(str(table))

    assert ("row", True) not in states and ("part", True) not in states
    assert ("between chunks", True) in states and ("part", False) in states
    assert gc.isenabled()
