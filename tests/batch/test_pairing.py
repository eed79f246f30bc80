"""Pairing by case name: extensions, suffixes, junk, ambiguity, layouts, CSV pairs."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

from maskapp.batch.files import ZipLimits, open_files
from maskapp.batch.pairing import (
    MASK_EXTENSIONS,
    Case,
    Pairing,
    case_name,
    pair_files,
    pair_locations,
)
from maskapp.errors import MaskError


def zipped(*names: str, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, data or name.encode())
    return buffer.getvalue()


def files(*names: str, label: str = "set.zip"):
    return open_files(zipped(*names), label=label)


def write_tree(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())
    return root


def assert_sentence(err: pytest.ExceptionInfo[MaskError], *fragments: str) -> None:
    message = str(err.value)
    assert "\n" not in message and message.endswith(".") and ";" in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("member", "strip", "name"),
    [
        ("case1.png", (), "case1"),
        ("case1.nii.gz", (), "case1"),
        ("CASE1.NII.GZ", (), "CASE1"),
        ("case1.nii", (), "case1"),
        ("scan.v2.tif", (), "scan.v2"),
        ("sub/case_0001_0000.nii.gz", ("_0000",), "sub/case_0001"),
        ("x_pred.png", ("_pred", "_mask"), "x"),
        ("x_pred_mask.png", ("_mask", "_pred_mask"), "x"),  # the longest match wins
        ("x_mask_pred.png", ("_mask",), "x_mask_pred"),  # only at the end
        ("x_0000_0000.png", ("_0000",), "x_0000"),  # once
        ("_0000.png", ("_0000",), "_0000"),  # never down to nothing
        ("x_0000.png", "_0000", "x"),  # one suffix as a string
        ("notes.txt", (), "notes"),
        ("archive.tar.gz", (), "archive.tar"),  # not a mask: only the last extension
    ],
)
def test_case_name(member, strip, name):
    assert case_name(member, strip_suffix=strip) == name


def test_mask_extensions_cover_the_readers_and_volumes():
    assert {".png", ".npy", ".tif", ".jpeg", ".nii.gz", ".nrrd", ".mha"} <= set(MASK_EXTENSIONS)


# ---------------------------------------------------------------- pair_files


def test_suffixes_strip_on_both_sides_so_names_do_not_depend_on_the_side():
    references = files("a_0000.png", "b.png", "c_mask.nii.gz", label="gt.zip")
    candidates = files("a.png", "b_0000.png", "c_pred.nii.gz", label="preds.zip")
    pairing = pair_files(references, candidates, strip_suffix=["_0000", "_mask", "_pred"])
    assert pairing.matched == ("a", "b", "c")
    assert pairing.cases[0] == Case("a", "a_0000.png", "a.png")
    assert pairing.cases[2] == Case("c", "c_mask.nii.gz", "c_pred.nii.gz")
    assert pair_files(references, candidates).matched == ()


def test_missing_on_either_side_is_stated_before_anything_is_computed():
    references = files("a.png", "b.png", "c.png", label="gt.zip")
    candidates = files("a.png", "x.tif", "y.png", label="preds.zip")
    pairing = pair_files(references, candidates)
    assert [c.name for c in pairing.cases] == ["a", "b", "c"]
    assert pairing.matched == ("a",)
    assert pairing.missing_candidate == ("b", "c")
    assert pairing.cases[1] == Case("b", "b.png", None)
    assert pairing.missing_reference == ("preds.zip/x.tif", "preds.zip/y.png")
    assert pairing.sentence() == (
        "1 pair matched; 2 references have no candidate (b, c); 2 candidates have no "
        "reference (preds.zip/x.tif, preds.zip/y.png)."
    )


def test_two_files_of_one_side_with_one_name_are_ambiguous_not_guessed():
    references = files("a.png", "a.tif", "b.png", "x_0000.png", "x.png", label="gt.zip")
    candidates = files("a.png", "b.png", "b.npy", "x.png", label="preds.zip")
    pairing = pair_files(references, candidates, strip_suffix=["_0000"])
    assert pairing.matched == ()
    assert pairing.ambiguous == ("a", "b", "x")
    problems = {c.name: c.problem for c in pairing.cases}
    assert "gt.zip/a.png, gt.zip/a.tif, preds.zip/a.png" in problems["a"]
    assert "preds.zip/b.npy, preds.zip/b.png" in problems["b"]
    assert "gt.zip/x.png, gt.zip/x_0000.png" in problems["x"]
    assert pairing.missing_candidate == () and pairing.missing_reference == ()
    assert pairing.to_dict()["problems"] == problems
    assert "3 names are ambiguous" in pairing.sentence()


def test_junk_and_non_mask_files_are_ignored_and_listed():
    junk = (
        "__MACOSX/._a.png",
        "__MACOSX/a.png",
        ".DS_Store",
        "sub/.DS_Store",
        "Thumbs.db",
        "DESKTOP.INI",
        ".hidden.png",
        ".git/objects/a.png",
        "notes.txt",
        "a.png.bak",
    )
    references = files("a.png", *junk, label="gt/")
    candidates = files("a.png", "Thumbs.db", label="preds.zip")
    pairing = pair_files(references, candidates)
    assert pairing.matched == ("a",) and [c.name for c in pairing.cases] == ["a"]
    assert pairing.ignored == tuple(sorted([*(f"gt/{j}" for j in junk), "preds.zip/Thumbs.db"]))
    assert pairing.sentence().endswith(
        "; 11 files ignored (gt/.DS_Store, gt/.git/objects/a.png, gt/.hidden.png and 8 more)."
    )


def test_recursion_keeps_folders_in_names_and_can_be_turned_off():
    references = files("top.png", "s1/a.png", "s2/a.png", label="gt.zip")
    candidates = files("top.png", "s1/a.png", "s2/a.png", label="preds.zip")
    deep = pair_files(references, candidates)
    assert deep.matched == ("s1/a", "s2/a", "top")
    flat = pair_files(references, candidates, recursive=False)
    assert flat.matched == ("top",)
    assert flat.ignored == (
        "gt.zip/s1/a.png", "gt.zip/s2/a.png", "preds.zip/s1/a.png", "preds.zip/s2/a.png"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "matched"),
    [
        ("*.png", ("case_1", "case_2", "s/case_3")),  # on the base name
        ("s/*", ("s/case_3",)),  # on the path
        ("CASE_[12]*", ("case_1", "case_2")),  # case-insensitive
        ("*.tif", ()),
    ],
)
def test_the_pattern_filters_both_sides_and_lists_what_it_leaves_out(pattern, matched):
    names = ("case_1.png", "case_2.png", "s/case_3.png", "other.npy")
    pairing = pair_files(files(*names), files(*names), pattern=pattern)
    assert pairing.matched == matched
    assert len(pairing.ignored) == 2 * (len(names) - len(matched))


def test_two_candidate_sets_pair_against_the_same_references():
    references = files("a.png", "b.png", "c.png", label="gt.zip")
    first = files("a.png", "b.png", "c.png", label="model_a.zip")
    second = files("a.png", "c.png", "z.png", label="model_b.zip")
    pairing = pair_files(references, first, against=second)
    assert pairing.cases[0] == Case("a", "a.png", "a.png", "a.png")
    assert pairing.matched == ("a", "c")
    assert pairing.missing_against == ("b",) and pairing.missing_candidate == ()
    assert pairing.missing_reference == ("model_b.zip/z.png",)
    assert pairing.to_dict() == {
        "matched": ["a", "c"],
        "missing_candidate": [],
        "missing_reference": ["model_b.zip/z.png"],
        "ambiguous": [],
        "ignored": [],
        "problems": {},
        "missing_against": ["b"],
    }
    assert "1 reference has no candidate in model_b.zip (b)" in pairing.sentence()
    assert "missing_against" not in pair_files(references, first).to_dict()


def test_an_empty_reference_set_says_so():
    pairing = pair_files(files("readme.txt", label="gt.zip"), files("a.png"))
    assert pairing.sentence().startswith("0 pairs matched (gt.zip holds no mask files); ")


def test_a_pairing_pickles_with_its_file_sets(tmp_path):
    write_tree(tmp_path / "gt", "a.png")
    write_tree(tmp_path / "pred", "a.png")
    pairing = pair_locations(tmp_path / "gt", tmp_path / "pred")
    again = pickle.loads(pickle.dumps(pairing))
    assert again == pairing and isinstance(again, Pairing)
    case = again.cases[0]
    assert again.candidates.read(case.candidate) == b"a.png"


# ---------------------------------------------------------------- pair_locations


def test_two_folders(tmp_path):
    write_tree(tmp_path / "gt", "a.png", "b.png", ".DS_Store")
    write_tree(tmp_path / "pred", "a_pred.png", "b_pred.png")
    pairing = pair_locations(tmp_path / "gt", tmp_path / "pred", strip_suffix=["_pred"])
    assert pairing.matched == ("a", "b")
    assert pairing.ignored == (f"{tmp_path / 'gt'}/.DS_Store",)
    assert pairing.candidates.read("b_pred.png") == b"b_pred.png"


def test_two_zips_each_wrapping_its_folder_are_looked_through(tmp_path):
    (tmp_path / "refs.zip").write_bytes(zipped("gt/a.png", "gt/b.png", "__MACOSX/gt/._a.png"))
    (tmp_path / "preds.zip").write_bytes(zipped("output/a.png", "output/b.png"))
    pairing = pair_locations(tmp_path / "refs.zip", tmp_path / "preds.zip")
    assert pairing.matched == ("a", "b")
    assert pairing.references.label.endswith("refs.zip/gt/")
    assert pairing.references.read("a.png") == b"gt/a.png"
    assert pairing.ignored == (f"{tmp_path / 'refs.zip'}/__MACOSX/gt/._a.png",)


def test_a_wrapper_is_kept_when_the_other_side_has_that_folder_too():
    references = zipped("patient1/seg.png")
    candidates = zipped("patient1/seg.png", "patient2/seg.png")
    pairing = pair_locations(references, candidates)
    assert pairing.matched == ("patient1/seg",)
    assert pairing.missing_reference == ("the candidate zip/patient2/seg.png",)


def test_bytes_are_labelled_by_their_role_unless_the_app_names_them():
    pairing = pair_locations(zipped("a.png"), zipped("b.png"))
    assert pairing.missing_reference == ("the candidate zip/b.png",)
    named = open_files(zipped("b.png"), label="preds.zip (upload)")
    pairing = pair_locations(zipped("a.png"), named)
    assert pairing.missing_reference == ("preds.zip (upload)/b.png",)


@pytest.mark.parametrize(
    ("names", "reference", "candidate", "ignored"),
    [
        (("gt/a.png", "pred/a.png"), "both.zip/gt/", "both.zip/pred/", ()),
        (("Ground_Truth/a.png", "Predictions/a.png"), "both.zip/Ground_Truth/",
         "both.zip/Predictions/", ()),
        (("labelsTr/a.png", "outputs/a.png", "imagesTr/a.png"), "both.zip/labelsTr/",
         "both.zip/outputs/", ("both.zip/imagesTr/a.png",)),
        (("data/references/a.png", "data/candidates/a.png", "data/readme.txt", "__MACOSX/x"),
         "both.zip/data/references/", "both.zip/data/candidates/",
         ("both.zip/__MACOSX/x", "both.zip/data/readme.txt")),
    ],
)  # fmt: skip
def test_one_zip_holding_two_named_folders(names, reference, candidate, ignored):
    pairing = pair_locations(open_files(zipped(*names), label="both.zip"))
    assert pairing.matched == ("a",)
    assert (pairing.references.label, pairing.candidates.label) == (reference, candidate)
    inside = reference.removeprefix("both.zip/")
    assert pairing.references.read("a.png") == f"{inside}a.png".encode()
    assert pairing.ignored == ignored


def test_one_zip_with_two_unnamed_folders_asks_which_is_which():
    with pytest.raises(MaskError) as err:
        pair_locations(open_files(zipped("run1/a.png", "run2/a.png"), label="both.zip"))
    assert_sentence(err, "both.zip holds two folders, run1/, run2/", "which holds the references")


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        (("a.png", "b.png"), "holds no folders"),
        (("gt/a.png",), "holds 1 folder (gt/)"),
        (("wrap/x/a.png", "wrap/.DS_Store"), "both.zip/wrap/x/ should hold two folders"),
        (("x/a.png", "y/a.png", "z/a.png"), "holds 3 folders (x/, y/, z/)"),
        (("gt/a.png", "labels/a.png", "pred/a.png"), "holds 3 folders"),  # two reference names
    ],
)
def test_one_zip_without_two_telling_folders_is_refused(names, fragment):
    with pytest.raises(MaskError) as err:
        pair_locations(open_files(zipped(*names), label="both.zip"))
    assert_sentence(err, "both.zip", fragment, "separately")


def test_zip_limits_reach_the_zips(tmp_path):
    with pytest.raises(MaskError, match="more than the 2"):
        pair_locations(zipped("a.png", "b.png", "c.png"), zipped(), limits=ZipLimits(2))


# ---------------------------------------------------------------- CSV pairs


def test_a_csv_of_pairs_with_paths_relative_to_its_folder(tmp_path):
    write_tree(tmp_path / "gt", "one.png", "two.png", "sub/three.png", "four.png")
    write_tree(tmp_path / "out", "1.png", "2.png", "3.png")
    csv = tmp_path / "lists" / "pairs.csv"
    csv.parent.mkdir()
    csv.write_text(
        "\ufeffReference, Candidate ,name\n"
        "../gt/one.png,../out/1.png,\n"
        "../gt/two.png,../out/2.png,second\n"
        "../gt/sub/three.png,../out/3.png,\n"
        "../gt/four.png,../out/4.png,\n"
        ",../out/5.png,\n"
        "\n"
    )
    pairing = pair_locations(csv)
    assert pairing.matched == ("one", "second", "sub/three")
    assert pairing.missing_candidate == ("four",)  # out/4.png does not exist
    case = pairing.cases[0]
    assert case == Case("four", "gt/four.png", None)
    one = next(c for c in pairing.cases if c.name == "one")
    assert pairing.references.read(one.reference) == b"one.png"
    assert pairing.candidates.read(one.candidate) == b"1.png"
    assert pairing.against is None
    assert pairing.references.label == f"{tmp_path}/"


def test_a_csv_with_an_against_column_and_duplicate_names(tmp_path):
    write_tree(tmp_path, "gt/a.png", "gt/b.png", "m1/a.png", "m2/a.png", "m1/b.png")
    csv = tmp_path / "pairs.csv"
    csv.write_text(
        "reference,candidate,against\ngt/a.png,m1/a.png,m2/a.png\ngt/b.png,m1/b.png,\n"
        "gt/a.png,m1/b.png,\n"
    )
    pairing = pair_locations(csv)
    assert pairing.against is not None and pairing.ambiguous == ("a",)
    assert pairing.cases[0].against == "m2/a.png"
    assert "pairs.csv has 2 rows for the case name 'a'" in pairing.cases[0].problem
    assert pairing.missing_against == ("b",)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("gt,pred\na.png,a.png\n", "needs a first row naming the columns reference and candidate"),
        ("reference,candidate\nnope.png,a.png\n", "row 2 names the reference 'nope.png'"),
        ("", "its columns are none"),
    ],
)
def test_a_csv_that_cannot_be_used_is_one_sentence(tmp_path, text, fragment):
    (tmp_path / "a.png").write_bytes(b"a")
    csv = tmp_path / "pairs.csv"
    csv.write_text(text)
    with pytest.raises(MaskError) as err:
        pair_locations(csv)
    assert_sentence(err, fragment)


def test_a_csv_names_both_sides_itself(tmp_path):
    with pytest.raises(MaskError) as err:
        pair_locations(tmp_path / "pairs.csv", tmp_path)
    assert_sentence(err, "pass the CSV alone")
