# Ends the worker with status 0 while it imports the file.
import os

os._exit(0)
