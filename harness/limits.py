"""The service's per-tenant limits in the scenarios' words, and the setting behind each.

A limit is a setting of the service, the same for every tenant; a scenario that says
"Acme has room for 2 counters" sets it for the app it runs against (`AppTweaks`).
"""

from harness.world import AppTweaks

_SETTINGS = {
    "counter": "counters_max",
    "counters": "counters_max",
    "active API key": "api_keys_max_active",
    "active API keys": "api_keys_max_active",
}
LIMITED_RECORDS: tuple[str, ...] = tuple(_SETTINGS)


def set_room(app_tweaks: AppTweaks, records: str, count: int) -> None:
    """Let each tenant keep at most `count` of `records` ("counters", "active API keys")."""
    app_tweaks.set(**{_SETTINGS[records]: count})
