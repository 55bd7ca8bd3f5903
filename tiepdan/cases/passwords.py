"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import CaseError
from .models import User

MIN_LENGTH = 8
_hasher = PasswordHasher()


def hash_password(plain: str) -> str:
    if not plain or len(plain) < MIN_LENGTH:
        raise CaseError(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự")
    return _hasher.hash(plain)


def set_password(user: User, plain: str) -> None:
    user.password_hash = hash_password(plain)


def check_password(user: User, plain: str) -> bool:
    """True when `plain` is the user's password (False for a user without one, or inactive)."""
    if not user.active or not user.password_hash or not plain:
        return False
    try:
        return _hasher.verify(user.password_hash, plain)
    except (VerificationError, InvalidHashError):
        return False
