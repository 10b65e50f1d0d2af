from pathlib import Path

import pytest

from connectors.filesystem import FilesystemConnector


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "satzungen").mkdir()
    (tmp_path / "satzungen" / "hundesteuer.pdf").write_bytes(b"%PDF-1.4 a")
    (tmp_path / "satzungen" / "~$offen.docx").write_bytes(b"lock")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "rundschreiben.eml").write_text("Subject: x\n\nText")
    (tmp_path / "notiz.txt").write_text("Notiz")
    return tmp_path


def test_lists_recursively_in_stable_order_with_exclusions(tree: Path) -> None:
    connector = FilesystemConnector(tree, name="amt", exclude=["**/.*/**", "**/~$*"])
    names = [ref.uri.rsplit("/", 1)[-1] for ref in connector.list()]
    assert names == ["notiz.txt", "rundschreiben.eml", "hundesteuer.pdf"]


def test_include_pattern_matches_top_level_and_nested_files(tree: Path) -> None:
    connector = FilesystemConnector(tree, name="amt", include=["**/*.pdf", "**/*.eml"])
    names = sorted(ref.uri.rsplit("/", 1)[-1] for ref in connector.list())
    assert names == ["hundesteuer.pdf", "rundschreiben.eml"]


def test_fetch_reads_bytes_and_hash(tree: Path) -> None:
    connector = FilesystemConnector(tree, name="amt", include=["**/*.pdf"])
    (ref,) = list(connector.list())
    document = connector.fetch(ref)
    assert document.content == b"%PDF-1.4 a"
    assert document.filename == "hundesteuer.pdf"
    assert len(document.content_hash) == 64
    assert ref.size == len(b"%PDF-1.4 a")


def test_scope_of_folder_and_single_file(tree: Path) -> None:
    folder = FilesystemConnector(tree, name="amt")
    assert folder.scope.endswith("/")
    assert all(ref.uri.startswith(folder.scope) for ref in folder.list())
    single = FilesystemConnector(tree / "notiz.txt", name="amt")
    assert [ref.uri for ref in single.list()] == [single.scope]


def test_file_names_with_spaces_and_umlauts_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "Gebührensatzung Straßenreinigung.txt"
    path.write_text("§ 1 Gebühren")
    connector = FilesystemConnector(tmp_path, name="amt")
    (ref,) = list(connector.list())
    assert "%20" in ref.uri
    assert connector.fetch(ref).filename == path.name


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FilesystemConnector(tmp_path / "fehlt", name="amt")
