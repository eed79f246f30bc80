"""File sets: folders, zips (path or bytes) read in place with caps, fsspec URLs."""

from __future__ import annotations

import io
import pickle
import struct
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from maskapp.batch.files import FileSet, FolderFiles, ZipFiles, ZipLimits, open_files
from maskapp.errors import MaskError


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip of ``members`` (name → bytes), names written exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def write_tree(root: Path, members: dict[str, bytes]) -> Path:
    for name, data in members.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def assert_sentence(err: pytest.ExceptionInfo[MaskError], *fragments: str) -> None:
    """One line that names what it is about and says what to do."""
    message = str(err.value)
    assert "\n" not in message and message.endswith("."), message
    assert len(message) <= 500, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert ";" in message, f"no remedy after the problem: {message}"


TREE = {"b.png": b"B", "a.png": b"A", "sub/c.png": b"C", "sub/deeper/d.npy": b"D"}


# ---------------------------------------------------------------- folders


def test_a_folder_lists_every_file_sorted_recursive_posix_and_reads_them(tmp_path):
    files = open_files(write_tree(tmp_path / "gt", TREE))
    assert isinstance(files, FileSet) and isinstance(files, FolderFiles)
    assert files.members() == ["a.png", "b.png", "sub/c.png", "sub/deeper/d.npy"]
    assert files.read("sub/deeper/d.npy") == b"D"
    assert files.label == str(tmp_path / "gt") + "/"


def test_a_folder_label_is_what_was_given_ending_in_a_slash(tmp_path, monkeypatch):
    write_tree(tmp_path / "gt", TREE)
    monkeypatch.chdir(tmp_path)
    assert open_files("gt").label == "gt/"
    assert open_files("gt/").label == "gt/"
    assert open_files("gt", label="ground truth").label == "ground truth/"


def test_a_folder_file_over_the_cap_is_refused_from_its_size(tmp_path):
    files = open_files(
        write_tree(tmp_path / "gt", {"big.png": bytes(5000), "ok.png": b"1"}),
        label="gt/",
        limits=ZipLimits(max_member_bytes=4096),
    )
    assert files.read("ok.png") == b"1"
    with pytest.raises(MaskError) as err:
        files.read("big.png")
    assert_sentence(err, "gt/", "'big.png'", "5000 bytes", "4096 bytes")


def test_a_folder_with_more_files_than_the_cap_is_refused(tmp_path):
    files = open_files(write_tree(tmp_path / "gt", TREE), label="gt/", limits=ZipLimits(3))
    with pytest.raises(MaskError) as err:
        files.members()
    assert_sentence(err, "gt/", "more than 3 files")


def test_a_symlink_loop_in_a_folder_is_listed_once(tmp_path):
    root = write_tree(tmp_path / "gt", {"a/x.png": b"X"})
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    assert open_files(root).members() == ["a/x.png"]


@pytest.mark.parametrize("member", ["../secret.png", "/etc/passwd", "a/../../b.png", ""])
def test_reading_outside_the_set_is_a_programming_error(tmp_path, member):
    files = open_files(write_tree(tmp_path / "gt", TREE))
    with pytest.raises(ValueError, match="relative path inside") as err:
        files.read(member)
    assert not isinstance(err.value, MaskError)


def test_a_missing_location_is_one_sentence(tmp_path):
    with pytest.raises(MaskError) as err:
        open_files(tmp_path / "nowhere")
    assert_sentence(err, "nowhere", "check the path")


# ---------------------------------------------------------------- zips


def test_a_zip_path_lists_files_not_folders_and_reads_in_place(tmp_path):
    path = tmp_path / "refs.zip"
    path.write_bytes(zipped({"gt/": b"", "gt/b.png": b"B", "gt/a.png": b"A", "./c.png": b"C"}))
    files = open_files(path)
    assert isinstance(files, ZipFiles) and files.label == str(path)
    assert files.members() == ["c.png", "gt/a.png", "gt/b.png"]
    assert files.read("gt/a.png") == b"A" and files.read("c.png") == b"C"
    assert list(tmp_path.iterdir()) == [path]  # nothing extracted


def test_zip_bytes_are_named_by_the_label_the_app_passes():
    data = zipped({"a.png": b"A"})
    assert open_files(data).label == "the uploaded zip"
    files = open_files(data, label="refs.zip (upload)")
    assert files.label == "refs.zip (upload)" and files.read("a.png") == b"A"
    with pytest.raises(MaskError) as err:
        open_files(b"not a zip at all", label="refs.zip (upload)")
    assert_sentence(err, "refs.zip (upload) is not a zip archive")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "mask.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(MaskError) as err:
        open_files(path, label="mask.png")
    assert_sentence(err, "mask.png is not a zip archive", "folder")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../etc/passwd", "'../etc/passwd' that points outside the zip"),
        ("masks/../../x.png", "points outside the zip"),
        ("..\\evil.png", "points outside the zip"),
        ("/etc/passwd", "absolute path '/etc/passwd'"),
        ("C:/Windows/x.png", "absolute path 'C:/Windows/x.png'"),
        ("\\\\server\\x.png", "absolute path"),
    ],
)
def test_zip_members_pointing_outside_are_refused_naming_zip_and_member(name, fragment):
    with pytest.raises(MaskError) as err:
        open_files(zipped({"a.png": b"A", name: b"x"}), label="refs.zip")
    assert_sentence(err, "refs.zip holds a member", fragment, "zip the folder again")


def test_an_encrypted_member_is_refused():
    data = bytearray(zipped({"a.png": b"A"}))
    # Set the "encrypted" flag in the central directory (where zipfile reads it).
    at = data.rindex(b"PK\x01\x02") + 8
    data[at : at + 2] = struct.pack("<H", struct.unpack("<H", data[at : at + 2])[0] | 1)
    with pytest.raises(MaskError) as err:
        open_files(bytes(data), label="refs.zip")
    assert_sentence(err, "refs.zip", "'a.png'", "password")


def test_a_zip_with_more_members_than_the_cap_is_refused():
    data = zipped({f"{i}.png": b"" for i in range(4)})
    assert len(open_files(data, limits=ZipLimits(max_members=4)).members()) == 4
    with pytest.raises(MaskError) as err:
        open_files(data, label="refs.zip", limits=ZipLimits(max_members=3))
    assert_sentence(err, "refs.zip holds 4 members", "more than the 3")


def test_a_zip_declaring_more_in_total_than_the_cap_is_refused():
    data = zipped({"a.png": bytes(3000), "b.png": bytes(3000)})
    with pytest.raises(MaskError) as err:
        open_files(data, label="refs.zip", limits=ZipLimits(max_total_bytes=5000))
    assert_sentence(err, "refs.zip declares 6000 bytes uncompressed", "5000 bytes")


def bomb_zip(path: Path, megabytes: int = 200) -> Path:
    """``megabytes`` of zeros deflated, streamed in 1 MB chunks (under 1 MB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("case1.png", b"small")
        with archive.open("case2.png", "w") as member:
            chunk = bytes(2**20)
            for _ in range(megabytes):
                member.write(chunk)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return bomb_zip(tmp_path_factory.mktemp("bomb") / "bomb.zip")


def test_a_zip_bomb_is_refused_from_its_declared_size_without_inflating(bomb):
    assert bomb.stat().st_size < 2 * 2**20
    started = time.perf_counter()
    with pytest.raises(MaskError) as err:
        open_files(bomb, label="preds.zip", limits=ZipLimits(max_member_bytes=2**20))
    assert time.perf_counter() - started < 0.5
    assert_sentence(err, "preds.zip holds 'case2.png'", "200 MB", "1.0 MB")


def test_a_zip_bomb_under_a_lying_header_is_refused_after_reading_at_most_the_cap(bomb, tmp_path):
    # The central directory claims the 200 MB member is 1000 bytes.
    data = bytearray(bomb.read_bytes())
    at = data.rindex(b"PK\x01\x02")  # case2.png's central directory entry (the last one)
    assert struct.unpack("<I", data[at + 24 : at + 28])[0] == 200 * 2**20
    data[at + 24 : at + 28] = struct.pack("<I", 1000)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(data)
    files = open_files(liar, label="preds.zip", limits=ZipLimits(max_member_bytes=2**20))
    assert files.read("case1.png") == b"small"
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(MaskError) as err:
            files.read("case2.png")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MB held while refusing"
    assert_sentence(err, "preds.zip holds 'case2.png'", "damaged")


def test_a_member_over_the_per_member_cap_is_refused_when_declared():
    data = zipped({"a.png": bytes(5000), "b.png": b"1"})
    with pytest.raises(MaskError) as err:
        open_files(data, label="refs.zip", limits=ZipLimits(max_member_bytes=4096))
    assert_sentence(err, "refs.zip holds 'a.png'", "5000 bytes", "4096 bytes")


def test_a_damaged_member_is_one_sentence():
    data = bytearray(zipped({"a.png": b"A" * 1000}))
    at = data.index(b"PK\x03\x04") + 30 + len("a.png")
    data[at : at + 8] = b"\xff" * 8  # garbage where the deflate stream starts
    files = open_files(bytes(data), label="refs.zip")
    with pytest.raises(MaskError) as err:
        files.read("a.png")
    assert_sentence(err, "refs.zip holds 'a.png', which is damaged")


# ---------------------------------------------------------------- subfolders


def test_a_subfolder_lists_paths_relative_to_it_and_is_labelled(tmp_path):
    data = zipped({"both/gt/a.png": b"A", "both/pred/a.png": b"P", "both/gt/s/b.png": b"B"})
    files = open_files(data, label="both.zip", subfolder="both/gt/")
    assert files.members() == ["a.png", "s/b.png"]
    assert files.read("a.png") == b"A" and files.label == "both.zip/both/gt/"
    folder = open_files(write_tree(tmp_path / "data", TREE), label="data", subfolder="sub")
    assert folder.members() == ["c.png", "deeper/d.npy"] and folder.read("c.png") == b"C"
    assert folder.label == "data/sub/"
    with pytest.raises(MaskError) as err:
        open_files(data, label="both.zip", subfolder="GT")
    assert_sentence(err, "both.zip has no folder named 'GT'")


# ---------------------------------------------------------------- pickling


def test_folder_and_zip_paths_pickle_as_their_location_and_read_after(tmp_path, bomb):
    folder = open_files(write_tree(tmp_path / "gt", TREE), subfolder="sub")
    zip_path = open_files(bomb)
    assert zip_path.read("case1.png") == b"small"  # opened in this process
    for files in (folder, zip_path):
        blob = pickle.dumps(files)
        assert len(blob) < 1000, len(blob)  # no listing, no open archive, no bytes
        again = pickle.loads(blob)
        assert again == files and again.label == files.label
        assert again.members() == files.members()
    assert pickle.loads(pickle.dumps(folder)).read("deeper/d.npy") == b"D"
    assert pickle.loads(pickle.dumps(zip_path)).read("case1.png") == b"small"


def test_zip_bytes_pickle_their_bytes():
    data = zipped({"a.png": b"A" * 5000})
    files = open_files(data, label="refs.zip (upload)")
    again = pickle.loads(pickle.dumps(files))
    assert again.read("a.png") == b"A" * 5000 and again.label == "refs.zip (upload)"
    assert len(pickle.dumps(files)) >= len(data)


def test_a_zip_is_reopened_in_another_process(bomb):
    # A forked worker inherits the parent's ZipFile and its shared file offset.
    files = open_files(bomb)
    files.read("case1.png")
    pid, archive, _ = files.__dict__["_opened"]
    files.__dict__["_opened"] = (pid + 1, archive, _)  # as a child process sees it
    assert files.read("case1.png") == b"small"
    assert files.__dict__["_opened"][1] is not archive


# ---------------------------------------------------------------- URLs and options


def test_a_url_without_fsspec_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fsspec raises ImportError
    with pytest.raises(MaskError) as err:
        open_files("s3://bucket/gt/")
    assert_sentence(err, "'s3://bucket/gt/'", "fsspec", "maskapp[dask]")


def test_a_url_folder_and_a_url_zip_read_through_fsspec():
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    for name, data in TREE.items():
        memory.pipe(f"/maskapp-test/gt/{name}", data)
    memory.pipe("/maskapp-test/preds.zip", zipped({"a.png": b"Z"}))
    try:
        files = open_files("memory://maskapp-test/gt")
        assert files.label == "memory://maskapp-test/gt/"
        assert files.members() == sorted(TREE)
        assert files.read("sub/c.png") == b"C"
        assert pickle.loads(pickle.dumps(files)).read("a.png") == b"A"
        small = open_files("memory://maskapp-test/gt", limits=ZipLimits(max_member_bytes=1))
        assert small.read("a.png") == b"A"
        zipped_url = open_files("memory://maskapp-test/preds.zip")
        assert zipped_url.members() == ["a.png"] and zipped_url.read("a.png") == b"Z"
    finally:
        memory.rm("/maskapp-test", recursive=True)


@pytest.mark.parametrize(
    "limits", [dict(max_members=0), dict(max_total_bytes=-1), dict(max_member_bytes=1.5)]
)
def test_limits_must_be_positive_integers(limits):
    with pytest.raises(ValueError, match="positive int"):
        ZipLimits(**limits)
