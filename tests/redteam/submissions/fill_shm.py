# While imported: 96 files of 16 MB in /dev/shm and eight System V shared-memory segments of 64 MB, each touched
# and detached (about 2 GB in all), meant to stay allocated after grading.
import ctypes

MB = 2**20
IPC_CREAT = 0o1000
for index in range(96):
    try:
        with open(f"/dev/shm/@SHM_PREFIX@{index}", "wb") as stream:
            stream.write(b"\1" * (16 * MB))
    except OSError:
        break
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
for index in range(8):
    segment = libc.shmget(@SHM_KEY@ + index, 64 * MB, IPC_CREAT | 0o600)
    if segment < 0:
        break
    address = libc.shmat(segment, None, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        break
    ctypes.memset(address, 1, 64 * MB)
    libc.shmdt(address)
