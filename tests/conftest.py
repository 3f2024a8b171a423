import pytest


def pytest_configure(config):
    from django.conf import settings

    # Hashing is not under test: a fast hasher keeps the suite quick. The initial-password
    # hasher stays available because the account service asks for it by name.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "capture_portal.hashers.InitialPasswordHasher",
    ]
    # Many tests post far more often than a person does: the rate limits are off but in
    # the tests that set them (tests/capture_portal/test_ratelimits.py).
    settings.RATE_LIMITS = {name: "" for name in settings.RATE_LIMITS}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: a test's database is rolled back and its
    primary keys reused, so a result cached by an earlier test must not be found."""
    from django.core.cache import cache

    cache.clear()
    yield
