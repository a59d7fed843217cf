#!/usr/bin/env python3
"""Export audio-model activations as ArdMl activation shards (models/SHARDS.md).

Two sources are supported:

  qwen2-audio  Hugging Face Qwen2-Audio (e.g. Qwen/Qwen2-Audio-7B-Instruct): the residual-stream output of one
               decoder layer at the audio-token positions only (about 25 tokens per second, at most 30 s), as in
               the AR&D paper. Positions are found from the processor's audio token id.
  whisper      Hugging Face Whisper (e.g. openai/whisper-base): the output of one encoder layer, 50 frames per
               second, with the padding frames of the 30 s input removed (using the feature extractor's attention
               mask). Clips longer than 30 s are cut into consecutive 30 s windows whose frames are concatenated.

Layer numbering: --layer L is the output of block L (0-based), i.e. hidden_states[L + 1] of the model's
output_hidden_states tuple (hidden_states[0] is the input embedding). --layer -1 means the model's final hidden
state as returned by transformers (after the final norm). Example: the AR&D default "layer 26" is --layer 26 if the
paper counts blocks from 0; use --hidden-states-index to address the tuple directly if you need another convention.

The output folder (or <out>/part-i-of-n with --shard i/n) holds manifest.json, index.jsonl and shard-NNNNN.bin
files; re-running the same command resumes: clips already in the index are skipped, a torn last index line and
bytes written after the last indexed clip are removed. ArdMl reads the result with ActivationShardReader.

Requirements: python >= 3.9, torch, transformers (>= 4.45 for Qwen2-Audio), numpy, librosa (audio decoding and
resampling to 16 kHz). This script was written for ArdMl but could not be run on the project's build machines,
which have no PyTorch; please report problems.

Examples:
  python export_activations.py qwen2-audio --model Qwen/Qwen2-Audio-7B-Instruct --layer 26 \
      --audio /data/wavcaps --out /data/acts/qwen-l26 --dtype float16 --shard 0/8 --device cuda
  python export_activations.py whisper --model openai/whisper-base --layer -1 --audio clips/ --out acts/whisper
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

FORMAT_NAME = "ardml-activation-shards"
FORMAT_VERSION = 1
PRODUCER = "export_activations.py 1"
AUDIO_EXTENSIONS = {".wav", ".flac", ".mp3", ".ogg", ".oga"}
SAMPLE_RATE = 16000
WHISPER_WINDOW_SECONDS = 30


# --------------------------------------------------------------------------------------------------------------------
# Shard writing (mirrors ArdMl.Activations.ActivationShardWriter)
# --------------------------------------------------------------------------------------------------------------------

class ShardWriter:
    """Appends clips to shard-NNNNN.bin files and index.jsonl; resumable; writes manifest.json on close."""

    def __init__(self, folder: Path, d: int, dtype: str, model: str, tap: str, metadata: Dict[str, str],
                 max_shard_bytes: int = 1 << 30):
        if dtype not in ("float32", "float16"):
            raise ValueError(f"dtype must be float32 or float16, not {dtype!r}")
        self.folder = folder
        self.d = d
        self.dtype = dtype
        self.bytes_per_value = 2 if dtype == "float16" else 4
        self.model = model
        self.tap = tap
        self.metadata = metadata
        self.max_shard_bytes = max_shard_bytes
        self.clips: set = set()
        self.tokens = 0
        self.shard_number = 0
        self.shard_file = None
        folder.mkdir(parents=True, exist_ok=True)
        self.manifest_path = folder / "manifest.json"
        self.index_path = folder / "index.jsonl"
        if self.manifest_path.exists():
            existing = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if existing.get("format") != FORMAT_NAME or existing.get("version") != FORMAT_VERSION:
                raise SystemExit(f"{self.manifest_path}: not an activation shard manifest of version {FORMAT_VERSION}")
            mine = (d, dtype, model, tap)
            theirs = (existing.get("d"), existing.get("dtype"), existing.get("model"), existing.get("tap"))
            if mine != theirs:
                raise SystemExit(f"{self.manifest_path}: folder holds {theirs}; cannot resume it with {mine}")
            self._resume()
        elif self.index_path.exists():
            raise SystemExit(f"{self.index_path}: an index exists without manifest.json; refusing to overwrite it")
        self._write_manifest(complete=False)
        self.index_file = open(self.index_path, "ab")

    def _resume(self) -> None:
        if not self.index_path.exists():
            return
        content = self.index_path.read_bytes()
        valid_length = 0
        ends: Dict[str, int] = {}
        start = 0
        line_number = 0
        while start < len(content):
            newline = content.find(b"\n", start)
            if newline < 0:
                break  # torn last line of an interrupted run: dropped below
            line_number += 1
            try:
                entry = json.loads(content[start:newline].decode("utf-8"))
                clip, shard, offset, tokens = entry["clip"], entry["shard"], int(entry["offset"]), int(entry["tokens"])
            except (ValueError, KeyError) as error:
                raise SystemExit(f"{self.index_path}: line {line_number} is not a valid index entry ({error})")
            if clip in self.clips:
                raise SystemExit(f"{self.index_path}: line {line_number}: clip {clip!r} appears twice")
            self.clips.add(clip)
            self.tokens += tokens
            ends[shard] = max(ends.get(shard, 0), offset + tokens * self.d * self.bytes_per_value)
            valid_length = newline + 1
            start = newline + 1
        if valid_length < len(content):
            with open(self.index_path, "r+b") as index:
                index.truncate(valid_length)
        numbers = []
        for shard in sorted(self.folder.glob("shard-*.bin")):
            keep = ends.get(shard.name, 0)
            if shard.stat().st_size > keep:
                with open(shard, "r+b") as handle:
                    handle.truncate(keep)
            try:
                numbers.append(int(shard.stem[len("shard-"):]))
            except ValueError:
                pass
        self.shard_number = max(numbers) if numbers else 0

    def _write_manifest(self, complete: bool) -> None:
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "d": self.d,
            "dtype": self.dtype,
            "model": self.model,
            "tap": self.tap,
            "sampleRate": SAMPLE_RATE,
            "producer": PRODUCER,
            "metadata": self.metadata,
            "complete": complete,
        }
        if complete:
            digest = hashlib.sha256()
            with open(self.index_path, "rb") as index:
                for block in iter(lambda: index.read(1 << 20), b""):
                    digest.update(block)
            manifest.update({"clips": len(self.clips), "tokens": self.tokens, "indexSha256": digest.hexdigest()})
        temporary = self.manifest_path.with_name("manifest.json.tmp")
        temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(temporary, self.manifest_path)

    def __contains__(self, clip_id: str) -> bool:
        return clip_id in self.clips

    def write(self, clip_id: str, values, metadata: Optional[Dict[str, str]] = None) -> None:
        """values: numpy array of shape (tokens, d)."""
        import numpy as np

        if clip_id in self.clips:
            raise ValueError(f"clip {clip_id!r} is already in {self.folder}")
        array = np.asarray(values)
        if array.ndim != 2 or array.shape[1] != self.d:
            raise ValueError(f"clip {clip_id!r}: expected (tokens, {self.d}) values, got {array.shape}")
        if not np.isfinite(array).all():
            raise FloatingPointError(f"clip {clip_id!r}: activations contain NaN or infinity")
        data = np.ascontiguousarray(array.astype("<f2" if self.dtype == "float16" else "<f4")).tobytes()
        self.write_bytes(clip_id, int(array.shape[0]), data, metadata)

    def write_bytes(self, clip_id: str, tokens: int, data: bytes, metadata: Optional[Dict[str, str]] = None) -> None:
        """Appends one clip already encoded as tokens x d little-endian values of the folder's dtype."""
        if clip_id in self.clips:
            raise ValueError(f"clip {clip_id!r} is already in {self.folder}")
        if len(data) != tokens * self.d * self.bytes_per_value:
            raise ValueError(f"clip {clip_id!r}: {len(data)} bytes are not {tokens} tokens x d {self.d} x {self.bytes_per_value}")
        shard = self._shard_for(len(data))
        offset = shard.tell()
        shard.write(data)
        shard.flush()
        entry = {
            "clip": clip_id,
            "shard": Path(shard.name).name,
            "offset": offset,
            "tokens": tokens,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        if metadata:
            entry["metadata"] = {str(k): str(v) for k, v in metadata.items()}
        self.index_file.write((json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8"))
        self.index_file.flush()
        self.clips.add(clip_id)
        self.tokens += tokens

    def _shard_for(self, size: int):
        if self.shard_file is None:
            self.shard_file = self._open_shard()
        if self.shard_file.tell() > 0 and self.shard_file.tell() + size > self.max_shard_bytes:
            self.shard_file.close()
            self.shard_number += 1
            self.shard_file = self._open_shard()
        return self.shard_file

    def _open_shard(self):
        handle = open(self.folder / f"shard-{self.shard_number:05d}.bin", "ab")
        handle.seek(0, os.SEEK_END)
        return handle

    def close(self) -> None:
        if self.shard_file is not None:
            self.shard_file.flush()
            os.fsync(self.shard_file.fileno())
            self.shard_file.close()
            self.shard_file = None
        self.index_file.flush()
        os.fsync(self.index_file.fileno())
        self.index_file.close()
        self._write_manifest(complete=True)


# --------------------------------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------------------------------

def find_audio(folder: Path) -> List[str]:
    """Relative paths ('/'-separated) of audio files below folder, sorted (the order ard extract uses)."""
    if not folder.is_dir():
        raise SystemExit(f"audio folder {folder} does not exist")
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            if Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(found)


def parse_shard(text: Optional[str]) -> Tuple[int, int]:
    if not text:
        return 0, 1
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r} must be i/n with 0 <= i < n, e.g. 0/4")
    if n < 1 or not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"--shard {text!r} must be i/n with 0 <= i < n, e.g. 0/4")
    return i, n


def load_audio(path: Path, max_seconds: Optional[float]):
    import librosa
    import numpy as np

    samples, _ = librosa.load(str(path), sr=SAMPLE_RATE, mono=True, duration=max_seconds)
    return np.asarray(samples, dtype=np.float32)


# --------------------------------------------------------------------------------------------------------------------
# Qwen2-Audio
# --------------------------------------------------------------------------------------------------------------------

class Qwen2AudioSource:
    """Residual stream of one decoder layer at the audio-token positions of Qwen2-Audio."""

    def __init__(self, args):
        import torch
        from transformers import AutoProcessor, Qwen2AudioForConditionalGeneration

        self.torch = torch
        self.processor = AutoProcessor.from_pretrained(args.model, trust_remote_code=args.trust_remote_code)
        dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[args.torch_dtype]
        self.model = Qwen2AudioForConditionalGeneration.from_pretrained(
            args.model, torch_dtype=dtype, trust_remote_code=args.trust_remote_code)
        self.model.to(args.device).eval()
        self.device = args.device
        self.prompt = args.prompt
        self.prefix = args.prefix
        tokenizer = self.processor.tokenizer
        audio_token = getattr(self.processor, "audio_token", None) or "<|AUDIO|>"
        self.audio_token_id = tokenizer.convert_tokens_to_ids(audio_token)
        if self.audio_token_id is None or self.audio_token_id == tokenizer.unk_token_id:
            raise SystemExit(f"the processor's tokenizer has no audio token {audio_token!r}")
        config_id = getattr(self.model.config, "audio_token_index", None) or getattr(self.model.config, "audio_token_id", None)
        if config_id is not None and config_id != self.audio_token_id:
            print(f"warning: processor audio token id {self.audio_token_id} differs from config's {config_id}; "
                  f"using the processor's", file=sys.stderr)
        layers = self.model.config.text_config.num_hidden_layers
        self.index = hidden_states_index(args, layers)
        self.d = self.model.config.text_config.hidden_size
        self.tap = tap_name("language_model.layers", args, layers)

    def _inputs(self, samples):
        import inspect

        # Decoder attention is causal: audio-token activations depend on the text *before* the audio (--prefix, e.g.
        # a chat-template system turn) and never on the text after it (--prompt).
        text = (self.prefix or "") + "<|audio_bos|><|AUDIO|><|audio_eos|>" + (self.prompt or "")
        # transformers 4.45-4.46 name the keyword `audios` and would silently ignore `audio` (**kwargs); later
        # versions take `audio`. Pick the one the installed processor declares.
        parameters = inspect.signature(self.processor.__call__).parameters
        keyword = "audio" if "audio" in parameters else "audios"
        inputs = self.processor(text=text, sampling_rate=SAMPLE_RATE, return_tensors="pt", padding=True, **{keyword: [samples]})
        if "input_features" not in inputs:
            raise RuntimeError(f"the processor returned no input_features for keyword {keyword!r}")
        inputs = inputs.to(self.device)
        # The audio tower runs in the model's dtype; the feature extractor returns float32.
        inputs["input_features"] = inputs["input_features"].to(self.model.dtype)
        return inputs

    def activations(self, samples):
        """(tokens, d) float32 numpy array of the audio-token positions; samples are cut to 30 s."""
        torch = self.torch
        samples = samples[: WHISPER_WINDOW_SECONDS * SAMPLE_RATE]
        inputs = self._inputs(samples)
        with torch.inference_mode():
            output = self.model(**inputs, output_hidden_states=True, return_dict=True)
        hidden = output.hidden_states[self.index][0]  # (sequence, d): batch of one
        input_ids = inputs["input_ids"][0]
        audio_positions = (input_ids == self.audio_token_id).nonzero(as_tuple=True)[0]
        if audio_positions.numel() == 0:
            raise RuntimeError("no audio token in the processed prompt")
        if hidden.shape[0] == input_ids.shape[0]:
            # The processor expanded <|AUDIO|> to one token per audio embedding (transformers >= 4.47):
            # the audio positions are exactly where the input ids hold the audio token.
            positions = audio_positions
        else:
            # Legacy path: one <|AUDIO|> token in the ids, expanded to L audio embeddings inside the model.
            if audio_positions.numel() != 1:
                raise RuntimeError("legacy Qwen2-Audio merge with several audio tokens is not supported")
            expanded = hidden.shape[0] - input_ids.shape[0] + 1
            start = int(audio_positions[0])
            positions = torch.arange(start, start + expanded, device=hidden.device)
        return hidden[positions].float().cpu().numpy()


# --------------------------------------------------------------------------------------------------------------------
# Whisper encoder
# --------------------------------------------------------------------------------------------------------------------

class WhisperEncoderSource:
    """Output of one Whisper encoder layer with the padding frames removed."""

    def __init__(self, args):
        import torch
        from transformers import WhisperFeatureExtractor, WhisperModel

        self.torch = torch
        self.features = WhisperFeatureExtractor.from_pretrained(args.model)
        dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[args.torch_dtype]
        self.encoder = WhisperModel.from_pretrained(args.model, torch_dtype=dtype).get_encoder()
        self.encoder.to(args.device).eval()
        self.dtype = dtype
        self.device = args.device
        layers = self.encoder.config.encoder_layers
        self.index = hidden_states_index(args, layers)
        self.d = self.encoder.config.d_model
        self.tap = tap_name("encoder.layers", args, layers)

    def activations(self, samples):
        import numpy as np

        torch = self.torch
        window = WHISPER_WINDOW_SECONDS * SAMPLE_RATE
        pieces = []
        for start in range(0, max(len(samples), 1), window):
            chunk = samples[start:start + window]
            if len(chunk) == 0:
                break
            inputs = self.features(chunk, sampling_rate=SAMPLE_RATE, return_tensors="pt", return_attention_mask=True)
            features = inputs.input_features.to(self.device, self.dtype)
            # Real (unpadded) log-mel frames: the feature extractor's mask marks every 160th padded sample that is
            # real audio, i.e. ceil(len(chunk) / 160) of the 3000 frames.
            mel_frames = int(inputs.attention_mask[0].sum())
            # The encoder's second convolution has stride 2: frames = (mel_frames - 1) // 2 + 1, which is also
            # WhisperEncoder._get_feat_extract_output_lengths.
            valid = (mel_frames - 1) // 2 + 1 if mel_frames > 0 else 0
            with torch.inference_mode():
                output = self.encoder(features, output_hidden_states=True, return_dict=True)
            hidden = output.hidden_states[self.index][0]  # (1500, d)
            pieces.append(hidden[:valid].float().cpu().numpy())
        return np.concatenate(pieces, axis=0) if pieces else np.zeros((0, self.d), dtype=np.float32)


def hidden_states_index(args, layers: int) -> int:
    if args.hidden_states_index is not None:
        index = args.hidden_states_index
        if not -(layers + 1) <= index <= layers:
            raise SystemExit(f"--hidden-states-index {index} is outside the {layers + 1} hidden states")
        return index
    if args.layer == -1:
        return -1
    if not 0 <= args.layer < layers:
        raise SystemExit(f"--layer {args.layer} is outside 0..{layers - 1} (or -1 for the final hidden state)")
    return args.layer + 1


def tap_name(prefix: str, args, layers: int) -> str:
    if args.hidden_states_index is not None:
        return f"hidden_states[{args.hidden_states_index}]"
    return "final_hidden_state" if args.layer == -1 else f"{prefix}.{args.layer}.output"


# --------------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------------

def parse_args(argv: Optional[List[str]] = None):
    parser = argparse.ArgumentParser(
        description="Export audio-model activations as ArdMl activation shards (see models/SHARDS.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Examples:")[1] if "Examples:" in __doc__ else None)
    parser.add_argument("source", choices=["qwen2-audio", "whisper"], help="which model family to run")
    parser.add_argument("--model", required=True, help="Hugging Face model id or local folder")
    parser.add_argument("--layer", type=int, default=-1,
                        help="block whose output is taken (0-based; hidden_states[layer + 1]); -1: final hidden state")
    parser.add_argument("--hidden-states-index", type=int, default=None,
                        help="index into output_hidden_states directly (overrides --layer)")
    parser.add_argument("--audio", type=Path, required=True, help="folder of audio clips (searched recursively)")
    parser.add_argument("--out", type=Path, required=True, help="output shard folder (created or resumed)")
    parser.add_argument("--shard", type=parse_shard, default=(0, 1), metavar="i/n",
                        help="process clips k with k mod n = i (0-based) into <out>/part-i-of-n")
    parser.add_argument("--dtype", choices=["float32", "float16"], default="float16", help="shard element type")
    parser.add_argument("--torch-dtype", choices=["float32", "float16", "bfloat16"], default="float32",
                        help="dtype the model runs in (bfloat16 or float16 halve the memory of 7B models on GPU)")
    parser.add_argument("--device", default="cuda" if _cuda_available() else "cpu", help="torch device")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="use at most this many seconds of each clip (Qwen2-Audio always stops at 30 s)")
    parser.add_argument("--prefix", default="",
                        help="Qwen2-Audio: text before the audio, e.g. '<|im_start|>system\\nYou are a helpful assistant."
                             "<|im_end|>\\n<|im_start|>user\\nAudio 1: ' (changes the audio-token activations)")
    parser.add_argument("--prompt", default="", help="Qwen2-Audio: text after the audio (cannot change audio-token activations)")
    parser.add_argument("--max-shard-bytes", type=int, default=1 << 30, help="start a new shard file beyond this size")
    parser.add_argument("--trust-remote-code", action="store_true", help="pass trust_remote_code to transformers")
    return parser.parse_args(argv)


def _cuda_available() -> bool:
    try:
        import torch
        return torch.cuda.is_available()
    except ImportError:
        return False


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    part, parts = args.shard
    clips = [clip for k, clip in enumerate(find_audio(args.audio)) if k % parts == part]
    folder = args.out / f"part-{part}-of-{parts}" if parts > 1 else args.out
    source = Qwen2AudioSource(args) if args.source == "qwen2-audio" else WhisperEncoderSource(args)
    writer = ShardWriter(folder, source.d, args.dtype, args.model, source.tap,
                         {"source": args.source, "shard": f"{part}/{parts}", "layer": str(args.layer),
                          "hiddenStatesIndex": str(source.index), "prefix": args.prefix},
                         args.max_shard_bytes)
    todo = [clip for clip in clips if clip not in writer]
    print(f"{args.model} {source.tap} (d {source.d}) on {args.device}: {len(clips)} clips in part {part}/{parts}, "
          f"{len(clips) - len(todo)} already done", file=sys.stderr)
    failures: List[Tuple[str, str]] = []
    started = time.time()
    try:
        for number, clip in enumerate(todo, 1):
            try:
                samples = load_audio(args.audio / clip, args.max_seconds)
            except Exception as error:  # librosa/audioread/soundfile raise many unrelated types
                failures.append((clip, f"decode: {type(error).__name__}: {error}"))
                continue
            try:
                values = source.activations(samples)
                writer.write(clip, values, {"path": clip, "seconds": f"{len(samples) / SAMPLE_RATE:.3f}"})
            except (OSError, RuntimeError, ValueError, FloatingPointError) as error:
                failures.append((clip, f"{type(error).__name__}: {error}"))
            if number % 10 == 0 or number == len(todo):
                rate = number / max(time.time() - started, 1e-9)
                print(f"  {number}/{len(todo)} clips, {rate:.2f} clips/s", file=sys.stderr)
    finally:
        writer.close()
    print(f"wrote {len(writer.clips)} clips, {writer.tokens} tokens -> {folder}", file=sys.stderr)
    for clip, problem in failures:
        print(f"skipped {clip}: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
