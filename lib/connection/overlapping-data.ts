/**
 * Within one incoming packet, StreamData frames of a stream may overlap, but must then carry the
 * same bytes (RFC 29 §5.3.11, checklist E22). The receiver checks each frame against what it held
 * before the packet; this checks the frames of the packet against each other.
 */

/** A stream as this check needs it: its identity (the object) and its id for the error. */
export interface StreamRef {
  readonly id: bigint;
}

/**
 * The id of a stream two of whose StreamData frames in this packet overlap with different bytes
 * (29-5.3.11-b, E22); each frame was only checked against bytes held before the packet.
 *
 * A packet can hold thousands of tiny frames, so comparing every pair would let one packet cost
 * seconds. Sorted by offset, each frame needs comparing with one earlier frame only: the one that
 * reaches furthest. It starts at or before this frame and covers everything earlier frames cover
 * from here on, and it agrees with each of them there, so agreeing with it is agreeing with all.
 *
 * @example
 * ```ts
 * const one = { id: 1n };
 * conflictWithinPacket([[one, 0n, Buffer.from('abc')], [one, 2n, Buffer.from('cd')]]); // undefined
 * conflictWithinPacket([[one, 0n, Buffer.from('abc')], [one, 2n, Buffer.from('xd')]]); // 1n
 * ```
 */
export function conflictWithinPacket(data: ReadonlyArray<readonly [StreamRef, bigint, Buffer]>): bigint | undefined {
  if (data.length < 2) return undefined;
  const byStream = new Map<StreamRef, Array<readonly [bigint, Buffer]>>();
  for (const [stream, offset, bytes] of data) {
    const segments = byStream.get(stream);
    if (segments) segments.push([offset, bytes]);
    else byStream.set(stream, [[offset, bytes]]);
  }
  for (const [stream, segments] of byStream) {
    if (segments.length < 2) continue;
    segments.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let [reachStart, reachBytes] = segments[0] as readonly [bigint, Buffer];
    let reachEnd = reachStart + BigInt(reachBytes.length);
    for (let i = 1; i < segments.length; i++) {
      const [offset, bytes] = segments[i] as readonly [bigint, Buffer];
      const end = offset + BigInt(bytes.length);
      const stop = end < reachEnd ? end : reachEnd;
      if (stop > offset) {
        const mine = bytes.subarray(0, Number(stop - offset));
        const theirs = reachBytes.subarray(Number(offset - reachStart), Number(stop - reachStart));
        if (!mine.equals(theirs)) return stream.id;
      }
      if (end > reachEnd) [reachStart, reachBytes, reachEnd] = [offset, bytes, end];
    }
  }
  return undefined;
}
