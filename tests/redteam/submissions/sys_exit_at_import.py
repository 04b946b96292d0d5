# Raises SystemExit(0) while the file is imported.
import sys

sys.exit(0)
