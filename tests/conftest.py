def pytest_configure(config):
    from django.conf import settings

    # Hashing is not under test: a fast hasher keeps the suite quick. The initial-password
    # hasher stays available because the account service asks for it by name.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "capture_portal.hashers.InitialPasswordHasher",
    ]
