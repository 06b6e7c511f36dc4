#!/usr/bin/env python3
"""Writes the training text of the tiny test/demo sentencepiece tokenizer (tests/data/tokenizer_tiny): a few hundred
short video prompts composed from fixed word lists, deterministic (no randomness), plus a few lines of digits,
punctuation and accented words. Usage: python3 tests/data/tools/make_tiny_corpus.py > corpus.txt"""

subjects = ["a cat", "a small dog", "an old man", "a young woman", "two children", "a red fox", "a white horse",
            "a golden retriever", "a robot", "a flock of birds", "a sailboat", "a steam train", "a dancer",
            "a chef", "a musician", "an astronaut", "a hummingbird", "a panda", "a knight", "a street artist"]
actions = ["walking slowly", "running across", "sleeping quietly on", "dancing in", "flying over", "jumping into",
           "looking out of", "painting", "cooking in", "playing guitar in", "reading a book in", "swimming through"]
places = ["a sunny meadow", "a busy city street", "the kitchen", "a snowy forest", "the ocean", "a quiet library",
          "a neon-lit alley at night", "a mountain lake", "the desert at dusk", "a crowded market", "the window",
          "a field of sunflowers", "an empty stadium", "a rainy harbor"]
styles = ["cinematic lighting", "soft light", "high contrast", "warm colors", "slow motion", "wide shot",
          "close-up", "handheld camera", "golden hour", "film grain", "4k, highly detailed", "shallow depth of field"]
extras = ["motion score: 30.", "motion score: 10.", "", "the camera pans left.", "the camera slowly zooms in."]


def main():
    lines = []
    i = 0
    for s in subjects:
        for a in actions:
            p = places[i % len(places)]
            st = styles[i % len(styles)]
            ex = extras[i % len(extras)]
            lines.append(f"{s} {a} {p}, {st}. {ex}".strip())
            i += 1
    lines += [
        "Numbers 0 1 2 3 4 5 6 7 8 9, 24 fps, 480p, 832x480, 81 frames, seed 42.",
        "Punctuation: (parentheses), [brackets], {braces}, \"quotes\", 'apostrophes' - dashes; colons: and !?",
        "Café, naïve, façade, über, señor, smörgåsbord.",
        "A chaotic sequence with misshapen, deformed limbs in heavy motion blur, sudden disappearance, jump cuts.",
        "Given a user prompt, generate an 'Enhanced prompt' that provides detailed visual descriptions.",
        "User Prompt: a cat sleeping -> Enhanced: a small, fluffy white cat slowly settling into a curled position.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
