"""The reader's training data is well formed, big enough, split by document and free of evaluation text."""

from training import check_data, data


def test_training_data_passes_its_checks() -> None:
    report = check_data.check()
    assert report.errors == []
    assert report.counts["answerable"] >= check_data.MIN_ANSWERABLE


def test_split_is_by_document_and_both_sides_have_questions() -> None:
    train, validation = data.questions("train"), data.questions("validation")
    assert len(validation) >= 0.1 * (len(train) + len(validation))
    validation_docs = {p.name for p in data.documents("validation")}
    assert validation_docs and validation_docs.isdisjoint(p.name for p in data.documents("train"))
    for question in validation:
        assert all(source in validation_docs for source in question.sources)
    for question in train:
        assert not any(source in validation_docs for source in question.sources)
    # Both kinds of question on both sides: the threshold is chosen on validation.
    for side in (train, validation):
        assert any(q.answerable for q in side) and any(not q.answerable for q in side)


def test_copy_check_catches_a_question_that_quotes_its_answer() -> None:
    sentence = "The council will raise council tax by 4.99% from April next year."
    assert check_data._copies("will raise council tax by how much", sentence)
    assert not check_data._copies("how much is council tax going up", sentence)


def test_subject_check_catches_a_training_title_on_an_evaluation_documents_subject() -> None:
    problems: list[str] = []
    titles = {
        "energy-cap.md": "Energy price cap: what the winter quarter means for bills",
        "sewage.md": "Water company fined for sewage spills",
        "dublin.md": "Government unveils new rent pressure zones",
    }
    check_data._check_no_evaluation_subject(titles, problems.append)
    # corpus-b holds "Energy price cap explained"; the seed's headline opens "Government unveils ...".
    assert [p.split(":")[0] for p in problems] == ["energy-cap.md"]
