"""The light hash of a printed first password, and what keeps its cost honest.

A student's first login is one slow hash at most per password event: the printed
password is checked with the light hash and left as it is (``backends.PasswordBackend``),
the forced change does not check it again with the slow one (``is_current_password``),
and only the new password gets the default hasher's work.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, get_hasher
from django.utils.crypto import pbkdf2


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """A lighter PBKDF2 for one-time initial passwords only.

    They are random, must be changed at first login, and are issued for a whole class
    at once; the forced change replaces the hash with one of the default hasher.

    A wrong password costs as much as against any other account: otherwise the time of
    a failed login would tell which accounts still have the printed password (40 ms
    against half a second). Django closes that gap itself only within one algorithm.
    """

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000

    def verify(self, password, encoded):
        correct = self.matches(password, encoded)
        if not correct:
            self.harden_runtime(password, encoded)
        return correct

    def matches(self, password, encoded) -> bool:
        """Return whether ``password`` is the hashed one, with this hasher's work only."""
        return super().verify(password, encoded)

    def harden_runtime(self, password, encoded):
        """Do the rest of the default hasher's work for this password."""
        default = get_hasher("default")
        if isinstance(default, PBKDF2PasswordHasher):
            extra = default.iterations - self.decode(encoded)["iterations"]
            if extra > 0:
                pbkdf2(password, self.decode(encoded)["salt"], extra, digest=default.digest)
        else:
            default.encode(password, default.salt())


def is_printed(encoded: str) -> bool:
    """Return whether a stored hash is that of a printed first password."""
    return encoded.startswith(InitialPasswordHasher.algorithm + "$")


def is_current_password(user, password: str) -> bool:
    """Return whether ``password`` is the user's current one, without re-hashing it.

    A printed password costs the light hash alone: the user is signed in, so there is
    no stranger to hide the kind of account from, and nothing is hardened or upgraded.
    """
    if is_printed(user.password):
        return InitialPasswordHasher().matches(password, user.password)
    return check_password(password, user.password)
