"""Who is calling: passwords, tokens, API keys, the principal of a request, roles, throttling.

Kept import-light on purpose: `app.tenancy` builds on `credentials` and `principal`,
and `roles` builds on `app.tenancy`.
"""
