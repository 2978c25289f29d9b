import pytest

from ecgbench.beam import pipeline_options
from ecgbench.errors import ConfigError


def test_pairs_become_pipeline_flags():
    options = pipeline_options("runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing")
    values = options.get_all_options()
    assert values["runner"] == "DirectRunner"
    assert values["direct_num_workers"] == 2
    assert values["direct_running_mode"] == "multi_processing"


def test_empty_text_gives_defaults():
    assert pipeline_options(None).get_all_options()["direct_num_workers"] == 1
    assert pipeline_options("").get_all_options()["direct_num_workers"] == 1


def test_a_pair_without_equals_is_refused_naming_it():
    with pytest.raises(ConfigError, match="'direct_num_workers' is not key=value"):
        pipeline_options("runner=DirectRunner,direct_num_workers")


@pytest.mark.parametrize(
    "text, message",
    [
        ("direct_num_worker=2", "'direct_num_worker' is not a Beam pipeline option"),
        ("direct_num_workers=two", "invalid int value: 'two'"),
        ("direct_running_mode=bogus", "invalid choice: 'bogus'"),
        ("runner=NoSuchRunner", "Unexpected pipeline runner: NoSuchRunner"),
    ],
)
def test_unknown_options_bad_values_and_runners_are_refused_naming_them(text, message, capsys):
    with pytest.raises(ConfigError, match=message):
        pipeline_options(text)
    assert "usage:" not in capsys.readouterr().err  # argparse's usage screen is not printed
