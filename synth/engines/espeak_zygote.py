"""A lean process that owns one freshly initialized eSpeak NG per voice and renders each utterance
from the same library state.

Why a process of its own: eSpeak NG keeps wave-generator state in function-level statics that
espeak_Initialize/Terminate never reset, so in one process the bytes of an utterance depend on
everything rendered before it. Its mutable state lives in the library's writable segments (.data
and .bss; measured: rendering after restoring them gives the same bytes whatever came before, see
tests/test_espeak_restore.py), so each voice server keeps a copy of those segments as they are
once the voice is selected and a fixed warm-up sentence rendered, and copies it back before every
utterance (112 KB, a few microseconds). Each utterance is then a pure function of its request and
its voice. The warm-up is there because the first render of a voice allocates what later ones
reuse (a text decoder, the voice's variant): restoring the state from before it would hand the
library pointers to memory it has freed since. For the same reason a few pointers are left as the
library set them (LIVE_POINTERS): eSpeak NG frees and re-creates the object they point at during
every render, so the copy's value is a pointer to freed memory. Whether that crashed depended on
where the allocator put the new object, i.e. on the process's environment size (CI, Dec 2026:
"renderer killed by signal 11" in speechPlayer_terminate).

isolation="fork" keeps the older way, a child forked per utterance from that same warmed-up
state: the same bytes (the test compares the two), at ~1.7x the CPU per utterance
(benchmarks/engine_floor.py).

Selecting a voice loads its dictionary (about 3.5 ms, more than rendering a short sentence), so
the helper keeps one "voice server" per voice: a child that has initialized the library and
selected that voice. eSpeak NG also seeds its noise generator (breathy voices) from the clock at
start-up; each render reseeds it, and libc's rand(), from the item's seed. This file is run as a
script with `python -S` (no site, no numpy): the smaller the process, the cheaper its start.

The helper forks the voice servers; the worker talks to each one directly. Between worker and
helper, a Unix socket (SOCK_SEQPACKET, one JSON message a packet; the socket's fd is argv[3]):
  {"open": voice}  answer {"ok", "pid", "error"}; with ok, the write end of a pipe to the new voice
                   server and the read end of a pipe from it ride along as SCM_RIGHTS
  {"reap": pid}    answer {"ok", "status"}: the wait status of a voice server the worker closed or found dead
Between worker and voice server, both directions framed as <uint32 length><payload>:
  request   JSON {"text", "rate", "pitch", "volume", "seed", "timeout"}
  response  JSON header {"ok", "error", "events": [[type, text_pos, length, ms, sample], ...], "pcm_bytes"}
            followed by a second frame of raw little-endian int16 PCM.
The worker takes an answer only once it has all of it, and kills a voice server that runs past the
request's timeout (with isolation="fork" the voice server kills its child first), so a render that
crashes or hangs can never leave a torn answer: the worker reports it for that item and asks the
helper for the dead server's wait status ("renderer killed by signal N").
"""

import ctypes
import fcntl
import json
import os
import select
import signal
import struct
import sys
import time

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
ESPEAK_CHARS_UTF8 = 1
POS_CHARACTER = 1
PARAM_RATE, PARAM_VOLUME, PARAM_PITCH = 1, 2, 3
EVENT_LIST_TERMINATED = 0
LIBC = ctypes.CDLL(None)
F_SETPIPE_SZ, PIPE_BYTES = 1031, 1 << 20  # fcntl.F_SETPIPE_SZ (Linux; Python 3.10+ names it)


class Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_int64),
    ]


CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))


def read_frame(stream):
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack("<I", head)
    return stream.read(size)


def write_frame(stream, payload):
    stream.write(struct.pack("<I", len(payload)))
    stream.write(payload)


def send_answer(stream, header, pcm):
    """Header and PCM frames in one write: the worker wakes once for a whole answer (its pipe holds
    1 MB, see PIPE_BYTES)."""
    stream.write(b"".join((struct.pack("<I", len(header)), header, struct.pack("<I", len(pcm)), pcm)))
    stream.flush()


def failure(error):
    """(header, pcm) of a request that did not render: the header says why, there is no audio."""
    return json.dumps({"ok": False, "error": error}).encode(), b""


WARM_UP = {"text": "Warm up.", "seed": 0, "rate": 175, "pitch": 50, "volume": 100}


def render_now(lib, request):
    """Synthesize one request in this process: (header JSON bytes, PCM bytes)."""
    chunks, events = [], []

    def on_synth(wav, n_samples, event_ptr):
        if n_samples > 0:
            chunks.append(ctypes.string_at(wav, n_samples * 2))
        i = 0
        while event_ptr[i].type != EVENT_LIST_TERMINATED:
            e = event_ptr[i]
            events.append([e.type, e.text_position, e.length, e.audio_position, e.sample])
            i += 1
        return 0

    callback = CALLBACK(on_synth)
    lib.espeak_SetSynthCallback(callback)
    seed = int(request["seed"]) & 0x7FFFFFFF
    lib.espeak_ng_SetRandSeed(seed)
    LIBC.srand(seed)
    lib.espeak_SetParameter(PARAM_RATE, int(request["rate"]), 0)
    lib.espeak_SetParameter(PARAM_PITCH, int(request["pitch"]), 0)
    lib.espeak_SetParameter(PARAM_VOLUME, int(request["volume"]), 0)
    text = request["text"].encode("utf-8") + b"\0"
    status = lib.espeak_Synth(text, len(text), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
    if status != 0:
        raise RuntimeError(f"espeak_Synth returned error {status}")
    lib.espeak_Synchronize()
    pcm = b"".join(chunks)
    return json.dumps({"ok": True, "events": events, "pcm_bytes": len(pcm)}).encode(), pcm


def writable_segments(path):
    """(start, end) offsets from the load address of the ELF file's writable segments, less the
    part the loader makes read-only after relocation (GNU_RELRO)."""
    with open(path, "rb") as handle:
        elf = handle.read(1 << 16)
    if elf[:5] != b"\x7fELF\x02" or elf[5] != 1:
        raise RuntimeError(f"{path} is not a 64-bit little-endian ELF file")
    (phoff,) = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    writable, relro = [], None
    for i in range(phnum):
        kind, flags, _, vaddr, _, _, memsz, _ = struct.unpack_from("<IIQQQQQQ", elf, phoff + i * phentsize)
        if kind == 1 and flags & 2:  # PT_LOAD, PF_W
            writable.append((vaddr, vaddr + memsz))
        elif kind == 0x6474E552:  # PT_GNU_RELRO
            relro = (vaddr, vaddr + memsz)
    if relro:
        writable = [(max(start, relro[1]) if relro[0] <= start < relro[1] else start, end) for start, end in writable]
    return [(start, end) for start, end in writable if end > start]


# Static pointers to heap objects the library frees and re-creates inside a render, never restored:
# KlattReset(1), run at every pause of every voice, ends the speechPlayer (NV Speech Player, the
# Klatt synthesizer) and initializes a new one (klatt.c, KlattResetSP); the object is re-made before
# any use, so leaving the live pointer changes no sample (tests/test_espeak_restore.py).
LIVE_POINTERS = ("speechPlayerHandle",)


def symbol_ranges(path, names):
    """(start, end) offsets from the load address of the data symbols `names` of the ELF file, from its
    symbol table (.symtab, or .dynsym); a name the file does not define is left out."""
    with open(path, "rb") as handle:
        elf = handle.read()
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    found = {}
    for kind in (2, 11):  # SHT_SYMTAB, then SHT_DYNSYM
        for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
            if sh_type != kind or not entsize:
                continue
            strtab = sections[link][4]
            for at in range(offset, offset + size, entsize):
                name_at, info, _, _, value, symbol_size = struct.unpack_from("<IBBHQQ", elf, at)
                if info & 0xF != 1 or not symbol_size:  # STT_OBJECT with a size
                    continue
                name = elf[strtab + name_at : elf.index(b"\0", strtab + name_at)].decode()
                if name in names:
                    found.setdefault(name, (value, value + symbol_size))
    return sorted(found.values())


def without(ranges, holes):
    """`ranges` less the `holes`, all (start, end)."""
    out = []
    for start, end in ranges:
        for hole_start, hole_end in holes:
            if start < hole_end and hole_start < end:
                if start < hole_start:
                    out.append((start, hole_start))
                start = max(start, hole_end)
        if start < end:
            out.append((start, end))
    return out


def load_address(path):
    """Where the library `path` is mapped in this process (its mapping at file offset 0)."""
    real = os.path.realpath(path)
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and int(fields[2], 16) == 0 and os.path.realpath(fields[5].strip()) == real:
                return int(fields[0].split("-")[0], 16)
    raise RuntimeError(f"{path} is not mapped in this process")


def restorable_ranges(lib_path):
    """(address, size) of each part of the loaded library's writable segments but its LIVE_POINTERS.
    Worked out once in the helper: its voice servers are forks, with the library at the same address
    (reading the symbol table and /proc/self/maps took ~2 ms a voice server)."""
    base = load_address(lib_path)
    ranges = without(writable_segments(lib_path), symbol_ranges(lib_path, LIVE_POINTERS))
    return [(base + start, end - start) for start, end in ranges]


class LibraryState:
    """A copy of the library's writable segments but its LIVE_POINTERS, put back with restore().

    :param ranges: restorable_ranges() of the library
    """

    def __init__(self, ranges):
        self.copies = [
            (address, ctypes.create_string_buffer(ctypes.string_at(address, size), size)) for address, size in ranges
        ]

    def restore(self):
        for address, copy in self.copies:
            ctypes.memmove(address, copy, len(copy))


def render_in_child(lib, request, out_fd):
    """Runs in the forked child: synthesize one request and write header + PCM to out_fd."""
    header, pcm = render_now(lib, request)
    with os.fdopen(out_fd, "wb") as out:
        write_frame(out, header)
        out.write(pcm)


def read_child(fd, pid, timeout):
    """Collect everything the child writes; kill it if it runs past `timeout` seconds."""
    parts, deadline = [], time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, f"timed out after {timeout:g} s"
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        data = os.read(fd, 1 << 20)
        if not data:
            break
        parts.append(data)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return None, f"renderer killed by signal {os.WTERMSIG(status)}"
    if os.WEXITSTATUS(status) != 0:
        detail = b"".join(parts).decode("utf-8", "replace").strip()
        return None, detail or f"renderer exited with status {os.WEXITSTATUS(status)}"
    return b"".join(parts), None


def render_forked(lib, request, stdout):
    """Fork a child to render `request` from this process's state; relay its answer."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        code = 0
        try:
            render_in_child(lib, request, write_fd)
        except BaseException as exc:  # report, never fall back into the parent's loop
            try:
                os.write(write_fd, f"{type(exc).__name__}: {exc}".encode())
            except OSError:
                pass
            code = 1
        os._exit(code)
    os.close(write_fd)
    try:
        answer, error = read_child(read_fd, pid, float(request.get("timeout", 60)))
    finally:
        os.close(read_fd)
    if error is not None:
        send_answer(stdout, *failure(error))
    else:
        header_len = struct.unpack("<I", answer[:4])[0]
        send_answer(stdout, answer[4 : 4 + header_len], answer[4 + header_len :])


def render_restored(lib, state, request, stdout):
    """Put the library's state back as it was after the warm-up, then render `request` here."""
    state.restore()
    try:
        header, pcm = render_now(lib, request)
    except Exception as exc:
        header, pcm = failure(f"{type(exc).__name__}: {exc}")
    send_answer(stdout, header, pcm)


def voice_server(lib, ranges, voice, isolation, stdin, stdout):
    """Runs in a child of the helper: select `voice`, render the warm-up, keep that state (the
    library's restorable_ranges, `ranges`), then render every request from it."""
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        write_frame(stdout, json.dumps({"ok": False, "error": f"eSpeak NG has no voice {voice!r}"}).encode())
        stdout.flush()
        return
    render_now(lib, WARM_UP)
    state = LibraryState(ranges) if isolation == "restore" else None
    write_frame(stdout, json.dumps({"ok": True}).encode())
    stdout.flush()
    while True:
        payload = read_frame(stdin)
        if payload is None:
            return
        if state is None:
            render_forked(lib, json.loads(payload), stdout)
        else:
            render_restored(lib, state, json.loads(payload), stdout)


def read_exactly(fd, size, deadline):
    """`size` bytes from `fd`, or None at end of file; TimeoutError past `deadline` (monotonic)."""
    parts, left = [], size
    while left:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        data = os.read(fd, min(left, 1 << 20))
        if not data:
            return None
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def read_frame_by(fd, deadline):
    """One <uint32 length><payload> frame from `fd`, or None at end of file; TimeoutError past
    `deadline` (monotonic), one deadline for the whole frame."""
    head = read_exactly(fd, 4, deadline)
    return None if head is None else read_exactly(fd, struct.unpack("<I", head)[0], deadline)


def start_voice_server(lib, ranges, voice, isolation, socket_fd):
    """Fork a voice server for `voice` and wait for it to be ready: (pid, write fd to it, read fd
    from it), or the error that kept it from starting."""
    from_parent, to_server = os.pipe()  # (read end, write end)
    from_server, to_parent = os.pipe()
    try:  # room for a whole answer (10 s of audio is 441 KB): the voice server writes it at once
        fcntl.fcntl(from_server, F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # past /proc/sys/fs/pipe-max-size: the answer then comes in pieces, as the same bytes
        pass
    pid = os.fork()
    if pid == 0:
        os.close(to_server)
        os.close(from_server)
        os.close(socket_fd)  # the worker's line to the helper is not the voice server's
        try:
            voice_server(lib, ranges, voice, isolation, os.fdopen(from_parent, "rb"), os.fdopen(to_parent, "wb"))
        finally:
            os._exit(0)
    os.close(from_parent)
    os.close(to_parent)
    try:
        hello = read_frame_by(from_server, time.monotonic() + 60)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        hello = None
    answer = json.loads(hello) if hello else {"ok": False, "error": "voice server died at start"}
    if not answer.get("ok"):
        os.close(to_server)
        os.close(from_server)
        os.waitpid(pid, 0)
        return answer["error"]
    return pid, to_server, from_server


def serve(lib_path, data_path, socket_fd, isolation="restore"):
    """Answer the worker on its socket: {"open": voice} starts a voice server and hands the worker its
    two pipe ends (SCM_RIGHTS), so requests and answers go between the worker and the voice server
    with no process between them; {"reap": pid} waits for a voice server the worker has let go of
    (closed its pipes) or found dead, and answers its wait status."""
    import socket

    lib = ctypes.CDLL(lib_path)
    lib.espeak_SetSynthCallback.argtypes = [CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), ESPEAK_INITIALIZE_DONT_EXIT)
    line = socket.socket(fileno=socket_fd)
    if sample_rate <= 0:
        error = f"espeak_Initialize failed ({sample_rate}) with data {data_path}"
        line.send(json.dumps({"ok": False, "error": error}).encode())
        return
    try:
        ranges = restorable_ranges(lib_path) if isolation == "restore" else None
    except (OSError, RuntimeError, struct.error) as exc:
        line.send(json.dumps({"ok": False, "error": f"cannot find the library's state in {lib_path}: {exc}"}).encode())
        return
    line.send(json.dumps({"ok": True, "sample_rate": sample_rate, "pid": os.getpid()}).encode())
    servers = set()
    while True:
        message = line.recv(1 << 16)
        if not message:  # the worker went away, its pipe ends with it: nothing is left for a voice server to do
            for pid in servers:  # a hung one included
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            return
        request = json.loads(message)
        if "reap" in request:
            pid = int(request["reap"])
            servers.discard(pid)
            line.send(json.dumps({"ok": True, "status": os.waitpid(pid, 0)[1]}).encode())
            continue
        server = start_voice_server(lib, ranges, request["open"], isolation, socket_fd)
        if isinstance(server, str):
            line.send(json.dumps({"ok": False, "error": server}).encode())
            continue
        pid, to_server, from_server = server
        servers.add(pid)
        socket.send_fds(line, [json.dumps({"ok": True, "pid": pid}).encode()], [to_server, from_server])
        os.close(to_server)  # the worker's copies now; the voice server sees end of file when it closes them
        os.close(from_server)


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group; the process that owns this helper decides what it means
    # (synth/interrupt.py) and closes it. Ignoring it here spares a traceback from every helper.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        serve(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "restore")
    except (BrokenPipeError, ConnectionResetError):  # the worker died mid-answer: nobody is left to tell
        os._exit(0)
