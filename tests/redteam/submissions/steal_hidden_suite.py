# Reads the hidden suite, the reference solutions and the built autograder zips, and returns what it read.
import glob
import os


def leak():
    text = []
    for pattern in ["@REPO_ROOT@/tests/redteam/hidden/*.py", "@REPO_ROOT@/tests/*/hidden/*", "@REPO_ROOT@/solutions/*/*.py",
                    "@REPO_ROOT@/dist/*.zip", "/autograder/source/tests/*/hidden/*"]:
        for path in glob.glob(pattern):
            try:
                with open(path, errors="replace") as stream:
                    text.append(stream.read())
            except OSError:
                pass
    for root, _, files in os.walk("@REPO_ROOT@/tests"):
        for name in files:
            try:
                with open(os.path.join(root, name), errors="replace") as stream:
                    text.append(stream.read())
            except OSError:
                pass
    return "\n".join(text)
