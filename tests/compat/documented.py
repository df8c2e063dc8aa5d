"""TinyFn's "Python - Bulk Generation" example, as written but for the base URL and the key:
python documented.py <base URL> <api key>."""
import sys

import requests

BASE, API_KEY = sys.argv[1], sys.argv[2]


def generate_passwords(count: int, length: int = 16) -> list[str]:
    """Generate multiple secure passwords."""
    passwords = []
    for _ in range(count):
        response = requests.get(
            f'{BASE}/v1/generate/password',
            params={'length': length},
            headers={'X-API-Key': API_KEY}
        )
        passwords.append(response.json()['password'])
    return passwords


# Generate passwords for new user accounts
new_passwords = generate_passwords(10, length=14)
assert len(new_passwords) == 10, new_passwords
assert all(len(p) == 14 for p in new_passwords), new_passwords
assert len(set(new_passwords)) == 10
print("python example: ok")
