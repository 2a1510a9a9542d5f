"""Fixed-window rate limits in the shared cache, sized by settings read when they are used."""

from django.test import override_settings

from blogsite.ratelimit import Limit

LIMIT = Limit("test", "BLOG_WRITES_PER_MINUTE", 3600)


def test_it_lets_the_limits_number_through_then_says_how_long_to_wait(settings):
    settings.BLOG_WRITES_PER_MINUTE = 2
    assert [LIMIT.hit("k") for _ in range(2)] == [0, 0]
    assert LIMIT.blocked_for("k") > 0
    assert 0 < LIMIT.hit("k") <= 3600
    assert LIMIT.blocked_for("other") == 0  # counted per key


def test_it_reads_its_size_from_settings_each_time():
    with override_settings(BLOG_WRITES_PER_MINUTE=1):
        assert LIMIT.hit("k") == 0
        assert LIMIT.hit("k") > 0
    with override_settings(BLOG_WRITES_PER_MINUTE=5):
        assert LIMIT.hit("k") == 0  # the third hit, now within a larger limit


def test_clearing_a_key_starts_its_count_again(settings):
    settings.BLOG_WRITES_PER_MINUTE = 1
    LIMIT.hit("k")
    assert LIMIT.blocked_for("k")
    LIMIT.clear("k")
    assert not LIMIT.blocked_for("k")
