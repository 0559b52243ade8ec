"""The resident forms' rate limits: a thin front on ``services.actions.ratelimit`` (true
sliding windows in PostgreSQL, see there) plus the client address."""

import ipaddress

from django.http import HttpRequest

from services.actions.ratelimit import allow, refund

__all__ = ["allow", "client_ip", "refund"]

# One IPv6 customer is given a whole /64 (or more): counting single addresses would give them
# 2**64 allowances. allauth's limiter counts IPv6 by the same prefix.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, IPv6 cut to its /64. Behind a proxy, configure it
    to set REMOTE_ADDR."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        network = ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False)
        return f"{network.network_address}/{IPV6_PREFIX}"
    return address
