"""Where the simulator may send callbacks: public addresses only, unless told otherwise.

A simulator reachable by others would otherwise POST wherever an application's callback URLs
point: at ``127.0.0.1``, at the cloud metadata service on ``169.254.169.254``, at the private
network behind it (a server-side request forgery). Callback targets whose host is, or resolves
to, a loopback, private, link-local or otherwise non-global address are refused when a room or
an application is given them and again at every delivery (names can change what they resolve
to), unless ``DEBUG`` is on or ``VONAGE_MEETINGS_SIMULATOR["ALLOW_PRIVATE_CALLBACKS"]`` is true,
as in development and tests, where callbacks go to ``localhost``.

The decision is made from the addresses alone (``socket.getaddrinfo``, then ``ipaddress``);
nothing is connected to. Every address a name resolves to must be public, and a delivery never
follows a redirect. What remains is the gap between the check at delivery and the connection
(a name that changes its answer in between); run a public simulator behind an egress firewall
if that matters.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from .conf import sim_setting

__all__ = ["EgressRefused", "check_target", "private_targets_allowed"]


class EgressRefused(ValueError):
    """A callback target the simulator will not send to; the message says why (no secrets)."""


def private_targets_allowed() -> bool:
    return bool(settings.DEBUG or sim_setting("ALLOW_PRIVATE_CALLBACKS"))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return _is_public(str(embedded))
    return ip.is_global and not ip.is_multicast


def check_target(url: str) -> None:
    """Refuse (:class:`EgressRefused`) a callback URL the simulator must not send to."""
    if private_targets_allowed():
        return
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise EgressRefused("the callback URL cannot be read") from None
    if parts.scheme not in ("http", "https") or not host:
        raise EgressRefused("the callback URL must be http(s) with a host")
    try:
        found = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError, ValueError):
        raise EgressRefused(f"the callback host {host!r} does not resolve") from None
    addresses = {str(info[4][0]) for info in found}
    private = sorted(a for a in addresses if not _is_public(a))
    if private or not addresses:
        raise EgressRefused(
            f"the callback host {host!r} is (or resolves to) a loopback, private or link-local "
            f"address ({', '.join(private) or 'none'}); allow such targets with "
            "VONAGE_MEETINGS_SIMULATOR['ALLOW_PRIVATE_CALLBACKS'] (or DEBUG) in development"
        )
