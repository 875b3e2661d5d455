// The Merkle tree of mt256- ids and its pieces (docs/protocol.md, "The Merkle tree" and
// "Pieces"; Java: content.MerkleDigest and content.PieceTree). SHA-256 over 16 KiB blocks, leaves
// padded to a power of two with zero leaves; pieces of 64 KiB (4 blocks) are what a requester
// checks on arrival, with the proof the holder sends in HASHES.

import jsSha256 from 'js-sha256';

const { sha256 } = jsSha256;

export const BLOCK_BYTES = 16 * 1024;
export const BLOCKS_PER_PIECE = 4;
export const PIECE_BYTES = BLOCK_BYTES * BLOCKS_PER_PIECE;
const ZERO_LEAF = new Uint8Array(32);

function hash(bytes) {
  return new Uint8Array(sha256.arrayBuffer(bytes));
}

function parent(left, right) {
  return new Uint8Array(sha256.create().update(left).update(right).arrayBuffer());
}

/** Z(0): the node over four zero leaves, which pads the piece layer. */
export const PAD_PIECE = parent(parent(ZERO_LEAF, ZERO_LEAF), parent(ZERO_LEAF, ZERO_LEAF));

/** The smallest power of two at least `n` (1 for 0 and 1). */
export function paddedCount(n) {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Pieces of a resource of `size` bytes (at least one). */
export function pieceCount(size) {
  return Math.max(1, Math.ceil(size / PIECE_BYTES));
}

/** Bytes of piece `index` of a resource of `size` bytes. */
export function pieceLength(size, index) {
  return Math.min(PIECE_BYTES, size - index * PIECE_BYTES);
}

/** The root of the whole tree over `bytes` (a Uint8Array): the digest of an mt256- id. */
export function merkleRoot(bytes) {
  const blocks = Math.max(1, Math.ceil(bytes.length / BLOCK_BYTES));
  const leaves = [];
  for (let b = 0; b < blocks; b++) leaves.push(hash(bytes.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES)));
  return rootOver(leaves);
}

/** Blocks hashed between two yields to the page (4 MiB). */
const BLOCKS_PER_SLICE = 256;
const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/** As merkleRoot, giving the page's event loop a turn every 4 MiB, so a large resource does not freeze it. */
export async function merkleRootInSlices(bytes) {
  const blocks = Math.max(1, Math.ceil(bytes.length / BLOCK_BYTES));
  const leaves = [];
  for (let b = 0; b < blocks; b++) {
    leaves.push(hash(bytes.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES)));
    if (b % BLOCKS_PER_SLICE === BLOCKS_PER_SLICE - 1 && b + 1 < blocks) await yieldToPage();
  }
  return rootOver(leaves);
}

function rootOver(leaves) {
  let level = leaves;
  const padded = paddedCount(level.length);
  while (level.length < padded) level.push(ZERO_LEAF);
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(parent(level[i], level[i + 1]));
    level = up;
  }
  return level[0];
}

/**
 * The hash of one piece's bytes; `only` when it is the resource's single piece, whose hash is the
 * root of its own (unpadded) tree.
 */
export function pieceHash(bytes, only) {
  if (only) return merkleRoot(bytes);
  const leaves = [];
  for (let b = 0; b < BLOCKS_PER_PIECE; b++) {
    const from = b * BLOCK_BYTES;
    leaves.push(from < bytes.length ? hash(bytes.subarray(from, Math.min(bytes.length, from + BLOCK_BYTES))) : ZERO_LEAF);
  }
  return parent(parent(leaves[0], leaves[1]), parent(leaves[2], leaves[3]));
}

/** The upper tree of a resource, from its pieces to the root: what a holder needs for HASHES. */
export class PieceTree {
  constructor(pieceHashes) {
    this.pieces = pieceHashes.length;
    const padded = paddedCount(pieceHashes.length);
    let level = pieceHashes.slice();
    while (level.length < padded) level.push(PAD_PIECE);
    this.levels = [level];
    while (level.length > 1) {
      const up = [];
      for (let i = 0; i < level.length; i += 2) up.push(parent(level[i], level[i + 1]));
      this.levels.push(up);
      level = up;
    }
  }

  /** The tree of `bytes`. */
  static of(bytes) {
    const count = pieceCount(bytes.length);
    const hashes = [];
    for (let i = 0; i < count; i++) {
      hashes.push(pieceHash(bytes.subarray(i * PIECE_BYTES, i * PIECE_BYTES + pieceLength(bytes.length, i)), count === 1));
    }
    return new PieceTree(hashes);
  }

  /** As of(), giving the page's event loop a turn every 4 MiB. */
  static async inSlices(bytes) {
    const count = pieceCount(bytes.length);
    const hashes = [];
    for (let i = 0; i < count; i++) {
      hashes.push(pieceHash(bytes.subarray(i * PIECE_BYTES, i * PIECE_BYTES + pieceLength(bytes.length, i)), count === 1));
      if (i % 64 === 63 && i + 1 < count) await yieldToPage();
    }
    return new PieceTree(hashes);
  }

  get root() {
    return this.levels[this.levels.length - 1][0];
  }

  piece(index) {
    return this.levels[0][index];
  }

  /**
   * The hashes linking pieces first..first+count-1 to the root: per level from the pieces up,
   * the left neighbour when the run starts on a right child, then the right neighbour when it ends
   * on a left child; neighbours that cover only padding too.
   */
  proof(first, count) {
    const proof = [];
    let a = first;
    let b = first + count - 1;
    for (let l = 0; l < this.levels.length - 1; l++) {
      const level = this.levels[l];
      if (a % 2 === 1) proof.push(level[a - 1]);
      if (b % 2 === 0) proof.push(level[b + 1]);
      a = Math.floor(a / 2);
      b = Math.floor(b / 2);
    }
    return proof;
  }
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export { equal as bytesEqual };

/**
 * True when pieces first.. with `hashes`, and `proof`, lead to `root` in a tree of `pieces`
 * pieces, and every proof hash that covers only padding is the padding hash of its level (which
 * commits the root to the piece count, so a holder that gave a wrong size is caught). Never throws.
 */
export function verifyProof(root, pieces, first, hashes, proof) {
  if (hashes.length === 0 || first < 0 || first + hashes.length > pieces) return false;
  let a = first;
  let run = hashes.slice();
  let next = 0;
  let level = 0;
  let padding = PAD_PIECE;
  for (let size = paddedCount(pieces); size > 1; size /= 2) {
    const b = a + run.length - 1;
    const row = [];
    if (a % 2 === 1) {
      if (next >= proof.length) return false;
      row.push(proof[next++]);
      a--;
    }
    row.push(...run);
    if (b % 2 === 0) {
      if (next >= proof.length) return false;
      const right = proof[next++];
      if ((b + 1) * 2 ** level >= pieces && !equal(right, padding)) return false;
      row.push(right);
    }
    const up = [];
    for (let i = 0; i + 1 < row.length; i += 2) up.push(parent(row[i], row[i + 1]));
    run = up;
    a = Math.floor(a / 2);
    level++;
    padding = parent(padding, padding);
  }
  return next === proof.length && run.length === 1 && equal(run[0], root);
}
