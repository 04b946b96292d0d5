# Deletes or rewrites files outside its folder: the grader's source, the hidden suite, the worker's runtime, a canary.
import glob
import os
import sys

TARGETS = ["@CANARY@", "@REPO_ROOT@/autograder/plugin.py", "@REPO_ROOT@/autograder/assertions.py",
           "@REPO_ROOT@/tests/redteam/hidden/test_calc_hidden.py", "@REPO_ROOT@/tests/redteam/public/test_calc.py"]
TARGETS += glob.glob(os.path.join(sys.path[0], "*", "*.py"))
for target in TARGETS:
    for attack in (lambda path: open(path, "w").write("pass\n"), os.remove, lambda path: os.chmod(path, 0o777)):
        try:
            attack(target)
        except OSError:
            pass
