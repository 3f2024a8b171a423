from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """A lighter PBKDF2 for one-time initial passwords only.

    They are random, must be changed at first login, and are issued for a whole class
    at once; Django upgrades the hash to the default hasher when one is checked.
    """

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000
