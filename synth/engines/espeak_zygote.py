"""A lean process that owns one freshly initialized eSpeak NG and forks a child per utterance.

Why a process of its own: eSpeak NG keeps wave-generator state in function-level statics that
espeak_Initialize/Terminate never reset, so in one process the bytes of an utterance depend on
everything rendered before it. A child forked from a process that has initialized the library but
rendered nothing starts from the same state every time, so each utterance is a pure function of
its request.

Selecting a voice loads its dictionary (about 3.5 ms, more than rendering a short sentence), so
the helper keeps one "voice server" per voice: a child that has initialized the library and
selected that voice, nothing else, and forks the per-utterance children. Its state is a pure
function of the voice, so an utterance's bytes still depend on nothing but its request.
eSpeak NG also seeds its noise generator (breathy voices) from the clock at start-up;
the child reseeds it, and libc's rand(), from the item's seed. This file is run as a script with
`python -S` (no site, no numpy): the smaller the
parent, the cheaper each fork.

Protocol on stdin/stdout, both directions framed as <uint32 length><payload>:
  request   JSON {"text", "voice", "rate", "pitch", "volume", "seed", "timeout"}
  response  JSON header {"ok", "error", "sample_rate", "events": [[type, text_pos, length, ms, sample], ...],
            "pcm_bytes"} followed by a second frame of raw little-endian int16 PCM.
The header is written by this parent only after the child has exited cleanly, so a child that
crashes or hangs can never leave a torn answer on the pipe.
"""

import ctypes
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


def render_in_child(lib, request, out_fd):
    """Runs in the forked child: synthesize one request and write header + PCM to out_fd."""
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
    ctypes.CDLL(None).srand(seed)
    lib.espeak_SetParameter(PARAM_RATE, int(request["rate"]), 0)
    lib.espeak_SetParameter(PARAM_PITCH, int(request["pitch"]), 0)
    lib.espeak_SetParameter(PARAM_VOLUME, int(request["volume"]), 0)
    text = request["text"].encode("utf-8") + b"\0"
    status = lib.espeak_Synth(text, len(text), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
    if status != 0:
        raise RuntimeError(f"espeak_Synth returned error {status}")
    lib.espeak_Synchronize()
    pcm = b"".join(chunks)
    header = json.dumps({"ok": True, "events": events, "pcm_bytes": len(pcm)}).encode()
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
    """Fork a child to render `request` from this process's pristine state; relay its answer."""
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
        write_frame(stdout, json.dumps({"ok": False, "error": error}).encode())
        write_frame(stdout, b"")
    else:
        header_len = struct.unpack("<I", answer[:4])[0]
        write_frame(stdout, answer[4 : 4 + header_len])
        write_frame(stdout, answer[4 + header_len :])
    stdout.flush()


def voice_server(lib, voice, stdin, stdout):
    """Runs in a child of the helper: select `voice` once, then fork a renderer per request."""
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        write_frame(stdout, json.dumps({"ok": False, "error": f"eSpeak NG has no voice {voice!r}"}).encode())
        stdout.flush()
        return
    write_frame(stdout, json.dumps({"ok": True}).encode())
    stdout.flush()
    while True:
        payload = read_frame(stdin)
        if payload is None:
            return
        render_forked(lib, json.loads(payload), stdout)


class VoiceServers:
    """The helper's voice servers, least recently used first; at most `limit` are kept alive."""

    def __init__(self, lib, limit):
        self.lib, self.limit, self.servers = lib, limit, {}

    def get(self, voice):
        server = self.servers.pop(voice, None)
        if server is None:
            server = self._start(voice)
            if isinstance(server, str):
                return server
        self.servers[voice] = server  # re-inserted: now the most recently used
        while len(self.servers) > self.limit:
            self._stop(self.servers.pop(next(iter(self.servers))))
        return server

    def _start(self, voice):
        from_parent, to_server = os.pipe()  # (read end, write end)
        from_server, to_parent = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(to_server)
            os.close(from_server)
            for other in self.servers.values():  # not ours to hold open
                other[1].close()
                other[2].close()
            try:
                voice_server(self.lib, voice, os.fdopen(from_parent, "rb"), os.fdopen(to_parent, "wb"))
            finally:
                os._exit(0)
        os.close(from_parent)
        os.close(to_parent)
        server = (pid, os.fdopen(to_server, "wb"), os.fdopen(from_server, "rb"))
        hello = read_frame(server[2])
        answer = json.loads(hello) if hello else {"ok": False, "error": "voice server died at start"}
        if not answer.get("ok"):
            self._stop(server)
            return answer["error"]
        return server

    def stop_all(self):
        while self.servers:
            self._stop(self.servers.popitem()[1])

    def _stop(self, server):
        pid, to_server, from_server = server
        to_server.close()
        from_server.close()
        os.waitpid(pid, 0)


def serve(lib_path, data_path, max_voices=64):
    lib = ctypes.CDLL(lib_path)
    lib.espeak_SetSynthCallback.argtypes = [CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), ESPEAK_INITIALIZE_DONT_EXIT)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    if sample_rate <= 0:
        write_frame(
            stdout,
            json.dumps(
                {"ok": False, "error": f"espeak_Initialize failed ({sample_rate}) with data {data_path}"}
            ).encode(),
        )
        stdout.flush()
        return
    write_frame(stdout, json.dumps({"ok": True, "sample_rate": sample_rate, "pid": os.getpid()}).encode())
    stdout.flush()
    servers = VoiceServers(lib, max_voices)
    while True:
        payload = read_frame(stdin)
        if payload is None:  # the worker went away: so do we, and our voice servers with us
            servers.stop_all()
            return
        voice = json.loads(payload)["voice"]
        server = servers.get(voice)
        if isinstance(server, str):
            write_frame(stdout, json.dumps({"ok": False, "error": server}).encode())
            write_frame(stdout, b"")
            stdout.flush()
            continue
        _, to_server, from_server = server
        try:
            write_frame(to_server, payload)
            to_server.flush()
            header, pcm = read_frame(from_server), read_frame(from_server)
        except (BrokenPipeError, OSError):
            header = pcm = None
        if header is None or pcm is None:
            servers.servers.pop(voice, None)
            header, pcm = json.dumps({"ok": False, "error": f"voice server for {voice!r} exited"}).encode(), b""
        write_frame(stdout, header)
        write_frame(stdout, pcm)
        stdout.flush()


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group; the process that owns this helper decides what it means
    # (synth/interrupt.py) and closes it. Ignoring it here spares a traceback from every helper.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        serve(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 64)
    except BrokenPipeError:  # the worker died mid-answer: nobody is left to tell
        os._exit(0)
