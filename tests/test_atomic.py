"""Files rewritten in place appear whole or not at all (`pipeline.atomic.replacing`)."""

from __future__ import annotations

import pytest

from pipeline.atomic import replacing


def test_the_new_file_takes_the_place_of_the_old_one_and_nothing_else_is_left(tmp_path):
    path = tmp_path / "made" / "here" / "book.json"  # folders are made as needed
    for text in ("first", "second"):
        with replacing(path) as tmp:
            assert tmp.parent == path.parent and tmp.name.startswith(".book.json.") and tmp.suffix == ".tmp"
            tmp.write_text(text)
            assert path.read_text() == "first" if text == "second" else not path.exists()  # not before the end
        assert path.read_text() == text
    assert [p.name for p in path.parent.iterdir()] == ["book.json"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_an_error_while_writing_keeps_the_old_file_and_removes_the_temporary_one(tmp_path, error):
    path = tmp_path / "pairs.npz"
    path.write_text("old")
    with pytest.raises(type(error)):
        with replacing(path) as tmp:
            tmp.write_text("half of the n")
            raise error
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["pairs.npz"]


def test_two_writers_of_one_file_get_temporary_files_of_their_own(tmp_path):
    path = tmp_path / "cache.pickle"
    with replacing(path) as one, replacing(path) as two:
        assert one != two
        one.write_text("one")
        two.write_text("two")
    assert path.read_text() == "one"  # the outer block ends last: its file is the one that stays
