import {
  clientStateDecoder,
  clientStateEncoder,
  decode,
  encode,
  type ClientState,
  type GenerationSecret,
  type SecretTree,
  type SecretTreeNode,
} from 'ts-mls';
import { lengthPrefixed, splitLengthPrefixed, uint64, wipe } from './bytes.js';

/**
 * A group state saved in two parts: the secret trees (the message ratchets) and everything else.
 *
 * Why: the client saves its group state after every message it sends or reads (a restart must neither reuse a
 * nonce nor keep a key it already used). Encoding the whole state each time cost O(N) per message — ~0.4 ms
 * at 50 members, tens of ms at 1,000 (the ratchet tree, and one per retained past epoch) — while a message only
 * ever changes a secret tree. The rest is encoded once per epoch (`EpochEncodingCache`) and the trees, a few
 * hundred bytes, each time.
 */
export interface SplitState {
  /** The state with empty secret trees, encoded by ts-mls. */
  readonly epoch: Uint8Array;
  /** The secret trees of the current and the retained past epochs, encoded by `encodeRatchets`. */
  readonly ratchets: Uint8Array;
}

/**
 * Remembers the encoding of the last state's epoch part. A message replaces only secret trees (ts-mls states
 * are immutable and share everything else), so a state whose other fields are the same objects reuses it.
 */
export class EpochEncodingCache {
  #fields: readonly unknown[] | undefined;
  #bytes: Uint8Array | undefined;

  split(state: ClientState): SplitState {
    const fields = epochFields(state);
    const known = this.#fields;
    if (
      this.#bytes === undefined ||
      known === undefined ||
      known.length !== fields.length ||
      fields.some((field, i) => field !== known[i])
    ) {
      this.clear();
      this.#bytes = encode(clientStateEncoder, withoutRatchets(state));
      this.#fields = fields;
    }
    return { epoch: this.#bytes, ratchets: encodeRatchets(state) };
  }

  /** Zeroes the cached bytes (they hold the epoch's secrets), e.g. once a commit made that epoch history. */
  clear(): void {
    if (this.#bytes !== undefined) wipe(this.#bytes);
    this.#bytes = undefined;
    this.#fields = undefined;
  }
}

/** Reads back a `SplitState`; undefined when the parts do not fit together. */
export function joinState(epochBytes: Uint8Array, ratchetBytes: Uint8Array): ClientState | undefined {
  // Copies: the decoders return views into their input, which the caller may destroy after restoring.
  const state = decode(clientStateDecoder, Uint8Array.from(epochBytes));
  const ratchets = decodeRatchets(Uint8Array.from(ratchetBytes));
  if (state === undefined || ratchets === undefined) return undefined;
  if (ratchets.current.leafWidth !== state.secretTree.leafWidth) return undefined;
  const history = new Map(state.historicalReceiverData);
  if (ratchets.past.size !== history.size) return undefined;
  for (const [epoch, tree] of ratchets.past) {
    const data = history.get(epoch);
    if (data?.secretTree.leafWidth !== tree.leafWidth) return undefined;
    history.set(epoch, { ...data, secretTree: tree });
  }
  return { ...state, secretTree: ratchets.current, historicalReceiverData: history };
}

/**
 * Everything the epoch part is made of, field by field (own keys, so a field a later ts-mls adds is covered).
 * Secret trees are left out, except their width, which the epoch part keeps.
 */
function epochFields(state: ClientState): unknown[] {
  const fields: unknown[] = [];
  for (const [name, value] of Object.entries(state)) {
    if (name === 'secretTree' || name === 'historicalReceiverData') continue;
    fields.push(name, value);
  }
  fields.push(state.secretTree.leafWidth);
  for (const [epoch, data] of state.historicalReceiverData) {
    fields.push(epoch);
    for (const [name, value] of Object.entries(data)) {
      if (name !== 'secretTree') fields.push(name, value);
    }
    fields.push(data.secretTree.leafWidth);
  }
  return fields;
}

function withoutRatchets(state: ClientState): ClientState {
  const empty = (tree: SecretTree): SecretTree => ({
    leafWidth: tree.leafWidth,
    intermediateNodes: {},
    leafNodes: {},
  });
  const history = new Map(
    [...state.historicalReceiverData].map(([epoch, data]) => [
      epoch,
      { ...data, secretTree: empty(data.secretTree) },
    ]),
  );
  return { ...state, secretTree: empty(state.secretTree), historicalReceiverData: history };
}

// ---- the secret trees: our own small format (every part length-prefixed, numbers big-endian) ----------------

function encodeRatchets(state: ClientState): Uint8Array {
  const parts = [encodeTree(state.secretTree)];
  for (const [epoch, data] of state.historicalReceiverData)
    parts.push(uint64(epoch), encodeTree(data.secretTree));
  return lengthPrefixed(parts);
}

function decodeRatchets(
  bytes: Uint8Array,
): { current: SecretTree; past: Map<bigint, SecretTree> } | undefined {
  const parts = splitLengthPrefixed(bytes);
  if (parts === undefined || parts.length % 2 !== 1) return undefined;
  const current = decodeTree(parts[0]);
  if (current === undefined) return undefined;
  const past = new Map<bigint, SecretTree>();
  for (let i = 1; i < parts.length; i += 2) {
    const epoch = parts[i];
    const tree = decodeTree(parts[i + 1]);
    if (epoch?.length !== 8 || tree === undefined) return undefined;
    past.set(readUint64(epoch), tree);
  }
  return { current, past };
}

function encodeTree(tree: SecretTree): Uint8Array {
  return lengthPrefixed([
    uint32(tree.leafWidth),
    encodeRecord(tree.intermediateNodes, (secret) => secret),
    encodeRecord(tree.leafNodes, (node) =>
      lengthPrefixed([encodeGeneration(node.handshake), encodeGeneration(node.application)]),
    ),
  ]);
}

function decodeTree(bytes: Uint8Array | undefined): SecretTree | undefined {
  const parts = bytes === undefined ? undefined : splitLengthPrefixed(bytes);
  if (parts?.length !== 3) return undefined;
  const [width, intermediate, leaves] = parts;
  const leafWidth = readUint32(width);
  const intermediateNodes = decodeRecord(intermediate, (secret) => secret);
  const leafNodes = decodeRecord(leaves, (node): SecretTreeNode | undefined => {
    const halves = splitLengthPrefixed(node);
    const handshake = decodeGeneration(halves?.[0]);
    const application = decodeGeneration(halves?.[1]);
    return halves?.length === 2 && handshake !== undefined && application !== undefined
      ? { handshake, application }
      : undefined;
  });
  if (leafWidth === undefined || intermediateNodes === undefined || leafNodes === undefined) return undefined;
  return { leafWidth, intermediateNodes, leafNodes };
}

function encodeGeneration(secret: GenerationSecret): Uint8Array {
  return lengthPrefixed([
    secret.secret,
    uint32(secret.generation),
    encodeRecord(secret.unusedGenerations, (unused) => unused),
  ]);
}

function decodeGeneration(bytes: Uint8Array | undefined): GenerationSecret | undefined {
  const parts = bytes === undefined ? undefined : splitLengthPrefixed(bytes);
  if (parts?.length !== 3) return undefined;
  const [secret, generationBytes, unused] = parts;
  const generation = readUint32(generationBytes);
  const unusedGenerations = decodeRecord(unused, (value) => value);
  if (secret === undefined || generation === undefined || unusedGenerations === undefined) return undefined;
  return { secret, generation, unusedGenerations };
}

/** A record with non-negative integer keys (node indices, generations) as alternating key and value parts. */
function encodeRecord<T>(record: Record<number, T>, encodeValue: (value: T) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of Object.entries(record)) parts.push(uint32(Number(key)), encodeValue(value));
  return lengthPrefixed(parts);
}

function decodeRecord<T>(
  bytes: Uint8Array | undefined,
  decodeValue: (bytes: Uint8Array) => T | undefined,
): Record<number, T> | undefined {
  const parts = bytes === undefined ? undefined : splitLengthPrefixed(bytes);
  if (parts === undefined || parts.length % 2 !== 0) return undefined;
  const record: Record<number, T> = {};
  for (let i = 0; i < parts.length; i += 2) {
    const key = readUint32(parts[i]);
    const value = parts[i + 1] === undefined ? undefined : decodeValue(parts[i + 1] as Uint8Array);
    if (key === undefined || value === undefined) return undefined;
    record[key] = value;
  }
  return record;
}

function uint32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError('not a uint32');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function readUint32(bytes: Uint8Array | undefined): number | undefined {
  if (bytes?.length !== 4) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
}

function readUint64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}
