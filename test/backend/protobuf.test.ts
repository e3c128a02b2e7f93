import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ProtoWriter } from '../../src/backend/onnx/protobuf.js';

const bytes = (writer: ProtoWriter): number[] => [...writer.finish()];

describe('protobuf wire format', () => {
  // Expected bytes from the protobuf encoding guide (https://protobuf.dev/programming-guides/encoding/).
  it('writes varints as the encoding guide does', () => {
    assert.deepEqual(bytes(new ProtoWriter().int(1, 150)), [0x08, 0x96, 0x01]);
    assert.deepEqual(bytes(new ProtoWriter().int(1, 1)), [0x08, 0x01]);
    assert.deepEqual(bytes(new ProtoWriter().int(2, 300)), [0x10, 0xac, 0x02]);
  });

  it('writes negative int64 values as ten-byte two’s complement', () => {
    assert.deepEqual(
      bytes(new ProtoWriter().int(1, -1)),
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    );
  });

  it('writes strings, embedded messages and packed repeated fields length-delimited', () => {
    assert.deepEqual(
      bytes(new ProtoWriter().string(2, 'testing')),
      [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67],
    );
    assert.deepEqual(
      bytes(new ProtoWriter().message(3, (m) => m.int(1, 150))),
      [0x1a, 0x03, 0x08, 0x96, 0x01],
    );
    assert.deepEqual(
      bytes(new ProtoWriter().packedInts(4, [3, 270, 86942])),
      [0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05],
    );
  });

  it('writes float32 fields little-endian and grows past its initial buffer', () => {
    assert.deepEqual(bytes(new ProtoWriter().float(1, 1)), [0x0d, 0x00, 0x00, 0x80, 0x3f]);
    const long = new Uint8Array(1000).fill(7);
    const encoded = new ProtoWriter().bytes(1, long).finish();
    assert.deepEqual([...encoded.subarray(0, 3)], [0x0a, 0xe8, 0x07]);
    assert.equal(encoded.length, 1003);
    assert.ok(encoded.subarray(3).every((b) => b === 7));
  });
});
