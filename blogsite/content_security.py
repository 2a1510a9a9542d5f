"""The Content-Security-Policy headers: django-csp's, built once while the settings stand.

django-csp builds the enforced and the report-only policy from the settings for every response
(two dataclass copies, then every directive copied and joined): about 0.1 ms of each, a sixth of
what the site's whole middleware stack costs a constant response (bench/run). The site's policy
depends on its settings alone, so it is built once, by django-csp's own ``build_policy()``. A
response whose view changes its policy (django-csp's decorators) or a request that used a nonce
is built as django-csp builds it, by its own middleware.
"""

import functools
import http

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What django-csp's view decorators set on a response to change its policies.
_PER_RESPONSE = tuple(f"_csp_{part}{ro}" for part in ("config", "update", "replace") for ro in ("", "_ro"))
# django-csp leaves Django's debug pages alone.
_DEBUG_PAGES = (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)


@functools.cache
def _policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """Each header with its policy as the settings give it, the response attribute that exempts
    a response from it and the path prefixes it leaves out."""
    headers = (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    )
    return tuple(
        (
            header,
            build_policy(report_only=report_only),
            exempt,
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, setting, exempt, report_only in headers
    )


@receiver(setting_changed)
def _forget_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, giving the policies built once (see the module's docstring)."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGES and settings.DEBUG:
            return response
        for header, policy, exempt, excluded in _policies():
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for once the header is written raises.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
