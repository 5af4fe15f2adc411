"""Where the minutes' media live and what the audio is: paths and WAV bytes."""

__all__ = ["audio_path", "document_path", "wav_bytes", "wav_size"]

# The audio: 8 kHz, 8-bit, mono PCM WAV of silence: 8 bytes per ms after a 44-byte header.
_WAV_HEADER, _BYTES_PER_MS, _RATE = 44, 8, 8000


def audio_path(conference_id: str, take: int | str) -> str:
    """Where dingconf serves one take's audio."""
    return f"/media/minutes/{conference_id}/audio/{take}"


def document_path(conference_id: str) -> str:
    """Where dingconf serves the minutes' document."""
    return f"/media/minutes/{conference_id}/document"


def wav_size(duration_ms: int) -> int:
    """The size in bytes of the audio of a take lasting ``duration_ms``."""
    return _WAV_HEADER + _BYTES_PER_MS * duration_ms


def wav_bytes(duration_ms: int) -> bytes:
    """The audio of a take: a valid WAV file of silence, ``wav_size`` bytes long."""
    data = _BYTES_PER_MS * duration_ms
    header = b"".join(
        [
            b"RIFF",
            (36 + data).to_bytes(4, "little"),
            b"WAVEfmt ",
            (16).to_bytes(4, "little"),
            (1).to_bytes(2, "little"),  # PCM
            (1).to_bytes(2, "little"),  # mono
            _RATE.to_bytes(4, "little"),
            _RATE.to_bytes(4, "little"),  # bytes per second
            (1).to_bytes(2, "little"),
            (8).to_bytes(2, "little"),
            b"data",
            data.to_bytes(4, "little"),
        ]
    )
    return header + b"\x80" * data
