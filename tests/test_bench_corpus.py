"""The key of the bench database (bench/corpus.py: generator_identity): it changes with every
file that shapes the generated corpus, so a stale database is never reused, and only then."""

import shutil

import pytest

from bench.corpus import CORPUS_APP, CORPUS_INPUTS, corpus_sources, generator_identity
from bench.processes import PROJECT_ROOT, BenchError

SOURCES = [path.relative_to(PROJECT_ROOT).as_posix() for path in corpus_sources()]


@pytest.fixture
def project(tmp_path):
    """A copy of what the key reads, to change at will."""
    shutil.copytree(
        PROJECT_ROOT / CORPUS_APP,
        tmp_path / CORPUS_APP,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in CORPUS_INPUTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def test_every_file_named_for_the_key_exists():
    assert f"{CORPUS_APP}/management/commands/generate_news.py" in SOURCES
    assert set(CORPUS_INPUTS) <= set(SOURCES)


def test_the_key_is_the_same_for_unchanged_files_wherever_the_project_lives(project):
    assert generator_identity(project) == generator_identity(project)
    assert generator_identity(project) == generator_identity(PROJECT_ROOT)


def test_a_changed_word_of_the_vocabulary_changes_the_key(project):
    before = generator_identity(project)
    vocabulary = project / CORPUS_APP / "vocabulary.py"
    text = vocabulary.read_text()
    assert '"youth engagement"' in text
    vocabulary.write_text(text.replace('"youth engagement"', '"youth involvement"'))
    assert generator_identity(project) != before


@pytest.mark.parametrize("name", SOURCES)
def test_a_change_to_any_file_that_shapes_the_corpus_changes_the_key(project, name):
    before = generator_identity(project)
    with (project / name).open("a") as file:
        file.write("\n")
    assert generator_identity(project) != before


def test_a_new_file_in_the_generator_app_changes_the_key(project):
    before = generator_identity(project)
    (project / CORPUS_APP / "places.py").write_text('CITIES = {"AT": ("Vienna",)}\n')
    assert generator_identity(project) != before


def test_moving_code_from_one_file_to_another_changes_the_key(project):
    before = generator_identity(project)
    app = project / CORPUS_APP
    (app / "words.py").write_bytes((app / "vocabulary.py").read_bytes())
    (app / "vocabulary.py").unlink()
    assert generator_identity(project) != before


def test_compiled_and_hidden_files_leave_the_key_alone(project):
    before = generator_identity(project)
    app = project / CORPUS_APP
    (app / "__pycache__").mkdir()
    (app / "__pycache__" / "corpus.cpython-311.pyc").write_bytes(b"\x00compiled")
    (app / ".vocabulary.py.swp").write_bytes(b"\x00swap")
    assert generator_identity(project) == before


def test_a_missing_input_is_an_error_that_says_where_to_fix_it(project):
    (project / "news" / "jsonl.py").unlink()
    with pytest.raises(BenchError, match=r"news/jsonl\.py.*CORPUS_INPUTS \(bench/corpus\.py\)"):
        generator_identity(project)
