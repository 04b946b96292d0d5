# Reads other copies of the course found on the machine: a checkout left under /tmp and the log of an earlier
# grading run, both world-readable, and returns what it read.
import glob


def leak():
    text = []
    for pattern in ["@COURSE_COPY@/tests/*/hidden/*.py", "@COURSE_COPY@/solutions/*/*.py", "@GRADING_LOG@",
                    "/tmp/*/tests/*/hidden/*.py", "/tmp/*.log", "/var/tmp/*.log", "/var/log/*.log"]:
        for path in glob.glob(pattern):
            try:
                with open(path, errors="replace") as stream:
                    text.append(stream.read())
            except OSError:
                pass
    return "\n".join(text)
