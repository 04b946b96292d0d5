# While imported: System V shared-memory segments of 64 MB, each touched and detached, until 1.5 GB is held,
# more than the worker's memory limit of 1 GB, and kept while the grading runs. The breach shows in the score:
# add answers wrongly when the memory was held.
import ctypes

MB = 2**20
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
held = 0
while held < 1536 * MB:
    segment = libc.shmget(IPC_PRIVATE, 64 * MB, IPC_CREAT | 0o600)
    if segment < 0:
        break
    address = libc.shmat(segment, None, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        break
    ctypes.memset(address, 1, 64 * MB)
    libc.shmdt(address)
    held += 64 * MB

if held > 1024 * MB:
    def add(a, b):
        return a - b
