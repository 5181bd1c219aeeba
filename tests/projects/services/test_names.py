"""Which names a new project may take (``projects.services.names``, S3.6)."""

from projects import services


def test_ultranormalized_names_fold_confusables():  # S3.6
    assert services.ultranormalize_name("Foo.Bar_l-i") == services.ultranormalize_name("f00bar11")
