"""The two `einops.rearrange` patterns the vendored LongSANA pipeline uses, as plain permutes (einops is not part of
the device's Python; a permute moves data only, so the numbers are identical)."""

_PATTERNS = {
    "b c f h w -> b f c h w": (0, 2, 1, 3, 4),
    "b f c h w -> b c f h w": (0, 2, 1, 3, 4),
}


def rearrange(tensor, pattern):
    try:
        perm = _PATTERNS[" ".join(pattern.split())]
    except KeyError:
        raise NotImplementedError(f"einops shim: pattern {pattern!r} not supported") from None
    return tensor.permute(*perm)
