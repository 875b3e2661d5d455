// mt256- ids, piece hashes, proofs and HASHES messages against
// src/test/resources/golden/transfer/merkle-vectors.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as codec from '../../src/codec.js';
import { merkleRoot, merkleRootInSlices, PieceTree, verifyProof, PAD_PIECE, pieceCount } from '../../src/merkle.js';
import { parseId } from '../../src/ids.js';
import { merkleVectors, hex, unhex } from './golden.js';

const vectors = merkleVectors();
const bytesOf = (size) => Uint8Array.from({ length: size }, (_, i) => i % 251);

test('the padding hashes are Z(k)', () => {
  let z = PAD_PIECE;
  assert.equal(hex(z), vectors.paddingHashes[0]);
  const tree = new PieceTree([unhex('00'.repeat(32)), unhex('00'.repeat(32)), unhex('00'.repeat(32))]);
  assert.equal(hex(tree.levels[0][3]), vectors.paddingHashes[0]);
});

for (const r of vectors.resources) {
  test(`${r.name} (${r.size} bytes): id, piece hashes, proofs and HASHES`, () => {
    const bytes = bytesOf(r.size);
    const id = parseId(r.id);
    assert.equal(hex(merkleRoot(bytes)), hex(id.digest));
    assert.equal(pieceCount(r.size), r.pieces);
    const tree = PieceTree.of(bytes);
    assert.deepEqual(Array.from({ length: r.pieces }, (_, i) => hex(tree.piece(i))), r.pieceHashes);
    assert.equal(hex(tree.root), hex(id.digest));
    for (const run of r.runs) {
      const proof = tree.proof(run.firstPiece, run.pieceCount);
      assert.deepEqual(proof.map(hex), run.proof);
      const pieces = run.proof && r.pieceHashes.slice(run.firstPiece, run.firstPiece + run.pieceCount).map(unhex);
      const message = codec.encode({ type: codec.HASHES, requestId: 7, firstPiece: run.firstPiece, pieces, proof });
      assert.equal(hex(message), run.hashesMessage);
      const decoded = codec.decode(unhex(run.hashesMessage));
      assert.ok(verifyProof(id.digest, r.pieces, decoded.firstPiece, decoded.pieces, decoded.proof), 'the proof leads to the root');
      // Any hash changed, one missing or one too many: refused.
      if (proof.length) {
        const forged = decoded.proof.map((h) => h.slice());
        forged[0][0] ^= 1;
        assert.equal(verifyProof(id.digest, r.pieces, decoded.firstPiece, decoded.pieces, forged), false);
        assert.equal(verifyProof(id.digest, r.pieces, decoded.firstPiece, decoded.pieces, decoded.proof.slice(1)), false);
      }
      assert.equal(verifyProof(id.digest, r.pieces, decoded.firstPiece, decoded.pieces, [...decoded.proof, PAD_PIECE]), false);
      const badPiece = decoded.pieces.map((h) => h.slice());
      badPiece[0][31] ^= 0x80;
      assert.equal(verifyProof(id.digest, r.pieces, decoded.firstPiece, badPiece, decoded.proof), false);
    }
  });
}

test('a proof checked against a wrong piece count fails where it reaches the padding', () => {
  const r = vectors.resources.find((x) => x.pieces === 48);
  const run = r.runs.find((x) => x.firstPiece === 32);
  const decoded = codec.decode(unhex(run.hashesMessage));
  const id = parseId(r.id);
  assert.ok(verifyProof(id.digest, 48, 32, decoded.pieces, decoded.proof));
  // Told 40 pieces (a holder lying about the size): the neighbour over pieces 40–47 would be padding, and is not Z(3).
  assert.equal(verifyProof(id.digest, 40, 32, decoded.pieces, decoded.proof), false);
});

test('the root and the piece tree built in slices (the page gets turns) are the same as built at once', async () => {
  const bytes = bytesOf(9 * 1024 * 1024 + 100); // three 4 MiB slices
  assert.equal(hex(await merkleRootInSlices(bytes)), hex(merkleRoot(bytes)));
  const sliced = await PieceTree.inSlices(bytes);
  const whole = PieceTree.of(bytes);
  assert.equal(hex(sliced.root), hex(whole.root));
  assert.deepEqual(sliced.proof(40, 8).map(hex), whole.proof(40, 8).map(hex));
});
