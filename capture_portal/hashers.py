from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.utils.crypto import pbkdf2


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """A lighter PBKDF2 for one-time initial passwords only.

    They are random, must be changed at first login, and are issued for a whole class
    at once; Django upgrades the hash to the default hasher when one is checked.

    A wrong password costs as much as against any other account: otherwise the time of
    a failed login would tell which accounts still have the printed password (40 ms
    against half a second). Django closes that gap itself only within one algorithm.
    """

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000

    def verify(self, password, encoded):
        correct = super().verify(password, encoded)
        if not correct:
            self.harden_runtime(password, encoded)
        return correct

    def harden_runtime(self, password, encoded):
        """Do the rest of the default hasher's work for this password."""
        default = get_hasher("default")
        if isinstance(default, PBKDF2PasswordHasher):
            extra = default.iterations - self.decode(encoded)["iterations"]
            if extra > 0:
                pbkdf2(password, self.decode(encoded)["salt"], extra, digest=default.digest)
        else:
            default.encode(password, default.salt())
