"""LongSANA reference modules vendored from the diffusers pull request huggingface/diffusers#12723 (see README.md).
Imported lazily by make_fixtures.py / verify_fixtures.py; they need torch and diffusers (the carried snapshot)."""
